/** Checking a workflow before it is submitted (`validateWorkflow`), as the console and the
 * portal both ask it and show its answer: the steps still to complete or to correct, each
 * with its problems, and the problems of the submission as a whole. */
import { graphql } from "../../graphql";
import type { ValidateWorkflowMutation as ValidateWorkflowAnswer } from "../../graphql/graphql";

export const ValidateWorkflowMutation = graphql(`
  mutation ValidateWorkflow($workflowId: ID!) {
    validateWorkflow(workflowId: $workflowId) {
      valid
      outstandingSteps
      steps {
        stepId
        errors {
          path
          message
        }
      }
      submissionErrors {
        path
        message
      }
    }
  }
`);

/** What validateWorkflow answers */
export type ValidationAnswer = ValidateWorkflowAnswer["validateWorkflow"];

export interface CheckProblem {
  /** The field's path in the step's data (or the submission's), empty for the whole */
  path: readonly string[];
  message: string;
}

export interface StepToFinish {
  id: string;
  title: string;
  /** Not completed yet (else: completed with data the checks refuse) */
  outstanding: boolean;
  problems: readonly CheckProblem[];
}

export interface WorkflowCheck {
  valid: boolean;
  /** Outstanding steps first, in the API's order, then the completed ones with problems */
  steps: readonly StepToFinish[];
  submissionProblems: readonly CheckProblem[];
}

/** The API's answer as the screens show it, each step named by `stepTitle`. */
export function workflowCheck(
  answer: ValidationAnswer,
  stepTitle: (stepId: string) => string,
): WorkflowCheck {
  const problemsOf = (stepId: string) => answer.steps.find((step) => step.stepId === stepId)?.errors ?? [];
  const outstanding = new Set(answer.outstandingSteps);
  const ids = [
    ...new Set([
      ...answer.outstandingSteps,
      ...answer.steps.filter((step) => step.errors.length > 0).map((step) => step.stepId),
    ]),
  ];
  return {
    valid: answer.valid,
    steps: ids.map((id) => ({ id, title: stepTitle(id), outstanding: outstanding.has(id), problems: problemsOf(id) })),
    submissionProblems: answer.submissionErrors,
  };
}
