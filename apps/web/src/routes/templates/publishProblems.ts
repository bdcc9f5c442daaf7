/** What the API found wrong with a template to publish (refusing it, or checking it), each at its path in the file
 * (`steps[2].next[0].to`) and, when it lies in a step, that step's id (for a link to it). */
import type { CombinedError } from "urql";
import { fieldProblems, type FieldProblem } from "../../graphql/errors";
import type { TemplateDefinition } from "./definition";

export interface PublishProblem {
  /** Where in the file, like `steps[2].next[0].to`; empty: the whole file */
  path: string;
  message: string;
  /** The id of the step the path lies in, when the file has it */
  stepId: string | null;
}

function index(part: string | number): number | null {
  if (typeof part === "number") return part;
  return /^\d+$/.test(part) ? Number(part) : null;
}

/** `["steps", 2, "next", 0, "to"]` as `steps[2].next[0].to` */
export function formatPath(path: readonly (string | number)[]): string {
  return path.reduce<string>((written, part) => {
    const at = index(part);
    if (at !== null) return `${written}[${String(at)}]`;
    return written === "" ? part.toString() : `${written}.${part.toString()}`;
  }, "");
}

export function stepAt(path: readonly (string | number)[], definition: TemplateDefinition | null): string | null {
  const [first, second] = path;
  if (first !== "steps" || second === undefined) return null;
  const at = index(second);
  if (at === null) return null;
  return definition?.steps[at]?.id ?? null;
}

/** Problems at their paths in the file (a refusal's, or a check's), with their steps */
export function problemsAt(problems: readonly FieldProblem[], definition: TemplateDefinition | null): PublishProblem[] {
  return problems.map((problem) => ({
    path: formatPath(problem.path),
    message: problem.message,
    stepId: stepAt(problem.path, definition),
  }));
}

export function publishProblems(error: CombinedError | null | undefined, definition: TemplateDefinition | null): PublishProblem[] {
  return problemsAt(fieldProblems(error), definition);
}
