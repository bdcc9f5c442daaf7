import type { RJSFSchema } from "@rjsf/utils";
import { useCallback, useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams, useSearchParams } from "react-router";
import { useMutation, useQuery, useSubscription } from "urql";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { StatusBadge } from "../../components/StatusBadge";
import { AttachmentsSection } from "../../files/AttachmentsSection";
import { useAttachments } from "../../files/useAttachments";
import type { StepFiles } from "../../forms/FileField";
import { takesFiles } from "../../forms/fileFields";
import { StepForm, type StepData } from "../../forms/StepForm";
import { graphql } from "../../graphql";
import { fieldProblems, hasErrorCode } from "../../graphql/errors";
import type { PortalWorkflowQuery } from "../../graphql/graphql";
import { formatDateTime } from "../../i18n/format";
import "../../styles/portal.css";
import { ExecuteStepMutation, StartWorkflowMutation, SubmitWorkflowMutation, WorkflowChangedSubscription } from "../workflows/commands";
import { useResubscription } from "../workflows/usePollingFallback";
import { ValidateWorkflowMutation, workflowCheck } from "../workflows/validation";
import { DraftNote } from "./components/DraftNote";
import { StepList } from "./components/StepList";
import { SubmitPanel } from "./components/SubmitPanel";
import { useStepDrafts } from "./useStepDrafts";

const PortalWorkflowDocument = graphql(`
  query PortalWorkflow($id: ID!) {
    workflow(id: $id) {
      id
      status
      version
      marketRole
      currentStepId
      allowedActions
      template {
        id
        name
        definition
        steps {
          id
          type
          title
          schema
          roles
          attachments {
            contentTypes
            maxBytes
          }
        }
      }
      state {
        steps {
          id
          type
          title
          status
          data
          completedAt
          completedBy {
            name
          }
        }
        lastRejection {
          reason
          toStepId
          rejectedAt
          rejectedBy {
            name
          }
        }
      }
      drafts {
        ...StepDraftShown
      }
      files {
        ...WorkflowAttachment
      }
    }
  }
`);

type Workflow = PortalWorkflowQuery["workflow"];

const POLL_SECONDS = 15;

const NO_DATA: StepData = {};

function schemaOf(value: unknown): RJSFSchema {
  return isRecord(value) ? value : {};
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A step's description in `language`, from the template's definition (English else). */
function descriptionOf(definition: unknown, stepId: string, language: string): string | null {
  if (!isRecord(definition) || !Array.isArray(definition.steps)) return null;
  const step: unknown = definition.steps.find((candidate: unknown) => isRecord(candidate) && candidate.id === stepId);
  if (!isRecord(step) || !isRecord(step.description)) return null;
  const text = step.description[language] ?? step.description.en;
  return typeof text === "string" ? text : null;
}

/** One key per intent: the same step with the same data keeps its key while retried. */
function useIntentKey() {
  const [intent, setIntent] = useState<{ what: string; key: string } | null>(null);
  return (what: string): string => {
    if (intent?.what === what) return intent.key;
    const key = crypto.randomUUID();
    setIntent({ what, key });
    return key;
  };
}

/** Live: refetch when the workflow changes (workflowChanged); without a live feed, poll. */
function useLiveWorkflow(id: string) {
  const [result, reexecute] = useQuery({ query: PortalWorkflowDocument, variables: { id } });
  const [feed, resubscribe] = useSubscription({ query: WorkflowChangedSubscription, variables: { id } });
  useResubscription(feed.error !== undefined, resubscribe);
  const shownVersion = result.data?.workflow.version;
  const liveVersion = feed.data?.workflowChanged.version;
  useEffect(() => {
    if (liveVersion !== undefined && shownVersion !== undefined && liveVersion > shownVersion) {
      reexecute({ requestPolicy: "network-only" });
    }
  }, [liveVersion, shownVersion, reexecute]);
  const live = feed.error === undefined && feed.data !== undefined;
  useEffect(() => {
    if (live) return undefined;
    const timer = window.setInterval(() => {
      reexecute({ requestPolicy: "network-only" });
    }, POLL_SECONDS * 1000);
    return () => {
      window.clearInterval(timer);
    };
  }, [live, reexecute]);
  const refresh = useCallback(() => {
    reexecute({ requestPolicy: "network-only" });
  }, [reexecute]);
  return { result, live, refresh };
}

/** `/portal/workflows/:id`: the steps, the current form, the submission. */
export function PortalWorkflow() {
  const { t } = useTranslation("portal");
  const { id = "" } = useParams();
  const { result, live, refresh } = useLiveWorkflow(id);

  if (hasErrorCode(result.error, "NOT_FOUND")) {
    return (
      <section aria-labelledby="screen-title" className="portal">
        <h1 id="screen-title">{t("page.notFound")}</h1>
        <p>{t("page.notFoundText")}</p>
        <Link to="/portal">{t("page.back")}</Link>
      </section>
    );
  }
  if (!result.data) {
    return (
      <section aria-labelledby="screen-title" className="portal">
        <h1 id="screen-title">{t("workflow")}</h1>
        <ErrorMessage error={result.error} />
        {result.fetching && <Loading />}
      </section>
    );
  }
  return <WorkflowView key={result.data.workflow.id} workflow={result.data.workflow} live={live} refresh={refresh} />;
}

function WorkflowView({ workflow, live, refresh }: { workflow: Workflow; live: boolean; refresh: () => void }) {
  const { t, i18n } = useTranslation("portal");
  const [params] = useSearchParams();
  const [, executeStep] = useMutation(ExecuteStepMutation);
  const [executed, setExecuted] = useState<Awaited<ReturnType<typeof executeStep>> | null>(null);
  const [sending, setSending] = useState(false);
  const [validation, validateWorkflow] = useMutation(ValidateWorkflowMutation);
  const [submission, submitWorkflow] = useMutation(SubmitWorkflowMutation);
  const [starting, startWorkflow] = useMutation(StartWorkflowMutation);
  const intentKey = useIntentKey();
  const [edits, setEdits] = useState<Record<string, StepData>>({});
  const drafts = useStepDrafts(workflow.id, workflow.drafts, refresh);
  const attachments = useAttachments(workflow.id, workflow.files, refresh);
  // a discarded draft: the form starts again from the step's own data
  const [discards, setDiscards] = useState(0);

  const steps = workflow.state.steps;
  const rejection = workflow.state.lastRejection;
  const rejectionOpen = rejection != null && ["IN_PROGRESS", "AWAITING_VALIDATION", "PAUSED"].includes(workflow.status);
  const requested = params.get("step");
  const shownId = steps.some((step) => step.id === requested) ? requested : (workflow.currentStepId ?? (rejectionOpen ? rejection.toStepId : null));
  const shown = steps.find((step) => step.id === shownId) ?? null;
  const templateStep = workflow.template.steps.find((step) => step.id === shownId);
  const stepTitle = (stepId: string) => steps.find((step) => step.id === stepId)?.title ?? stepId;

  const isCurrent = shown !== null && shown.id === workflow.currentStepId;
  const ours = templateStep !== undefined && (templateStep.roles.length === 0 || templateStep.roles.some((role) => role.startsWith("tenant_")));
  const editable = isCurrent && shown.type === "form" && ours && workflow.allowedActions.includes("EXECUTE_STEP");

  const draft = shown === null ? null : drafts.draftOf(shown.id);
  // what the person typed, else their draft (until the step is executed), else the step's data
  const data: StepData =
    shown === null
      ? NO_DATA
      : (edits[shown.id] ?? (draft !== null && isRecord(draft.data) ? draft.data : isRecord(shown.data) ? shown.data : NO_DATA));

  function forgetEdits(stepId: string) {
    setEdits((previous) => Object.fromEntries(Object.entries(previous).filter(([edited]) => edited !== stepId)));
  }

  const apiProblems = useMemo(() => (executed?.error ? fieldProblems(executed.error) : []), [executed]);

  const { uploadTo } = attachments;
  const stepFiles: StepFiles | undefined =
    templateStep === undefined || !takesFiles(templateStep.schema)
      ? undefined
      : {
          contentTypes: templateStep.attachments?.contentTypes ?? [],
          maxBytes: templateStep.attachments?.maxBytes ?? null,
          upload: uploadTo(templateStep.id),
          known: workflow.files,
        };

  async function continueWith(stepId: string, stepData: StepData) {
    const key = intentKey(`execute:${stepId}:${JSON.stringify(stepData)}`);
    setSending(true);
    const answer = await executeStep({ id: workflow.id, stepId, data: stepData, expectedVersion: workflow.version, key });
    setSending(false);
    setExecuted(answer);
    if (answer.data) {
      // the API deleted the step's draft with the step's execution
      forgetEdits(stepId);
      refresh();
    }
  }

  const check = validation.data ? workflowCheck(validation.data.validateWorkflow, stepTitle) : null;

  const description = shown ? descriptionOf(workflow.template.definition, shown.id, i18n.language) : null;

  return (
    <section aria-labelledby="screen-title" className="portal">
      <p>
        <Link to="/portal">{t("page.back")}</Link>
      </p>
      <div className="portal-heading">
        <h1 id="screen-title">{workflow.template.name}</h1>
        <StatusBadge status={workflow.status} />
        <span className="live-note">{live ? t("page.live") : t("page.polling", { seconds: POLL_SECONDS })}</span>
      </div>

      {rejectionOpen && (
        <div className="rejection" role="note" aria-labelledby="rejection-title">
          <h2 id="rejection-title">{t("page.rejectedTitle")}</h2>
          <p className="rejection-reason">{rejection.reason}</p>
          <p>
            {t("page.rejectedBy", { name: rejection.rejectedBy.name, when: formatDateTime(rejection.rejectedAt, i18n.language) })}
          </p>
          <p>
            {t("page.rejectedStep", { step: stepTitle(rejection.toStepId) })}{" "}
            {shownId !== rejection.toStepId && <Link to={`?step=${encodeURIComponent(rejection.toStepId)}`}>{t("page.goToStep")}</Link>}
          </p>
        </div>
      )}

      <StatusNote status={workflow.status} />
      {workflow.status === "DRAFT" && workflow.allowedActions.includes("START") && (
        <>
          <ErrorMessage error={starting.error} />
          <button
            className="primary"
            type="button"
            disabled={starting.fetching}
            onClick={() => {
              void startWorkflow({ id: workflow.id, expectedVersion: workflow.version, key: intentKey(`start:${workflow.id}`) }).then(refresh);
            }}
          >
            {t("page.startNow")}
          </button>
        </>
      )}

      <div className="workflow-layout">
        <StepList steps={steps} shownId={shownId} />
        <div className="step-panel">
          {shown && (
            <section aria-labelledby="step-title">
              <p className="step-of">{t("page.stepOf", { number: steps.indexOf(shown) + 1, count: steps.length })}</p>
              <h2 id="step-title">{shown.title}</h2>
              {description && <p className="step-description">{description}</p>}
              {shown.status === "COMPLETED" && shown.completedAt && (
                <p className="muted">
                  {t("page.completedBy", { name: shown.completedBy?.name ?? "", when: formatDateTime(shown.completedAt, i18n.language) })}
                </p>
              )}
              {editable ? (
                <>
                  {executed?.error && <ErrorMessage error={executed.error} />}
                  <ErrorMessage error={drafts.error} />
                  {draft !== null && (
                    <DraftNote
                      savedAt={draft.savedAt}
                      savedBy={draft.savedBy.name}
                      busy={drafts.busy || sending}
                      onDiscard={() => {
                        void drafts.discard(shown.id).then((discarded) => {
                          if (!discarded) return;
                          forgetEdits(shown.id);
                          setDiscards((count) => count + 1);
                        });
                      }}
                    />
                  )}
                  <StepForm
                    key={`${shown.id}:${String(discards)}`}
                    schema={schemaOf(templateStep.schema)}
                    data={data}
                    idPrefix={`step_${shown.id.replaceAll("-", "_")}`}
                    busy={sending || drafts.busy}
                    apiProblems={apiProblems}
                    files={stepFiles}
                    onChange={(next) => {
                      setEdits((previous) => ({ ...previous, [shown.id]: next }));
                    }}
                    onSave={(next) => {
                      void drafts.save(shown.id, next);
                    }}
                    onContinue={(next) => {
                      void continueWith(shown.id, next);
                    }}
                  />
                </>
              ) : shown.status === "COMPLETED" ? (
                <>
                  <p className="muted">{t("page.readOnly")}</p>
                  {shown.type === "form" && templateStep && (
                    <StepForm
                      key={shown.id}
                      schema={schemaOf(templateStep.schema)}
                      data={isRecord(shown.data) ? shown.data : {}}
                      idPrefix={`done_${shown.id.replaceAll("-", "_")}`}
                      files={stepFiles}
                      readOnly
                    />
                  )}
                </>
              ) : isCurrent && !ours ? (
                <p className="notice">{shown.type === "form" || shown.type === "approval" ? t("page.waitingMarketOps") : t("page.waitingPlatform")}</p>
              ) : isCurrent ? (
                <p className="notice">{t("page.waitingPlatform")}</p>
              ) : (
                <p className="muted">{t("page.notYet")}</p>
              )}
            </section>
          )}
          {workflow.status === "AWAITING_VALIDATION" && workflow.allowedActions.includes("SUBMIT") && (
            <>
              <ErrorMessage error={validation.error} />
              <ErrorMessage error={submission.error} />
              <SubmitPanel
                check={check}
                checking={validation.fetching}
                submitting={submission.fetching}
                onCheck={() => {
                  void validateWorkflow({ workflowId: workflow.id });
                }}
                onSubmit={() => {
                  void (async () => {
                    const checked = await validateWorkflow({ workflowId: workflow.id });
                    if (!checked.data?.validateWorkflow.valid) return;
                    const answer = await submitWorkflow({
                      id: workflow.id,
                      expectedVersion: workflow.version,
                      key: intentKey(`submit:${String(workflow.version)}`),
                    });
                    if (answer.data) refresh();
                  })();
                }}
              />
            </>
          )}
        </div>
      </div>

      {workflow.files.length > 0 && (
        <AttachmentsSection
          files={workflow.files}
          stepTitle={stepTitle}
          hrefOf={attachments.hrefOf}
          onDownload={attachments.download}
          downloading={attachments.downloading}
          problem={attachments.problem}
        />
      )}
    </section>
  );
}

function StatusNote({ status }: { status: Workflow["status"] }) {
  const { t } = useTranslation("portal");
  const text =
    status === "SUBMITTED"
      ? t("page.submittedText")
      : status === "COMPLETED"
        ? t("page.completedText")
        : status === "FAILED"
          ? t("page.failedText")
          : status === "CANCELLED"
            ? t("page.cancelledText")
            : status === "PAUSED" || status === "ROLLED_BACK"
              ? t("page.pausedText")
              : status === "DRAFT"
                ? t("page.draftText")
                : null;
  return text === null ? null : (
    <p role="status" className={`notice status-note-${status.toLowerCase()}`}>
      {text}
    </p>
  );
}
