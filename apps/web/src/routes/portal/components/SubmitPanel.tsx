import { useTranslation } from "react-i18next";
import type { CheckProblem, WorkflowCheck } from "../../workflows/validation";

export interface SubmitPanelProps {
  /** null: not checked yet */
  check: WorkflowCheck | null;
  checking: boolean;
  submitting: boolean;
  onCheck: () => void;
  onSubmit: () => void;
}

function problemKey(problem: CheckProblem): string {
  return `${problem.path.join(".")}:${problem.message}`;
}

/** The end of the workflow: check what is missing (validateWorkflow), then submit. */
export function SubmitPanel({ check, checking, submitting, onCheck, onSubmit }: SubmitPanelProps) {
  const { t } = useTranslation("portal");
  return (
    <section aria-labelledby="submit-title" className="panel">
      <h2 id="submit-title">{t("page.submitTitle")}</h2>
      <p>{t("page.submitIntro")}</p>
      {check &&
        (check.valid ? (
          <p role="status" className="notice ok">
            {t("page.valid")}
          </p>
        ) : (
          <div role="alert" className="error-message">
            <p className="problem-headline">{t("page.missing")}</p>
            <ul>
              {check.steps.map((step) => (
                <li key={step.id}>
                  <a href={`?step=${encodeURIComponent(step.id)}`}>{t("page.missingStep", { step: step.title })}</a>
                  {step.problems.length > 0 && (
                    <ul>
                      {step.problems.map((problem) => (
                        <li key={problemKey(problem)}>
                          <code>{problem.path.join(".")}</code> {problem.message}
                        </li>
                      ))}
                    </ul>
                  )}
                </li>
              ))}
              {check.submissionProblems.map((problem) => (
                <li key={problemKey(problem)}>
                  {problem.path.length > 0 && (
                    <>
                      <code>{problem.path.join(".")}</code>{" "}
                    </>
                  )}
                  {problem.message}
                </li>
              ))}
            </ul>
          </div>
        ))}
      <div className="form-actions">
        <button type="button" className="secondary" disabled={checking} onClick={onCheck}>
          {checking ? t("page.checking") : t("page.check")}
        </button>
        <button className="primary" type="button" disabled={submitting || check?.valid === false} onClick={onSubmit}>
          {submitting ? t("page.submitting") : t("page.submit")}
        </button>
      </div>
    </section>
  );
}
