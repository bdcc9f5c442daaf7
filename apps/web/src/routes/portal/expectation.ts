/** What a workflow expects from the participant now, in the portal's words. */
import type { WorkflowStatus } from "../../graphql/enums";

export interface ExpectationInput {
  status: WorkflowStatus;
  currentStep: { id: string; type: string; title: string } | null;
  /** The roles that may execute the current step (empty: the tenant's users) */
  currentStepRoles: readonly string[];
  rejection: { reason: string; toStepId: string; toStepTitle: string } | null;
}

export type Expectation =
  | { kind: "us" | "marketOps" | "platform"; step: string }
  | { kind: "rejected"; step: string; reason: string }
  | { kind: "start" | "submit" | "approval" | "paused" | "done" | "failed" | "cancelled" };

const HUMAN_STEPS: ReadonlySet<string> = new Set(["form", "approval"]);
const TENANT_ROLES: ReadonlySet<string> = new Set(["tenant_user", "tenant_admin"]);

/** Whose turn it is: ours (a form step of ours, the submission), market operations' (their
 * step, the approval), the platform's (a system step), or nobody's (done, failed...). */
export function expectationOf({ status, currentStep, currentStepRoles, rejection }: ExpectationInput): Expectation {
  switch (status) {
    case "DRAFT":
      return { kind: "start" };
    case "AWAITING_VALIDATION":
      return rejection ? { kind: "rejected", step: rejection.toStepTitle, reason: rejection.reason } : { kind: "submit" };
    case "SUBMITTED":
      return { kind: "approval" };
    case "PAUSED":
    case "ROLLED_BACK":
      return { kind: "paused" };
    case "COMPLETED":
      return { kind: "done" };
    case "FAILED":
      return { kind: "failed" };
    case "CANCELLED":
      return { kind: "cancelled" };
    case "IN_PROGRESS":
      break;
  }
  if (rejection && currentStep?.id === rejection.toStepId) {
    return { kind: "rejected", step: rejection.toStepTitle, reason: rejection.reason };
  }
  if (currentStep === null) return { kind: "submit" };
  if (!HUMAN_STEPS.has(currentStep.type)) return { kind: "platform", step: currentStep.title };
  const ours = currentStepRoles.length === 0 || currentStepRoles.some((role) => TENANT_ROLES.has(role));
  return { kind: ours ? "us" : "marketOps", step: currentStep.title };
}
