import { useCallback, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams, useSearchParams } from "react-router";
import { useClient, useQuery, useSubscription, type CombinedError } from "urql";
import { ErrorMessage } from "../../components/ErrorMessage";
import { AttachmentsSection } from "../../files/AttachmentsSection";
import { useAttachments } from "../../files/useAttachments";
import { takesFiles } from "../../forms/fileFields";
import { Loading } from "../../components/Loading";
import { Pagination } from "../../components/Pagination";
import { useCursor } from "../../components/useCursor";
import { graphql } from "../../graphql";
import { fieldProblems, hasErrorCode } from "../../graphql/errors";
import "../../styles/workflows.css";
import {
  ApproveWorkflowMutation,
  CancelWorkflowMutation,
  RetryWorkflowMutation,
  ExecuteStepMutation,
  FailWorkflowMutation,
  PauseWorkflowMutation,
  RejectWorkflowMutation,
  ResumeWorkflowMutation,
  RollbackWorkflowMutation,
  StartWorkflowMutation,
  SubmitWorkflowMutation,
  WorkflowChangedSubscription,
} from "./commands";
import { ActionBar, type WorkflowCommand } from "./components/ActionBar";
import { ActionError } from "./components/ActionError";
import { StepForm } from "./components/StepForm";
import { StepsView, type StepView } from "./components/StepsView";
import { Timeline } from "./components/Timeline";
import { TimeTravelBanner } from "./components/TimeTravelBanner";
import { WorkflowHeader } from "./components/WorkflowHeader";
import { localeOf, usePollingFallback } from "./usePollingFallback";
import { ValidateWorkflowMutation, workflowCheck, type ValidationAnswer } from "./validation";

const EVENTS_PAGE_SIZE = 50;
const EVENTS_CURSOR = "events";
const AS_OF = "asOf";
const NO_FILES: readonly never[] = [];

// who did something, as <Performer> shows it
graphql(`
  fragment ConsoleActor on Actor {
    kind
    name(locale: $locale)
  }
`);

graphql(`
  fragment ConsoleWorkflowStep on WorkflowStep {
    id
    type
    title(locale: $locale)
    status
    data
    completedAt
    completedBy {
      ...ConsoleActor
    }
  }
`);

const WorkflowDetailQuery = graphql(`
  query ConsoleWorkflowDetail($id: ID!, $locale: Locale, $eventsAfter: String, $eventsFirst: Int!) {
    workflow(id: $id) {
      id
      status
      version
      marketRole
      currentStepId
      createdAt
      updatedAt
      allowedActions
      tenant {
        id
        companyName
      }
      template {
        id
        key
        version
        name(locale: $locale)
        steps {
          id
          type
          title(locale: $locale)
          schema
          attachments {
            contentTypes
            maxBytes
          }
        }
      }
      files {
        ...WorkflowAttachment
      }
      state {
        steps {
          ...ConsoleWorkflowStep
        }
        lastRejection {
          reason
          toStepId
          rejectedAt
          rejectedBy {
            ...ConsoleActor
          }
        }
        approval {
          comment
          approvedAt
          approvedBy {
            ...ConsoleActor
          }
        }
        pause {
          reason
          pausedAt
          pausedBy {
            ...ConsoleActor
          }
        }
      }
      events(first: $eventsFirst, after: $eventsAfter) {
        totalCount
        pageInfo {
          ...PaginationPageInfo
        }
        edges {
          node {
            id
            seq
            type
            stepId
            data
            occurredAt
            performedBy {
              ...ConsoleActor
            }
          }
        }
      }
    }
  }
`);

const WorkflowSnapshotQuery = graphql(`
  query ConsoleWorkflowSnapshot($id: ID!, $seq: Int!, $locale: Locale) {
    workflow(id: $id) {
      id
      stateAt(seq: $seq) {
        seq
        status
        currentStepId
        updatedAt
        state {
          steps {
            ...ConsoleWorkflowStep
          }
        }
      }
    }
  }
`);

/** One idempotency key per user intent: the same command retried keeps its key, a new one
 * (or the same after it succeeded) gets a new key. */
function useIntentKeys() {
  const intent = useRef<{ signature: string; key: string } | null>(null);
  const keyFor = useCallback((signature: string) => {
    if (intent.current?.signature !== signature) intent.current = { signature, key: crypto.randomUUID() };
    return intent.current.key;
  }, []);
  const done = useCallback(() => {
    intent.current = null;
  }, []);
  return { keyFor, done };
}

/** The console's view of one workflow: where it stands, its steps and their data, its event
 * log with time travel, and the actions the user may take now, kept live. */
export function WorkflowDetail() {
  const { t, i18n } = useTranslation("workflows");
  const { id = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const { after: eventsAfter } = useCursor(EVENTS_CURSOR);
  const locale = localeOf(i18n.language);
  const asOfParam = Number.parseInt(params.get(AS_OF) ?? "", 10);
  const asOf = Number.isInteger(asOfParam) && asOfParam > 0 ? asOfParam : null;

  const [result, reexecute] = useQuery({
    query: WorkflowDetailQuery,
    variables: { id, locale, eventsAfter, eventsFirst: EVENTS_PAGE_SIZE },
  });
  const [snapshot] = useQuery({
    query: WorkflowSnapshotQuery,
    variables: { id, seq: asOf ?? 1, locale },
    pause: asOf === null,
  });
  const [live, resubscribe] = useSubscription({ query: WorkflowChangedSubscription, variables: { id } });
  const refresh = useCallback(() => {
    reexecute({ requestPolicy: "network-only" });
  }, [reexecute]);
  usePollingFallback(live.error !== undefined, refresh, { resubscribe });

  const workflow = result.data?.workflow;
  const liveVersion = live.data?.workflowChanged.version;
  const shownVersion = workflow?.version;
  useEffect(() => {
    if (liveVersion !== undefined && shownVersion !== undefined && liveVersion > shownVersion) refresh();
  }, [liveVersion, shownVersion, refresh]);

  const client = useClient();
  const attachments = useAttachments(id, workflow?.files ?? NO_FILES, refresh);
  const { keyFor, done } = useIntentKeys();
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<CombinedError | undefined>();
  const [validation, setValidation] = useState<ValidationAnswer | null>(null);
  // a new value after each action done: the action's form closes
  const [actionsDone, setActionsDone] = useState(0);

  if (hasErrorCode(result.error, "NOT_FOUND")) {
    return (
      <section aria-labelledby="screen-title">
        <h1 id="screen-title">{t("detail.notFound")}</h1>
        <ErrorMessage error={result.error} />
        <p>
          <Link to="/console/workflows">{t("detail.backToList")}</Link>
        </p>
      </section>
    );
  }
  if (!workflow) {
    return (
      <section aria-labelledby="screen-title">
        <h1 id="screen-title">{t("detailTitle")}</h1>
        {result.fetching ? <Loading /> : <ErrorMessage error={result.error} />}
      </section>
    );
  }

  const titles = new Map(workflow.template.steps.map((step) => [step.id, step.title]));
  const stepTitle = (stepId: string) => titles.get(stepId) ?? stepId;
  const past = asOf !== null ? snapshot.data?.workflow.stateAt : undefined;
  const status = past ? past.status : workflow.status;
  const currentStepId = past ? past.currentStepId : workflow.currentStepId;
  const steps: StepView[] = (past ? past.state.steps : workflow.state.steps).map((step) => ({
    ...step,
    completedBy: step.completedBy ?? null,
    completedAt: step.completedAt ?? null,
  }));
  const completedTargets = steps.filter((step) => step.status === "COMPLETED").map((step) => ({ id: step.id, title: step.title }));
  const rejectTargets = steps.filter((step) => step.type !== "approval").map((step) => ({ id: step.id, title: step.title }));
  const canExecute = asOf === null && workflow.allowedActions.includes("EXECUTE_STEP");

  const run = async (signature: string, send: (key: string) => Promise<{ error?: CombinedError }>) => {
    setBusy(true);
    setActionError(undefined);
    const answer = await send(keyFor(signature));
    setBusy(false);
    if (answer.error) {
      setActionError(answer.error);
      // a refusal may be logged too (GATE_FAILED): the version moved on
      refresh();
      return;
    }
    done();
    setActionsDone((count) => count + 1);
    refresh();
  };
  const base = { id: workflow.id, expectedVersion: workflow.version };
  const onCommand = (command: WorkflowCommand) => {
    setValidation(null);
    const signature = JSON.stringify(command);
    const go = (send: (key: string) => Promise<{ error?: CombinedError }>) => {
      void run(signature, send);
    };
    switch (command.action) {
      case "START":
        go((key) => client.mutation(StartWorkflowMutation, { ...base, key }).toPromise());
        break;
      case "PAUSE":
        go((key) => client.mutation(PauseWorkflowMutation, { ...base, key, reason: command.reason === "" ? null : command.reason }).toPromise());
        break;
      case "RESUME":
        go((key) => client.mutation(ResumeWorkflowMutation, { ...base, key }).toPromise());
        break;
      case "SUBMIT":
        go((key) => client.mutation(SubmitWorkflowMutation, { ...base, key }).toPromise());
        break;
      case "APPROVE":
        go((key) => client.mutation(ApproveWorkflowMutation, { ...base, key, comment: command.comment === "" ? null : command.comment }).toPromise());
        break;
      case "REJECT":
        go((key) => client.mutation(RejectWorkflowMutation, { ...base, key, reason: command.reason, toStepId: command.toStepId }).toPromise());
        break;
      case "ROLLBACK":
        go((key) => client.mutation(RollbackWorkflowMutation, { ...base, key, toStepId: command.toStepId }).toPromise());
        break;
      case "FAIL":
        go((key) => client.mutation(FailWorkflowMutation, { ...base, key, reason: command.reason }).toPromise());
        break;
      case "CANCEL":
        go((key) => client.mutation(CancelWorkflowMutation, { ...base, key, reason: command.reason }).toPromise());
        break;
      case "RETRY":
        go((key) => client.mutation(RetryWorkflowMutation, { ...base, key }).toPromise());
        break;
      case "VALIDATE":
        setBusy(true);
        setActionError(undefined);
        void client
          .mutation(ValidateWorkflowMutation, { workflowId: workflow.id })
          .toPromise()
          .then((answer) => {
            setBusy(false);
            if (answer.error) setActionError(answer.error);
            else if (answer.data) setValidation(answer.data.validateWorkflow);
          });
        break;
    }
  };
  const stepProblems = fieldProblems(actionError, ["data"]);
  const check = validation && workflowCheck(validation, stepTitle);
  const outstanding = check?.steps.filter((step) => step.outstanding) ?? [];

  return (
    <section aria-labelledby="screen-title" className="workflows-screen workflow-detail">
      <p className="breadcrumb">
        <Link to="/console/workflows">{t("detail.backToList")}</Link>
      </p>
      <h1 id="screen-title">
        {t("detail.title", { template: workflow.template.name, tenant: workflow.tenant.companyName })}
      </h1>
      {asOf !== null && (
        <TimeTravelBanner
          seq={asOf}
          at={past?.updatedAt}
          onBackToNow={() => {
            const next = new URLSearchParams(params);
            next.delete(AS_OF);
            setParams(next);
          }}
        />
      )}
      {asOf !== null && <ErrorMessage error={snapshot.error} />}
      <WorkflowHeader
        tenant={<Link to={`/console/tenants/${workflow.tenant.id}`}>{workflow.tenant.companyName}</Link>}
        templateName={workflow.template.name}
        templateKey={workflow.template.key}
        templateVersion={workflow.template.version}
        marketRole={workflow.marketRole}
        status={status}
        currentStep={currentStepId === null ? null : stepTitle(currentStepId)}
        version={past ? past.seq : workflow.version}
        updatedAt={past ? past.updatedAt : workflow.updatedAt}
        notes={asOf !== null ? { lastRejection: null, approval: null, pause: null } : workflow.state}
        stepTitle={stepTitle}
      />
      <p className="live-status" role="status">
        {live.error !== undefined ? t("live.polling") : t("live.on")}
      </p>

      {asOf === null && (
        <section aria-labelledby="actions-title" className="actions-section">
          <h2 id="actions-title">{t("actions.title")}</h2>
          <ActionError error={actionError} />
          {check && (
            <div role="status" className={check.valid ? "validation valid" : "validation invalid"}>
              <p>{check.valid ? t("validation.valid") : t("validation.invalid")}</p>
              {outstanding.length > 0 && (
                <p>{t("validation.outstanding", { steps: outstanding.map((step) => step.title).join(", ") })}</p>
              )}
              <ul>
                {check.steps.flatMap((step) =>
                  step.problems.map((error) => (
                    <li key={`${step.id}:${error.path.join(".")}:${error.message}`}>
                      {step.title} — <code>{error.path.join(".")}</code> {error.message}
                    </li>
                  )),
                )}
                {check.submissionProblems.map((error) => (
                  <li key={`submission:${error.path.join(".")}:${error.message}`}>
                    <code>{error.path.join(".")}</code> {error.message}
                  </li>
                ))}
              </ul>
            </div>
          )}
          <ActionBar
            key={actionsDone}
            allowed={workflow.allowedActions}
            rejectTargets={rejectTargets}
            rollbackTargets={completedTargets}
            busy={busy}
            problems={fieldProblems(actionError)}
            onCommand={onCommand}
          />
        </section>
      )}

      <section aria-labelledby="steps-title">
        <h2 id="steps-title">{t("steps.title")}</h2>
        <StepsView
          steps={steps}
          currentStepId={currentStepId}
          renderEditor={
            canExecute
              ? (step) => {
                  if (step.id !== workflow.currentStepId) return null;
                  const definition = workflow.template.steps.find((candidate) => candidate.id === step.id);
                  const schema = definition?.schema;
                  return (
                    <StepForm
                      key={`${step.id}:${String(actionsDone)}`}
                      schema={schema}
                      initialData={step.data}
                      problems={stepProblems}
                      busy={busy}
                      files={
                        takesFiles(schema)
                          ? {
                              contentTypes: definition?.attachments?.contentTypes ?? [],
                              maxBytes: definition?.attachments?.maxBytes ?? null,
                              upload: attachments.uploadTo(step.id),
                              known: workflow.files,
                            }
                          : undefined
                      }
                      onSubmit={(data) => {
                        void run(JSON.stringify({ action: "EXECUTE_STEP", stepId: step.id, data }), (key) =>
                          client.mutation(ExecuteStepMutation, { ...base, key, stepId: step.id, data }).toPromise(),
                        );
                      }}
                    />
                  );
                }
              : undefined
          }
        />
      </section>

      <AttachmentsSection
        files={workflow.files}
        stepTitle={stepTitle}
        hrefOf={attachments.hrefOf}
        onDownload={attachments.download}
        downloading={attachments.downloading}
        problem={attachments.problem}
      />

      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">{t("timeline.title")}</h2>
        <Timeline
          events={workflow.events.edges.map((edge) => edge.node)}
          totalCount={workflow.events.totalCount}
          selectedSeq={asOf}
          stepTitle={stepTitle}
          onSelect={(seq) => {
            const next = new URLSearchParams(params);
            next.set(AS_OF, String(seq));
            setParams(next);
            window.scrollTo({ top: 0 });
          }}
        />
        <Pagination pageInfo={workflow.events.pageInfo} param={EVENTS_CURSOR} />
      </section>
    </section>
  );
}
