import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { LanguageSwitch } from "../../../layout/LanguageSwitch";
import { renderScreen } from "../../../test/render";
import { StepForm } from "./StepForm";

// a technical review's step, as the contract onboarding's template has it
const review = {
  type: "object",
  required: ["decision", "comment"],
  properties: {
    decision: { type: "string", enum: ["approve", "reject"] },
    comment: { type: "string", minLength: 3 },
    eicCode: { type: "string", format: "eic" },
  },
};

function fieldText(label: string): string {
  return screen.getByLabelText(label, { exact: false }).closest(".form-group")?.textContent ?? "";
}

describe("the console's StepForm", () => {
  it("checks the data in the browser before sending it, at each field", async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn();
    renderScreen(<StepForm schema={review} initialData={{}} onSubmit={onSubmit} />);
    await user.click(screen.getByRole("button", { name: "Complete this step" }));
    expect(onSubmit).not.toHaveBeenCalled();
    expect(fieldText("decision")).toContain("is required");
    expect(fieldText("comment")).toContain("is required");

    // from then on, as the person types
    await user.type(screen.getByLabelText("eicCode", { exact: false }), "10YBE----------3");
    expect(fieldText("eicCode")).toContain("is not a valid ENTSO-E EIC code");
    await user.clear(screen.getByLabelText("eicCode", { exact: false }));
    await user.selectOptions(screen.getByLabelText("decision", { exact: false }), "approve");
    await user.type(screen.getByLabelText("comment", { exact: false }), "36 kV bay available");
    expect(fieldText("decision")).not.toContain("is required");

    await user.click(screen.getByRole("button", { name: "Complete this step" }));
    expect(onSubmit).toHaveBeenCalledWith({ decision: "approve", comment: "36 kV bay available" });
  });

  it("speaks the person's language", async () => {
    const user = userEvent.setup();
    renderScreen(<StepForm schema={review} initialData={{ decision: "approve" }} onSubmit={vi.fn()} />, { language: "nl" });
    await user.click(screen.getByRole("button", { name: "Deze stap voltooien" }));
    expect(fieldText("comment")).toContain("is verplicht");
  });

  it("says what is wrong in the language just chosen", async () => {
    const user = userEvent.setup();
    renderScreen(
      <>
        <LanguageSwitch />
        <StepForm schema={review} initialData={{ decision: "approve" }} onSubmit={vi.fn()} />
      </>,
    );
    await user.click(screen.getByRole("button", { name: "Complete this step" }));
    expect(fieldText("comment")).toContain("is required");
    await user.selectOptions(screen.getByRole("combobox", { name: "Language" }), "nl");
    expect(await screen.findByText("is verplicht")).toBeDefined();
    expect(fieldText("comment")).not.toContain("is required");
    localStorage.clear(); // the switch remembers its choice
  });

  it("shows the API's field problems at their fields", () => {
    renderScreen(
      <StepForm
        schema={review}
        initialData={{ decision: "approve", comment: "fine" }}
        problems={[{ path: ["comment"], message: "must name the substation" }]}
        onSubmit={vi.fn()}
      />,
    );
    expect(fieldText("comment")).toContain("must name the substation");
  });
});
