/** Step data a person saved without sending: the API keeps no drafts, so they live in memory
 * for the visit (moving between steps and screens keeps them; a reload does not). */
import type { StepData } from "../../forms/StepForm";

const drafts = new Map<string, StepData>();

function keyOf(workflowId: string, stepId: string): string {
  return `${workflowId}/${stepId}`;
}

export function savedDraft(workflowId: string, stepId: string): StepData | undefined {
  return drafts.get(keyOf(workflowId, stepId));
}

export function saveDraft(workflowId: string, stepId: string, data: StepData): void {
  drafts.set(keyOf(workflowId, stepId), data);
}

export function forgetDraft(workflowId: string, stepId: string): void {
  drafts.delete(keyOf(workflowId, stepId));
}
