import type { RJSFSchema } from "@rjsf/utils";
import { afterEach, describe, expect, it } from "vitest";
import { InterpretingValidator } from "./validator";

type Data = Record<string, unknown>;

/** A fresh schema each time: the validator prepares a schema once, then keeps it. */
function companyInfo(): RJSFSchema {
  return {
    type: "object",
    required: ["companyName", "vatNumber", "address"],
    properties: {
      companyName: { type: "string", minLength: 2 },
      vatNumber: { type: "string", format: "be-vat" },
      employees: { type: "integer", minimum: 1 },
      address: {
        type: "object",
        required: ["postalCode", "city"],
        properties: { postalCode: { type: "string", pattern: "^[0-9]{4}$" }, city: { type: "string" } },
      },
      contacts: {
        type: "array",
        minItems: 1,
        items: { $ref: "#/$defs/contact" },
      },
    },
    $defs: {
      contact: {
        type: "object",
        required: ["email"],
        properties: { email: { type: "string", format: "email" }, ean: { type: "string", format: "ean18" } },
      },
    },
  };
}

const validator = new InterpretingValidator<Data>();

function errorsAt(data: Data, schema: RJSFSchema = companyInfo()) {
  const { errors, errorSchema } = validator.validateFormData(data, schema);
  return { byField: Object.fromEntries(errors.map((error) => [error.property ?? "", error.name])), errors, errorSchema };
}

const originalFunction = globalThis.Function;
const originalEval = globalThis.eval;

afterEach(() => {
  globalThis.Function = originalFunction;
  globalThis.eval = originalEval;
});

describe("the step forms' validator", () => {
  it("validates without eval or new Function, as the Content-Security-Policy demands", () => {
    const evaluated: string[] = [];
    globalThis.Function = function refused(...source: string[]) {
      evaluated.push(source.join(","));
      throw new EvalError("Function refused: script-src 'self'");
    } as unknown as FunctionConstructor;
    globalThis.eval = ((source: string) => {
      evaluated.push(source);
      throw new EvalError("eval refused: script-src 'self'");
    }) as typeof eval;

    const schema = companyInfo();
    const { byField } = errorsAt({ companyName: "A", vatNumber: "BE0477472702", address: { postalCode: "10" } }, schema);
    const fits = validator.isValid(schema, { companyName: "Ardennes", vatNumber: "BE0477472701", address: { postalCode: "1000", city: "Brussels" } }, schema);

    expect(evaluated).toEqual([]);
    expect(byField[".vatNumber"]).toBe("format");
    expect(fits).toBe(true);
  });

  it("puts each missing, mistyped or malformed value at its field", () => {
    const { byField, errorSchema } = errorsAt({
      companyName: "A",
      vatNumber: "BE0477472702",
      employees: 2.5,
      address: { postalCode: "10" },
      contacts: [{ email: "not an address", ean: "541449889999999991" }, {}],
    });
    expect(byField).toEqual({
      ".companyName": "minLength",
      ".vatNumber": "format",
      ".employees": "type",
      ".address.postalCode": "pattern",
      ".address.city": "required",
      ".contacts.0.email": "format",
      ".contacts.0.ean": "format",
      ".contacts.1.email": "required",
    });
    expect(errorSchema).toMatchObject({
      vatNumber: { __errors: ['must match format "be-vat"'] },
      address: { city: { __errors: ["is a required property"] } },
      contacts: { 0: { email: { __errors: ['must match format "email"'] } } },
    });
  });

  it("gives the limit and the format each message needs", () => {
    const { errors } = errorsAt({ companyName: "A", vatNumber: "BE1", address: { postalCode: "1000", city: "Brussels" } });
    expect(errors.find((error) => error.name === "minLength")?.params).toEqual({ limit: 2 });
    expect(errors.find((error) => error.name === "format")?.params).toEqual({ format: "be-vat" });
  });

  it("counts a field the person emptied as missing, a top-level one named without a dot", () => {
    const { byField } = errorsAt({ companyName: undefined, vatNumber: "BE0477472701", address: { postalCode: "1000", city: "Brussels" } });
    expect(byField).toEqual({ companyName: "required" });
  });

  it("accepts valid data with the market's identifiers", () => {
    const { errors } = errorsAt({
      companyName: "Ardennes Énergie SA",
      vatNumber: "BE 0477.472.701",
      address: { postalCode: "6700", city: "Arlon" },
      contacts: [{ email: "anna@ardennes-energie.be", ean: "541449889999999990" }],
    });
    expect(errors).toEqual([]);
  });

  it("applies transformErrors, then the form's own checks", () => {
    const { errors, errorSchema } = validator.validateFormData(
      { companyName: "A" },
      companyInfo(),
      (data, handler) => {
        if (data?.companyName === "A") handler.companyName?.addError("is taken");
        return handler;
      },
      (found) => found.filter((error) => error.name !== "required"),
    );
    expect(errors.map((error) => error.stack)).toEqual([".companyName must NOT have fewer than 2 characters", ".companyName is taken"]);
    expect(errorSchema.companyName?.__errors).toEqual(["must NOT have fewer than 2 characters", "is taken"]);
  });

  it("tells rjsf which option data fits, its references read in the root schema", () => {
    const root = companyInfo();
    const contact: RJSFSchema = { $ref: "#/$defs/contact" };
    expect(validator.isValid(contact, { email: "els@flanders-flex.be" }, root)).toBe(true);
    expect(validator.isValid(contact, { email: "els" }, root)).toBe(false);
    expect(validator.isValid({ type: "object", required: ["x"] }, {}, root)).toBe(false);
  });
});
