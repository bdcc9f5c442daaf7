import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { CombinedError } from "urql";
import { describe, expect, it, vi } from "vitest";
import { renderScreen } from "../../test/render";
import { CreateTenantForm } from "./CreateTenantForm";

function validationFailed(fields: { path: string[]; message: string }[]) {
  return new CombinedError({
    graphQLErrors: [{ message: "the tenant is invalid", extensions: { code: "VALIDATION_FAILED", fields } }],
  });
}

describe("the create-tenant form", () => {
  it("sends what was typed, an empty slug left to the API", async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn();
    renderScreen(<CreateTenantForm error={undefined} submitting={false} onSubmit={onSubmit} onCancel={vi.fn()} />);
    await user.type(screen.getByLabelText("Company name"), "Kempen Balancing BV");
    await user.type(screen.getByLabelText("VAT number"), "be 0412.345.614");
    await user.click(screen.getByRole("checkbox", { name: "BRP" }));
    await user.click(screen.getByRole("button", { name: "Create tenant" }));
    expect(onSubmit).toHaveBeenCalledWith({
      companyName: "Kempen Balancing BV",
      vatNumber: "be 0412.345.614",
      slug: null,
      marketRoles: ["BRP"],
    });
  });

  it("shows the API's VAT number problem at the VAT number field", () => {
    const error = validationFailed([{ path: ["vatNumber"], message: "'be 0412' is not a valid Belgian VAT number" }]);
    renderScreen(<CreateTenantForm error={error} submitting={false} onSubmit={vi.fn()} onCancel={vi.fn()} />);
    const vat = screen.getByLabelText("VAT number");
    expect(vat.getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByRole("textbox", { description: /is not a valid Belgian VAT number/ })).toBe(vat);
    expect(screen.getByLabelText("Company name").getAttribute("aria-invalid")).toBeNull();
    expect(screen.getByRole("alert").textContent).toContain("correct them below");
  });

  it("shows a problem at the slug whether or not the API names the input", () => {
    const error = validationFailed([{ path: ["input", "slug"], message: "is already taken" }]);
    renderScreen(<CreateTenantForm error={error} submitting={false} onSubmit={vi.fn()} onCancel={vi.fn()} />);
    expect(screen.getByRole("textbox", { name: "Slug (optional)", description: /is already taken/ })).toBeDefined();
  });

  it("says plainly when the API refuses for another reason", () => {
    const error = new CombinedError({ graphQLErrors: [{ message: "market operations only", extensions: { code: "FORBIDDEN" } }] });
    renderScreen(<CreateTenantForm error={error} submitting={false} onSubmit={vi.fn()} onCancel={vi.fn()} />);
    expect(screen.getByRole("alert").textContent).toContain("You may not do this.");
  });

  it("speaks French", () => {
    renderScreen(<CreateTenantForm error={undefined} submitting={false} onSubmit={vi.fn()} onCancel={vi.fn()} />, { language: "fr" });
    expect(screen.getByLabelText("Numéro de TVA")).toBeDefined();
  });
});
