/** The commands a workflow takes, as the console and the portal send them (each screen sends
 * them from its route), and the signal of its changes. Each command answers the workflow's
 * new version and status; `key` is the command's idempotency key (one per intent). */
import { graphql } from "../../graphql";

/** A workflow's new version, each time it changes (the screen then reads it again) */
export const WorkflowChangedSubscription = graphql(`
  subscription WorkflowChanged($id: ID!) {
    workflowChanged(id: $id) {
      id
      version
    }
  }
`);

graphql(`
  fragment WorkflowActed on Workflow {
    id
    version
    status
  }
`);

export const StartWorkflowMutation = graphql(`
  mutation StartWorkflow($id: ID!, $expectedVersion: Int, $key: String) {
    startWorkflow(workflowId: $id, expectedVersion: $expectedVersion, idempotencyKey: $key) {
      ...WorkflowActed
    }
  }
`);
export const PauseWorkflowMutation = graphql(`
  mutation PauseWorkflow($id: ID!, $reason: String, $expectedVersion: Int, $key: String) {
    pauseWorkflow(workflowId: $id, reason: $reason, expectedVersion: $expectedVersion, idempotencyKey: $key) {
      ...WorkflowActed
    }
  }
`);
export const ResumeWorkflowMutation = graphql(`
  mutation ResumeWorkflow($id: ID!, $expectedVersion: Int, $key: String) {
    resumeWorkflow(workflowId: $id, expectedVersion: $expectedVersion, idempotencyKey: $key) {
      ...WorkflowActed
    }
  }
`);
export const SubmitWorkflowMutation = graphql(`
  mutation SubmitWorkflow($id: ID!, $expectedVersion: Int, $key: String) {
    submitWorkflow(workflowId: $id, expectedVersion: $expectedVersion, idempotencyKey: $key) {
      ...WorkflowActed
    }
  }
`);
export const ApproveWorkflowMutation = graphql(`
  mutation ApproveWorkflow($id: ID!, $comment: String, $expectedVersion: Int, $key: String) {
    approveWorkflow(workflowId: $id, comment: $comment, expectedVersion: $expectedVersion, idempotencyKey: $key) {
      ...WorkflowActed
    }
  }
`);
export const RejectWorkflowMutation = graphql(`
  mutation RejectWorkflow($id: ID!, $reason: String!, $toStepId: String, $expectedVersion: Int, $key: String) {
    rejectWorkflow(
      workflowId: $id
      reason: $reason
      toStepId: $toStepId
      expectedVersion: $expectedVersion
      idempotencyKey: $key
    ) {
      ...WorkflowActed
    }
  }
`);
export const RollbackWorkflowMutation = graphql(`
  mutation RollbackWorkflow($id: ID!, $toStepId: String!, $expectedVersion: Int, $key: String) {
    rollbackWorkflow(workflowId: $id, toStepId: $toStepId, expectedVersion: $expectedVersion, idempotencyKey: $key) {
      ...WorkflowActed
    }
  }
`);
export const FailWorkflowMutation = graphql(`
  mutation FailWorkflow($id: ID!, $reason: String!, $expectedVersion: Int, $key: String) {
    failWorkflow(workflowId: $id, reason: $reason, expectedVersion: $expectedVersion, idempotencyKey: $key) {
      ...WorkflowActed
    }
  }
`);
export const CancelWorkflowMutation = graphql(`
  mutation CancelWorkflow($id: ID!, $reason: String, $expectedVersion: Int, $key: String) {
    cancelWorkflow(workflowId: $id, reason: $reason, expectedVersion: $expectedVersion, idempotencyKey: $key) {
      ...WorkflowActed
    }
  }
`);
export const RetryWorkflowMutation = graphql(`
  mutation RetryWorkflow($id: ID!, $expectedVersion: Int, $key: String) {
    retryWorkflow(workflowId: $id, expectedVersion: $expectedVersion, idempotencyKey: $key) {
      ...WorkflowActed
    }
  }
`);
export const ExecuteStepMutation = graphql(`
  mutation ExecuteStep($id: ID!, $stepId: String!, $data: JSON!, $expectedVersion: Int, $key: String) {
    executeStep(workflowId: $id, stepId: $stepId, data: $data, expectedVersion: $expectedVersion, idempotencyKey: $key) {
      ...WorkflowActed
    }
  }
`);
