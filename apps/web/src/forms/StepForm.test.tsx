import type { RJSFSchema } from "@rjsf/utils";
import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { LanguageSwitch } from "../layout/LanguageSwitch";
import { renderScreen } from "../test/render";
import { StepForm, type StepData } from "./StepForm";

const companyInfo: RJSFSchema = {
  type: "object",
  required: ["companyName", "vatNumber", "address"],
  properties: {
    companyName: { type: "string", minLength: 2, maxLength: 200 },
    vatNumber: { type: "string", format: "be-vat" },
    address: {
      type: "object",
      required: ["postalCode"],
      properties: { postalCode: { type: "string", pattern: "^[0-9]{4}$" } },
    },
  },
};

const perimeter: RJSFSchema = {
  type: "object",
  properties: {
    eicCode: { type: "string", format: "eic" },
    ean: { type: "string", format: "ean18" },
  },
};

/** The form as a screen holds it: the data lives in the screen. */
function Editing(props: { schema: RJSFSchema; initial?: StepData; onContinue?: (data: StepData) => void; problems?: { path: string[]; message: string }[] }) {
  const [data, setData] = useState<StepData>(props.initial ?? {});
  return (
    <StepForm
      schema={props.schema}
      data={data}
      onChange={setData}
      onContinue={props.onContinue}
      apiProblems={props.problems}
    />
  );
}

function fieldError(label: string): string {
  const field = screen.getByLabelText(label, { exact: false }).closest(".form-group");
  return field?.textContent ?? "";
}

describe("StepForm", () => {
  afterEach(() => {
    localStorage.clear(); // the language switch remembers its choice
  });

  it("labels each field in the person's language", () => {
    renderScreen(<Editing schema={companyInfo} />, { language: "fr" });
    expect(screen.getByLabelText("Numéro de TVA", { exact: false })).toBeDefined();
    expect(screen.getByLabelText("Code postal", { exact: false })).toBeDefined();
  });

  it("says as the person types that a VAT number fails its mod-97 check", async () => {
    const user = userEvent.setup();
    renderScreen(<Editing schema={companyInfo} />);
    await user.type(screen.getByLabelText("VAT number", { exact: false }), "BE0477472702");
    expect(fieldError("VAT number")).toContain("is not a valid Belgian VAT number");
    // a field not touched yet shows no error
    expect(fieldError("Company name")).not.toContain("is required");

    await user.clear(screen.getByLabelText("VAT number", { exact: false }));
    await user.type(screen.getByLabelText("VAT number", { exact: false }), "BE 0477.472.701");
    expect(fieldError("VAT number")).not.toContain("is not a valid");
  });

  it("checks EIC and EAN-18 codes in French", async () => {
    const user = userEvent.setup();
    renderScreen(<Editing schema={perimeter} />, { language: "fr" });
    await user.type(screen.getByLabelText("Code EIC", { exact: false }), "10YBE----------3");
    await user.type(screen.getByLabelText("EAN (GSRN)", { exact: false }), "541449889999999991");
    expect(fieldError("Code EIC")).toContain("n'est pas un code EIC ENTSO-E valide");
    expect(fieldError("EAN (GSRN)")).toContain("n'est pas un code EAN-18 (GSRN) valide");
  });

  it("shows every missing field when the person tries to continue, and sends nothing", async () => {
    const user = userEvent.setup();
    const onContinue = vi.fn();
    renderScreen(<Editing schema={companyInfo} onContinue={onContinue} />);
    await user.click(screen.getByRole("button", { name: "Continue" }));
    expect(fieldError("Company name")).toContain("is required");
    expect(fieldError("VAT number")).toContain("is required");
    expect(onContinue).not.toHaveBeenCalled();
  });

  it("sends valid data on Continue", async () => {
    const user = userEvent.setup();
    const onContinue = vi.fn();
    renderScreen(<Editing schema={perimeter} onContinue={onContinue} />);
    await user.type(screen.getByLabelText("EIC code", { exact: false }), "10YBE----------2");
    await user.click(screen.getByRole("button", { name: "Continue" }));
    expect(onContinue).toHaveBeenCalledWith({ eicCode: "10YBE----------2" });
  });

  it("shows the API's domain checks at their fields until the field is edited", async () => {
    const user = userEvent.setup();
    const problems = [
      { path: ["address", "postalCode"], message: "is not a Belgian postal code in use" },
      { path: ["companyName"], message: "differs from the name the enterprise register holds" },
    ];
    renderScreen(
      <Editing
        schema={companyInfo}
        initial={{ companyName: "Ardennes", vatNumber: "BE0477472701", address: { postalCode: "1000" } }}
        problems={problems}
      />,
    );
    expect(fieldError("Postal code")).toContain("is not a Belgian postal code in use");
    expect(fieldError("Company name")).toContain("differs from the name the enterprise register holds");

    await user.type(screen.getByLabelText("Company name", { exact: false }), " SA");
    expect(fieldError("Company name")).not.toContain("differs from the name");
    expect(fieldError("Postal code")).toContain("is not a Belgian postal code in use");
  });

  it("counts the characters a field takes in the singular or the plural", async () => {
    const user = userEvent.setup();
    const schema: RJSFSchema = {
      type: "object",
      properties: { companyName: { type: "string", maxLength: 3 }, vatNumber: { type: "string", maxLength: 1 } },
    };
    renderScreen(<Editing schema={schema} />);
    await user.type(screen.getByLabelText("Company name", { exact: false }), "Elia");
    await user.type(screen.getByLabelText("VAT number", { exact: false }), "BE0");
    expect(fieldError("Company name")).toContain("must have at most 3 characters");
    expect(fieldError("VAT number")).toContain("must have at most 1 character");
    expect(fieldError("VAT number")).not.toContain("1 characters");
  });

  it("shows the errors in the language just chosen, without moving the focus", async () => {
    const user = userEvent.setup();
    const schema: RJSFSchema = {
      type: "object",
      required: ["vatNumber"],
      properties: { companyName: { type: "string", minLength: 5 }, vatNumber: { type: "string" } },
    };
    renderScreen(
      <>
        <LanguageSwitch />
        <Editing schema={schema} />
      </>,
    );
    await user.type(screen.getByLabelText("Company name", { exact: false }), "Elia");
    expect(fieldError("Company name")).toContain("must have at least 5 characters");

    const language = screen.getByRole("combobox", { name: "Language" });
    await user.selectOptions(language, "fr");
    expect(await screen.findByText("doit compter au moins 5 caractères")).toBeDefined();
    expect(fieldError("Nom de l'entreprise")).not.toContain("must have");
    // a field not touched yet still shows nothing
    expect(fieldError("Numéro de TVA")).not.toContain("obligatoire");
    expect(document.activeElement).toBe(language);
  });

  it("shows a completed step's data without letting it be changed", () => {
    renderScreen(<StepForm schema={perimeter} data={{ eicCode: "10YBE----------2" }} readOnly />);
    const eic = screen.getByLabelText("EIC code", { exact: false });
    expect((eic as HTMLInputElement).value).toBe("10YBE----------2");
    expect(eic.hasAttribute("readonly")).toBe(true);
    expect(screen.queryByRole("button", { name: "Continue" })).toBeNull();
  });
});
