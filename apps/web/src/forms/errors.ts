/** Validation messages in the person's language, at their fields: the browser's own
 * (JSON Schema, through rjsf: ./validator.ts) and the API's (VALIDATION_FAILED `extensions.fields`). */
import type { ErrorSchema, RJSFValidationError } from "@rjsf/utils";
import type { TFunction } from "i18next";
import type { FieldProblem } from "../graphql/errors";
import { isMarketFormat } from "./formats";

function limitOf(params: unknown): unknown {
  if (typeof params !== "object" || params === null) return undefined;
  return (params as { limit?: unknown }).limit;
}

function formatOf(params: unknown): unknown {
  if (typeof params !== "object" || params === null) return undefined;
  return (params as { format?: unknown }).format;
}

/** One validation error's message in the active language (its field is shown beside it). */
export function localizedMessage(error: RJSFValidationError, t: TFunction<"portal">): string {
  const limit = limitOf(error.params);
  switch (error.name) {
    case "required":
      return t("validation.required");
    // a number of characters or entries: its plural form ("at least 1 character")
    case "minLength":
    case "maxLength":
    case "minItems":
    case "maxItems":
      return t(`validation.${error.name}`, { count: Number(limit) });
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return t(`validation.${error.name}`, { limit: String(limit) });
    case "pattern":
      return t("validation.pattern");
    case "enum":
      return t("validation.enum");
    case "type":
      return t("validation.type");
    case "format": {
      const format = formatOf(error.params);
      if (isMarketFormat(format)) return t(`validation.${format}`);
      if (format === "email" || format === "date") return t(`validation.${format}`);
      return t("validation.format");
    }
    default:
      return error.message ?? t("validation.format");
  }
}

/** rjsf's `transformErrors`: every message localised; with `shown`, only the errors of the
 * fields it accepts (a person sees the fields they touched, until they try to continue). */
export function localizedErrors(
  errors: RJSFValidationError[],
  t: TFunction<"portal">,
  shown: (property: string) => boolean = () => true,
): RJSFValidationError[] {
  return errors
    .filter((error) => shown(error.property ?? ""))
    .map((error) => {
      const message = localizedMessage(error, t);
      return { ...error, message, stack: `${error.property ?? ""} ${message}`.trim() };
    });
}

/** The API's field problems as rjsf's error schema: `["address", "postalCode"]` ->
 * `{ address: { postalCode: { __errors: [message] } } }`; the whole input at the root. */
export function apiErrorSchema(problems: readonly FieldProblem[]): ErrorSchema {
  const root: Record<string, unknown> = {};
  for (const problem of problems) {
    // the API names a malformed whole input `data`
    const path = problem.path.length === 1 && problem.path[0] === "data" ? [] : problem.path;
    let node = root;
    for (const part of path) {
      const key = String(part);
      const child = node[key];
      if (typeof child === "object" && child !== null) {
        node = child as Record<string, unknown>;
      } else {
        const created: Record<string, unknown> = {};
        node[key] = created;
        node = created;
      }
    }
    const existing = Array.isArray(node.__errors) ? (node.__errors as string[]) : [];
    node.__errors = [...existing, problem.message];
  }
  return root as ErrorSchema;
}

/** rjsf's property of an error (`.address.postalCode`, `.accessPoints.0.ean`; a missing
 * top-level field without the dot: `vatNumber`) as its field's id (`root_address_postalCode`). */
export function fieldIdOf(property: string, prefix = "root"): string {
  const parts = property.split(".").filter((part) => part !== "");
  return [prefix, ...parts].join("_");
}
