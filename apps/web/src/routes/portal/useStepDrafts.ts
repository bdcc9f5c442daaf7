/** Step data saved without completing the step (`saveStepDraft`, `discardStepDraft`), kept
 * by the API for the person or a colleague to continue later (`Workflow.drafts`) until the
 * step is executed. */
import { useState } from "react";
import { useMutation, type CombinedError } from "urql";
import type { StepData } from "../../forms/StepForm";
import { graphql } from "../../graphql";
import type { StepDraftShownFragment } from "../../graphql/graphql";

graphql(`
  fragment StepDraftShown on StepDraft {
    stepId
    data
    savedAt
    savedBy {
      name
    }
  }
`);

export const SaveStepDraftMutation = graphql(`
  mutation SaveStepDraft($workflowId: ID!, $stepId: String!, $data: JSON!) {
    saveStepDraft(workflowId: $workflowId, stepId: $stepId, data: $data) {
      ...StepDraftShown
    }
  }
`);

export const DiscardStepDraftMutation = graphql(`
  mutation DiscardStepDraft($workflowId: ID!, $stepId: String!) {
    discardStepDraft(workflowId: $workflowId, stepId: $stepId)
  }
`);

export type StepDraft = StepDraftShownFragment;

export interface StepDrafts {
  /** The step's draft as last known: this page's own save or discard, else the workflow's */
  draftOf: (stepId: string) => StepDraft | null;
  /** True once the API kept it */
  save: (stepId: string, data: StepData) => Promise<boolean>;
  /** True once the API let it go */
  discard: (stepId: string) => Promise<boolean>;
  busy: boolean;
  /** Why the last save or discard was refused */
  error: CombinedError | null;
}

/** The drafts of one workflow: `stored` as read with it; `refresh` reads it again. */
export function useStepDrafts(workflowId: string, stored: readonly StepDraft[], refresh: () => void): StepDrafts {
  const [saving, executeSave] = useMutation(SaveStepDraftMutation);
  const [discarding, executeDiscard] = useMutation(DiscardStepDraftMutation);
  const [error, setError] = useState<CombinedError | null>(null);
  // this page's answers count until the workflow is read again (with them in it)
  const [answers, setAnswers] = useState<{ over: readonly StepDraft[]; drafts: Record<string, StepDraft | null> }>({
    over: stored,
    drafts: {},
  });
  const own = answers.over === stored ? answers.drafts : {};

  function remember(stepId: string, draft: StepDraft | null) {
    setAnswers({ over: stored, drafts: { ...own, [stepId]: draft } });
  }

  return {
    draftOf: (stepId) => (stepId in own ? (own[stepId] ?? null) : (stored.find((draft) => draft.stepId === stepId) ?? null)),
    save: async (stepId, data) => {
      const result = await executeSave({ workflowId, stepId, data });
      setError(result.error ?? null);
      if (!result.data) return false;
      remember(stepId, result.data.saveStepDraft);
      refresh();
      return true;
    },
    discard: async (stepId) => {
      const result = await executeDiscard({ workflowId, stepId });
      setError(result.error ?? null);
      if (!result.data) return false;
      remember(stepId, null);
      refresh();
      return true;
    },
    busy: saving.fetching || discarding.fetching,
    error,
  };
}
