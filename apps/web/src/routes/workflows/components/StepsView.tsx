import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { StepStatus } from "../../../graphql/enums";
import { formatDateTime } from "../../../i18n/format";
import { DataView } from "./DataView";
import { Performer, type PerformerActor } from "./Performer";

export interface StepView {
  id: string;
  type: string;
  title: string;
  status: StepStatus;
  data: unknown;
  completedAt: string | null;
  completedBy: PerformerActor | null;
}

export interface StepsViewProps {
  steps: readonly StepView[];
  currentStepId: string | null;
  /** What to show under a step instead of its data, like the form to execute it */
  renderEditor?: (step: StepView) => ReactNode;
}

/** A step's status in words (and a colour that only repeats them). */
export function StepStatusBadge({ status }: { status: StepStatus }) {
  const { t } = useTranslation("workflows");
  return <span className={`badge step-${status.toLowerCase()}`}>{t(`stepStatus.${status}`)}</span>;
}

/** The workflow's steps in order, each with its status and its data, read-only. */
export function StepsView({ steps, currentStepId, renderEditor }: StepsViewProps) {
  const { t, i18n } = useTranslation("workflows");
  return (
    <ol className="steps-view">
      {steps.map((step, index) => {
        const current = step.id === currentStepId;
        const editor = renderEditor?.(step);
        return (
          <li key={step.id} className={current ? "step current" : "step"} aria-current={current ? "step" : undefined}>
            <section aria-labelledby={`step-${step.id}`}>
              <header className="step-header">
                <h3 id={`step-${step.id}`}>
                  <span className="step-number">{index + 1}.</span> {step.title}
                </h3>
                <StepStatusBadge status={step.status} />
                {current && <span className="badge current-step">{t("steps.current")}</span>}
                <span className="step-type">{t("steps.type", { type: step.type })}</span>
              </header>
              {step.completedAt !== null && (
                <p className="step-done-note">
                  {step.completedBy !== null
                    ? t("steps.completedBy", { when: formatDateTime(step.completedAt, i18n.language) })
                    : t("steps.completedAt", { when: formatDateTime(step.completedAt, i18n.language) })}{" "}
                  {step.completedBy !== null && <Performer actor={step.completedBy} />}
                </p>
              )}
              {editor ?? (step.data !== null && step.data !== undefined ? (
                <DataView value={step.data} label={t("steps.dataOf", { title: step.title })} />
              ) : (
                <p className="data-empty">{t("steps.noData")}</p>
              ))}
            </section>
          </li>
        );
      })}
    </ol>
  );
}
