import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { StepStatus } from "../../../graphql/enums";

export interface StepItem {
  id: string;
  title: string;
  status: StepStatus;
}

/** The workflow's steps in order, each with its status in words; the shown one marked. */
export function StepList({ steps, shownId }: { steps: readonly StepItem[]; shownId: string | null }) {
  const { t } = useTranslation("portal");
  return (
    <nav aria-label={t("page.stepsLabel")} className="step-list">
      <ol>
        {steps.map((step, index) => (
          <li key={step.id} className={`step-item step-${step.status.toLowerCase()}`}>
            <Link to={`?step=${encodeURIComponent(step.id)}`} aria-current={step.id === shownId ? "step" : undefined}>
              <span className="step-number" aria-hidden="true">
                {index + 1}
              </span>
              <span className="step-title">{step.title}</span>
              <span className="step-status">{t(`page.stepStatus.${step.status}`)}</span>
            </Link>
          </li>
        ))}
      </ol>
    </nav>
  );
}
