import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { StatusBadge } from "../../../components/StatusBadge";
import type { MarketRole, WorkflowStatus } from "../../../graphql/enums";
import { formatDateTime } from "../../../i18n/format";
import { Performer, type PerformerActor } from "./Performer";

export interface WorkflowNotes {
  lastRejection: { reason: string; toStepId: string; rejectedAt: string; rejectedBy: PerformerActor } | null;
  approval: { comment: string | null; approvedAt: string; approvedBy: PerformerActor } | null;
  pause: { reason: string | null; pausedAt: string; pausedBy: PerformerActor } | null;
}

export interface WorkflowHeaderProps {
  /** The tenant's name, or a link to it */
  tenant: ReactNode;
  templateName: string;
  templateKey: string;
  templateVersion: number;
  marketRole: MarketRole;
  status: WorkflowStatus;
  currentStep: string | null;
  version: number;
  updatedAt: string;
  notes: WorkflowNotes;
  /** A step's title by id (a rejection names the step it went back to) */
  stepTitle?: (stepId: string) => string;
}

/** Who the workflow is for, what it runs, and where it stands; the last rejection, approval
 * or pause with its reason. */
export function WorkflowHeader(props: WorkflowHeaderProps) {
  const { t, i18n } = useTranslation("workflows");
  const when = (value: string) => formatDateTime(value, i18n.language);
  const { lastRejection, approval, pause } = props.notes;
  return (
    <div className="workflow-header">
      <dl className="summary">
        <div>
          <dt>{t("header.tenant")}</dt>
          <dd>{props.tenant}</dd>
        </div>
        <div>
          <dt>{t("header.template")}</dt>
          <dd>
            {props.templateName} <span className="muted">({t("list.templateVersion", { key: props.templateKey, version: props.templateVersion })})</span>
          </dd>
        </div>
        <div>
          <dt>{t("header.marketRole")}</dt>
          <dd>{props.marketRole}</dd>
        </div>
        <div>
          <dt>{t("header.status")}</dt>
          <dd>
            <StatusBadge status={props.status} />
          </dd>
        </div>
        <div>
          <dt>{t("header.currentStep")}</dt>
          <dd>{props.currentStep ?? "—"}</dd>
        </div>
        <div>
          <dt>{t("header.version")}</dt>
          <dd>{props.version}</dd>
        </div>
        <div>
          <dt>{t("header.updated")}</dt>
          <dd>
            <time dateTime={props.updatedAt}>{when(props.updatedAt)}</time>
          </dd>
        </div>
      </dl>
      {lastRejection && (
        <p className="note note-rejection">
          {t("header.rejected", {
            when: when(lastRejection.rejectedAt),
            step: props.stepTitle?.(lastRejection.toStepId) ?? lastRejection.toStepId,
          })}{" "}
          <Performer actor={lastRejection.rejectedBy} />: <q>{lastRejection.reason}</q>
        </p>
      )}
      {approval && (
        <p className="note note-approval">
          {t("header.approved", { when: when(approval.approvedAt) })} <Performer actor={approval.approvedBy} />
          {approval.comment !== null && approval.comment !== "" && (
            <>
              : <q>{approval.comment}</q>
            </>
          )}
        </p>
      )}
      {pause && (
        <p className="note note-pause">
          {t("header.paused", { when: when(pause.pausedAt) })} <Performer actor={pause.pausedBy} />
          {pause.reason !== null && pause.reason !== "" && (
            <>
              : <q>{pause.reason}</q>
            </>
          )}
        </p>
      )}
    </div>
  );
}
