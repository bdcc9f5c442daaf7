/** What the API's errors say: each GraphQL error carries `extensions.code` (apps/api
 * wfm_api/errors.py), VALIDATION_FAILED also `extensions.fields` [{path, message}],
 * GATE_FAILED `extensions.failedGates` [{gate, passed, reason}] (a four-eyes refusal is one). */
import type { CombinedError } from "urql";

export const ERROR_CODES = [
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "VALIDATION_FAILED",
  "INVALID_TRANSITION",
  "GATE_FAILED",
  "CONDITION_FAILED",
  "CONFLICT",
  "RATE_LIMITED",
  "UNAVAILABLE",
  "INTERNAL",
  "GRAPHQL_VALIDATION_FAILED",
  "GRAPHQL_PARSE_FAILED",
] as const;

/** An API code, NETWORK (no answer), or UNKNOWN (an answer without a code we know) */
export type ErrorCode = (typeof ERROR_CODES)[number] | "NETWORK" | "UNKNOWN";

export interface FieldProblem {
  /** Where in the input, like ["contact", "email"]; empty: the whole input */
  path: readonly (string | number)[];
  message: string;
}

/** A check of the template (a quality gate) that refused a transition, and why */
export interface FailedGate {
  gate: string;
  reason: string;
}

export interface ApiProblem {
  code: ErrorCode;
  /** The server's own words (in English unless it localised them) */
  message: string;
  fields: readonly FieldProblem[];
  /** GATE_FAILED: the checks that refused, with their reasons */
  failedGates: readonly FailedGate[];
  extensions: Readonly<Record<string, unknown>>;
}

function isErrorCode(value: unknown): value is (typeof ERROR_CODES)[number] {
  return typeof value === "string" && (ERROR_CODES as readonly string[]).includes(value);
}

function fieldsOf(value: unknown): FieldProblem[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown) => {
    if (typeof item !== "object" || item === null) return [];
    const { path, message } = item as { path?: unknown; message?: unknown };
    if (typeof message !== "string") return [];
    const parts = Array.isArray(path)
      ? path.filter((p): p is string | number => typeof p === "string" || typeof p === "number")
      : [];
    return [{ path: parts, message }];
  });
}

function failedGatesOf(value: unknown): FailedGate[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown) => {
    if (typeof item !== "object" || item === null) return [];
    const { gate, reason, passed } = item as { gate?: unknown; reason?: unknown; passed?: unknown };
    if (typeof gate !== "string" || passed === true) return [];
    return [{ gate, reason: typeof reason === "string" && reason !== "" ? reason : gate }];
  });
}

/** Every problem an urql error holds, network failures included. */
export function problemsOf(error: CombinedError | null | undefined): ApiProblem[] {
  if (!error) return [];
  const problems: ApiProblem[] = error.graphQLErrors.map((graphQLError) => {
    const extensions = graphQLError.extensions;
    return {
      code: isErrorCode(extensions.code) ? extensions.code : "UNKNOWN",
      message: graphQLError.message,
      fields: fieldsOf(extensions.fields),
      failedGates: failedGatesOf(extensions.failedGates),
      extensions,
    };
  });
  if (error.networkError) {
    problems.push({ code: "NETWORK", message: error.networkError.message, fields: [], failedGates: [], extensions: {} });
  }
  return problems;
}

export function errorCodes(error: CombinedError | null | undefined): ErrorCode[] {
  return problemsOf(error).map((problem) => problem.code);
}

export function hasErrorCode(error: CombinedError | null | undefined, code: ErrorCode): boolean {
  return errorCodes(error).includes(code);
}

/** The field problems of VALIDATION_FAILED errors; with `under`, only those at or below
 * that path (a step form asks for its own fields), the prefix taken off. */
export function fieldProblems(
  error: CombinedError | null | undefined,
  under: readonly (string | number)[] = [],
): FieldProblem[] {
  return problemsOf(error)
    .flatMap((problem) => problem.fields)
    .filter((field) => under.every((part, index) => field.path[index] === part))
    .map((field) => ({ path: field.path.slice(under.length), message: field.message }));
}
