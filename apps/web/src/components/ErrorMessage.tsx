import { useTranslation } from "react-i18next";
import type { CombinedError } from "urql";
import { problemsOf, type ApiProblem } from "../graphql/errors";

function Problem({ problem }: { problem: ApiProblem }) {
  const { t } = useTranslation();
  const { code, extensions } = problem;
  const retryAfter = extensions.retryAfterSeconds;
  const headline =
    code === "RATE_LIMITED" && typeof retryAfter === "number"
      ? t("errors.RATE_LIMITED_retry", { seconds: retryAfter })
      : t(`errors.${code}`);
  // the server's words add what the code cannot say (which role, which step, why);
  // an internal error's words are generic, a network error's are the browser's; the
  // reasons of the checks that refused say more than their names in the message
  const detail =
    code === "INTERNAL" || code === "NETWORK" || problem.message === "" || problem.failedGates.length > 0
      ? null
      : problem.message;
  const requestId = extensions.requestId;
  return (
    <div className="problem" data-code={code}>
      <p className="problem-headline">{headline}</p>
      {detail !== null && <p className="problem-detail">{detail}</p>}
      {problem.failedGates.length > 0 && (
        <ul aria-label={t("errors.failedGatesLabel")}>
          {problem.failedGates.map((gate) => (
            <li key={gate.gate}>
              {gate.reason} <span className="problem-gate">({gate.gate})</span>
            </li>
          ))}
        </ul>
      )}
      {problem.fields.length > 0 && (
        <ul aria-label={t("errors.fieldsLabel")}>
          {problem.fields.map((field) => {
            const path = field.path.join(".");
            return (
              <li key={`${path}:${field.message}`}>
                <code>{path === "" ? t("errors.wholeInput") : path}</code> {field.message}
              </li>
            );
          })}
        </ul>
      )}
      {typeof requestId === "string" && <p className="problem-detail">{t("errors.reference", { requestId })}</p>}
    </div>
  );
}

/** What went wrong, in the user's language, by the API's `extensions.code`: the field
 * paths of a validation failure, the reasons of the checks that refused (GATE_FAILED), the
 * wait of a rate limit, the server's own explanation. */
export function ErrorMessage({ error }: { error: CombinedError | null | undefined }) {
  const problems = problemsOf(error);
  if (problems.length === 0) return null;
  return (
    <div role="alert" className="error-message">
      {problems.map((problem, index) => (
        <Problem key={`${problem.code}:${String(index)}`} problem={problem} />
      ))}
    </div>
  );
}
