/** JSON Schema validation of step data in the browser, without evaluating code.
 *
 * The app's Content-Security-Policy forbids `eval` (`script-src 'self'`), which ajv needs to
 * compile its validators. @cfworker/json-schema interprets a schema instead; this module puts
 * rjsf's `ValidatorType` on it, with the market's formats (be-vat, be-enterprise-number,
 * ean18, eic) beside the standard ones (email, date), draft 2020-12 as the API checks. Its
 * errors look like ajv's (`name`, `property`, `params.limit`, `params.format`,
 * `params.missingProperty`), so `localizedErrors` (./errors.ts) words them in the person's
 * language. */
import {
  dereference,
  format,
  validate,
  type OutputUnit,
  type Schema,
  type SchemaDraft,
} from "@cfworker/json-schema";
import {
  createErrorHandler,
  getDefaultFormState,
  toErrorSchema,
  unwrapErrorHandler,
  validationDataMerge,
  type CustomValidator,
  type ErrorTransformer,
  type FormContextType,
  type RJSFSchema,
  type RJSFValidationError,
  type UiSchema,
  type ValidationData,
  type ValidatorType,
} from "@rjsf/utils";
import { MARKET_FORMATS } from "./formats";

// cfworker's table of formats is the library's one registry of them
Object.assign(format, MARKET_FORMATS);

type Lookup = Record<string, Schema | boolean>;

/** A schema made ready once: a copy (cfworker annotates the schemas it dereferences, and
 * rjsf's stay as they are), its `$ref` targets, its draft. */
interface Prepared {
  schema: Schema;
  lookup: Lookup;
  draft: SchemaDraft;
}

const preparedSchemas = new WeakMap<object, Prepared>();

function draftOf(schema: RJSFSchema): SchemaDraft {
  const declared = typeof schema.$schema === "string" ? schema.$schema : "";
  if (declared.includes("draft-04")) return "4";
  if (declared.includes("draft-07") || declared.includes("draft-06")) return "7";
  if (declared.includes("2019-09")) return "2019-09";
  return "2020-12";
}

function prepared(schema: RJSFSchema): Prepared {
  const known = preparedSchemas.get(schema);
  if (known) return known;
  const copy = structuredClone(schema) as Schema;
  const ready = { schema: copy, lookup: dereference(copy), draft: draftOf(schema) };
  preparedSchemas.set(schema, ready);
  return ready;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The data as JSON would carry it: a field the person emptied (rjsf keeps it, `undefined`) is
 * absent, so `required` counts it missing as the API does. */
export function asJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : asJson(item)));
  if (isRecord(value)) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, item]) => item !== undefined)
        .map(([key, item]) => [key, asJson(item)]),
    );
  }
  return value;
}

function pointerSegments(pointer: string): string[] {
  return pointer
    .replace(/^#/, "")
    .split("/")
    .slice(1)
    .map((part) => decodeURIComponent(part).replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** The value in the schema at an error's `keywordLocation` (through `$ref`s): the limit, the
 * format, the pattern the data failed. */
function keywordValue(ready: Prepared, keywordLocation: string): unknown {
  let node: unknown = ready.schema;
  for (const segment of pointerSegments(keywordLocation)) {
    if (segment === "$ref" && isRecord(node) && typeof node.__absolute_ref__ === "string") {
      node = ready.lookup[node.__absolute_ref__];
    } else if (isRecord(node) || Array.isArray(node)) {
      node = (node as Record<string, unknown>)[segment];
    } else {
      return undefined;
    }
  }
  return node;
}

// keywords whose error only says "something below failed": the errors below say what
const ENCLOSING_KEYWORDS = new Set([
  "$ref",
  "$recursiveRef",
  "allOf",
  "if",
  "properties",
  "patternProperties",
  "additionalProperties",
  "unevaluatedProperties",
  "items",
  "prefixItems",
  "additionalItems",
  "unevaluatedItems",
  "dependentSchemas",
  "dependencies",
  "propertyNames",
]);

function isBelow(unit: OutputUnit, enclosing: OutputUnit): boolean {
  return unit.keywordLocation.startsWith(`${enclosing.keywordLocation}/`) || unit.keyword === "false";
}

/** cfworker lists an enclosing keyword's error right before the errors below it. */
function preciseErrors(units: readonly OutputUnit[]): OutputUnit[] {
  return units.filter((unit, index) => {
    const next = units[index + 1];
    return !(ENCLOSING_KEYWORDS.has(unit.keyword) && next !== undefined && isBelow(next, unit));
  });
}

const LIMIT_KEYWORDS = new Set([
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "minItems",
  "maxItems",
  "minProperties",
  "maxProperties",
  "multipleOf",
]);

const MISSING_PROPERTY = /required property "(.*)"\.$/;

/** English, as ajv says it: the screens word them again in the person's language. */
function englishMessage(keyword: string, params: Record<string, unknown>, fallback: string): string {
  const limit = String(params.limit);
  switch (keyword) {
    case "required":
      return "is a required property";
    case "minLength":
      return `must NOT have fewer than ${limit} characters`;
    case "maxLength":
      return `must NOT have more than ${limit} characters`;
    case "minimum":
      return `must be >= ${limit}`;
    case "maximum":
      return `must be <= ${limit}`;
    case "exclusiveMinimum":
      return `must be > ${limit}`;
    case "exclusiveMaximum":
      return `must be < ${limit}`;
    case "minItems":
      return `must NOT have fewer than ${limit} items`;
    case "maxItems":
      return `must NOT have more than ${limit} items`;
    case "pattern":
      return `must match pattern "${String(params.pattern)}"`;
    case "format":
      return `must match format "${String(params.format)}"`;
    case "type":
      return `must be ${Array.isArray(params.type) ? params.type.join(",") : String(params.type)}`;
    case "enum":
      return "must be equal to one of the allowed values";
    case "const":
      return "must be equal to constant";
    default:
      return fallback;
  }
}

function rjsfError(unit: OutputUnit, ready: Prepared): RJSFValidationError {
  const path = pointerSegments(unit.instanceLocation);
  const value = keywordValue(ready, unit.keywordLocation);
  const params: Record<string, unknown> = {};
  if (unit.keyword === "required") {
    const missing = MISSING_PROPERTY.exec(unit.error)?.[1] ?? "";
    params.missingProperty = missing;
    path.push(missing);
  } else if (LIMIT_KEYWORDS.has(unit.keyword)) {
    params.limit = value;
  } else if (unit.keyword === "format" || unit.keyword === "pattern" || unit.keyword === "type") {
    params[unit.keyword] = value;
  } else if (unit.keyword === "enum") {
    params.allowedValues = value;
  }
  // as ajv's through rjsf: `.address.postalCode`, a missing top-level field without the dot
  const property = unit.keyword === "required" && path.length === 1 ? path.join(".") : path.map((part) => `.${part}`).join("");
  const message = englishMessage(unit.keyword, params, unit.error);
  return {
    name: unit.keyword,
    property,
    message,
    params,
    stack: `${property} ${message}`.trim(),
    schemaPath: unit.keywordLocation,
  };
}

/** rjsf's validator over @cfworker/json-schema: interprets the schema, never compiles it. */
export class InterpretingValidator<T = unknown, F extends FormContextType = FormContextType>
  implements ValidatorType<T, RJSFSchema, F>
{
  // rjsf's signature: the caller names the kind of error it expects (ours: RJSFValidationError)
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
  rawValidation<Result>(schema: RJSFSchema, formData?: T): { errors?: Result[]; validationError?: Error } {
    try {
      const ready = prepared(schema);
      const result = validate(asJson(formData ?? {}), ready.schema, ready.draft, ready.lookup, false);
      const errors = preciseErrors(result.errors).map((unit) => rjsfError(unit, ready));
      return { errors: errors as Result[] };
    } catch (error) {
      return { validationError: error instanceof Error ? error : new Error(String(error)) };
    }
  }

  validateFormData(
    formData: T | undefined,
    schema: RJSFSchema,
    customValidate?: CustomValidator<T, RJSFSchema, F>,
    transformErrors?: ErrorTransformer<T, RJSFSchema, F>,
    uiSchema?: UiSchema<T, RJSFSchema, F>,
  ): ValidationData<T> {
    const raw = this.rawValidation<RJSFValidationError>(schema, formData);
    let errors: RJSFValidationError[] = raw.errors ?? [];
    if (raw.validationError) errors = [...errors, { stack: raw.validationError.message }];
    if (transformErrors) errors = transformErrors(errors, uiSchema);
    const errorSchema = toErrorSchema<T>(errors);
    if (!customValidate) return { errors, errorSchema };
    // the data with its undefined fields, as rjsf's own validators hand it to `customValidate`
    const completed = getDefaultFormState<T, RJSFSchema, F>(this, schema, formData, schema, true) as T;
    const handler = customValidate(completed, createErrorHandler<T>(completed), uiSchema, errorSchema);
    return validationDataMerge<T>({ errors, errorSchema }, unwrapErrorHandler<T>(handler));
  }

  /** Whether `formData` fits `schema` (rjsf asks to pick a oneOf option, an if/then branch);
   * its `$ref`s point into `rootSchema`. A schema that cannot be read fits nothing. */
  isValid(schema: RJSFSchema, formData: T | undefined, rootSchema: RJSFSchema): boolean {
    try {
      const root = prepared(rootSchema);
      const own = schema === rootSchema ? root : prepared(schema);
      return validate(asJson(formData ?? {}), own.schema, root.draft, root.lookup, true).valid;
    } catch {
      return false;
    }
  }
}

/** The step forms' validator (the portal's and the console's). */
export const stepValidator = new InterpretingValidator<Record<string, unknown>>();
