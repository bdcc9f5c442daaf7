import { screen, within } from "@testing-library/react";
import { CombinedError } from "urql";
import { describe, expect, it } from "vitest";
import { renderScreen } from "../test/render";
import { ErrorMessage } from "./ErrorMessage";

function apiError(code: string, message: string, extensions: Record<string, unknown> = {}) {
  return new CombinedError({ graphQLErrors: [{ message, extensions: { code, ...extensions } }] });
}

describe("ErrorMessage", () => {
  it("says plainly that the user may not do it, with the API's reason", () => {
    renderScreen(<ErrorMessage error={apiError("FORBIDDEN", "four eyes: you submitted this workflow")} />);
    const alert = screen.getByRole("alert");
    expect(alert.textContent).toContain("You may not do this.");
    expect(alert.textContent).toContain("four eyes: you submitted this workflow");
  });

  it("answers another tenant's workflow like a missing one", () => {
    renderScreen(<ErrorMessage error={apiError("NOT_FOUND", "workflow 42 not found")} />);
    expect(screen.getByRole("alert").textContent).toContain("This does not exist, or you may not see it.");
  });

  it("lists each invalid value at its field path", () => {
    const error = apiError("VALIDATION_FAILED", "the step data is invalid", {
      fields: [
        { path: ["contact", "email"], message: "is not an e-mail address" },
        { path: ["vatNumber"], message: "fails the mod 97 check" },
      ],
    });
    renderScreen(<ErrorMessage error={error} />);
    const fields = within(screen.getByRole("alert")).getByRole("list", { name: "Values to correct" });
    const items = within(fields).getAllByRole("listitem").map((item) => item.textContent);
    expect(items).toEqual(["contact.email is not an e-mail address", "vatNumber fails the mod 97 check"]);
  });

  it("tells how long to wait when rate limited", () => {
    renderScreen(<ErrorMessage error={apiError("RATE_LIMITED", "too many login attempts", { retryAfterSeconds: 30 })} />);
    expect(screen.getByRole("alert").textContent).toContain("Too many attempts: try again in 30 s.");
  });

  it("asks to reload after a conflicting change", () => {
    renderScreen(<ErrorMessage error={apiError("CONFLICT", "version 3 expected, 4 found")} />);
    expect(screen.getByRole("alert").textContent).toContain("reload and try again");
  });

  it("gives an internal error's reference, not its words", () => {
    renderScreen(<ErrorMessage error={apiError("INTERNAL", "internal error", { requestId: "req-77" })} />);
    const alert = screen.getByRole("alert");
    expect(alert.textContent).toContain("Something went wrong on the server.");
    expect(alert.textContent).toContain("Reference: req-77");
    expect(alert.textContent).not.toContain("internal error");
  });

  it("says when the server cannot be reached", () => {
    renderScreen(<ErrorMessage error={new CombinedError({ networkError: new TypeError("Failed to fetch") })} />);
    expect(screen.getByRole("alert").textContent).toContain("The server cannot be reached");
  });

  it("speaks the active language", () => {
    renderScreen(<ErrorMessage error={apiError("FORBIDDEN", "no")} />, { language: "fr" });
    expect(screen.getByRole("alert").textContent).toContain("Vous n'êtes pas autorisé à faire ceci.");
  });

  it("shows nothing without an error", () => {
    renderScreen(<ErrorMessage error={undefined} />);
    expect(screen.queryByRole("alert")).toBeNull();
  });
});
