import { useId, useState, type ChangeEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { CombinedError } from "urql";
import { ErrorMessage } from "../../components/ErrorMessage";
import { hasErrorCode, type FieldProblem } from "../../graphql/errors";
import { readDefinition, type TemplateDefinition } from "./definition";
import { problemsAt, publishProblems } from "./publishProblems";
import { stepElementId, StepGraphView } from "./StepGraphView";
import { useStepGraph } from "./useStepGraph";

export interface PublishedTemplate {
  key: string;
  version: number;
  marketRole: string | null;
}

/** What checking a file found (validateTemplate): publishing would refuse it for `errors` */
export interface TemplateCheck {
  valid: boolean;
  errors: readonly FieldProblem[];
}

export interface PublishFormProps {
  onPublish: (definition: unknown) => void;
  fetching: boolean;
  error: CombinedError | undefined;
  published: PublishedTemplate | null;
  linkTo: (template: PublishedTemplate) => string;
  /** Check the definition as publishing does, publishing nothing */
  onCheck: (definition: unknown) => void;
  checking: boolean;
  checkError: CombinedError | undefined;
  checked: TemplateCheck | null;
}

type ChosenFile =
  | { name: string; state: "reading" }
  | { name: string; state: "notJson"; reason: string }
  | { name: string; state: "notTemplate" }
  | { name: string; state: "ready"; value: unknown; definition: TemplateDefinition };

const GRAPH_ID = "publish";

function read(file: File, done: (chosen: ChosenFile) => void) {
  const reader = new FileReader();
  reader.onload = () => {
    const content = typeof reader.result === "string" ? reader.result : "";
    let value: unknown;
    try {
      value = JSON.parse(content);
    } catch (error) {
      done({ name: file.name, state: "notJson", reason: error instanceof Error ? error.message : String(error) });
      return;
    }
    const definition = readDefinition(value);
    done(definition === null ? { name: file.name, state: "notTemplate" } : { name: file.name, state: "ready", value, definition });
  };
  reader.onerror = () => {
    done({ name: file.name, state: "notJson", reason: reader.error?.message ?? "" });
  };
  reader.readAsText(file);
}

/** "Publish a new version": a JSON file read in the browser, its steps drawn, checked if
 * wished, then sent; the API's objections listed at their paths, linked to the step they concern. */
export function PublishForm({ onPublish, fetching, error, published, linkTo, onCheck, checking, checkError, checked }: PublishFormProps) {
  const { t } = useTranslation("templates");
  const inputId = useId();
  const [chosen, setChosen] = useState<ChosenFile | null>(null);
  // answers belong to the file they were given for: a new file hides the last answer
  const [loads, setLoads] = useState(0);
  const [asked, setAsked] = useState<{ action: "check" | "publish"; loads: number } | null>(null);
  const answered = asked?.action === "publish" && asked.loads === loads && !fetching;
  const checkAnswered = asked?.action === "check" && asked.loads === loads && !checking;
  const definition = chosen?.state === "ready" ? chosen.definition : null;
  const validation = answered && hasErrorCode(error, "VALIDATION_FAILED");
  const checkFailed = checkAnswered && checkError === undefined && checked !== null && !checked.valid;
  const problems = validation ? publishProblems(error, definition) : checkFailed ? problemsAt(checked.errors, definition) : [];
  const problemSteps = new Set(problems.flatMap((problem) => (problem.stepId === null ? [] : [problem.stepId])));
  const graph = useStepGraph(definition);

  function choose(event: ChangeEvent<HTMLInputElement>) {
    const file = event.currentTarget.files?.[0];
    setLoads((count) => count + 1);
    if (file === undefined) {
      setChosen(null);
      return;
    }
    setChosen({ name: file.name, state: "reading" });
    read(file, setChosen);
  }

  return (
    <section aria-labelledby="publish-title" className="publish">
      <h2 id="publish-title">{t("publish.title")}</h2>
      <p>{t("publish.intro")}</p>
      <div className="field">
        <label htmlFor={inputId}>{t("publish.file")}</label>
        <input id={inputId} type="file" accept="application/json,.json" onChange={choose} />
      </div>
      {chosen?.state === "reading" && <p role="status">{t("publish.reading", { file: chosen.name })}</p>}
      {chosen?.state === "notJson" && (
        <p role="alert" className="error-message">
          {t("publish.notJson", { file: chosen.name, reason: chosen.reason })}
        </p>
      )}
      {chosen?.state === "notTemplate" && (
        <p role="alert" className="error-message">
          {t("publish.notTemplate", { file: chosen.name })}
        </p>
      )}
      {chosen?.state === "ready" && (
        <>
          <p>
            {t("publish.summary", {
              file: chosen.name,
              key: chosen.definition.key ?? "?",
              count: chosen.definition.steps.length,
            })}
          </p>
          <div className="publish-actions">
            <button
              type="button"
              disabled={fetching || checking}
              onClick={() => {
                setAsked({ action: "check", loads });
                onCheck(chosen.value);
              }}
            >
              {checking ? t("publish.checking") : t("publish.check")}
            </button>
            <button
              type="button"
              className="primary"
              disabled={fetching || checking}
              onClick={() => {
                setAsked({ action: "publish", loads });
                onPublish(chosen.value);
              }}
            >
              {fetching ? t("publish.busy") : t("publish.button")}
            </button>
          </div>
        </>
      )}
      {checkAnswered && checkError === undefined && checked?.valid === true && chosen?.state === "ready" && (
        <p role="status" className="success-message">
          {t("publish.checkedValid", { file: chosen.name })}
        </p>
      )}
      {answered && published !== null && error === undefined && (
        <p role="status" className="success-message">
          {t("publish.published", {
            key: published.key,
            version: published.version,
            role: published.marketRole ?? t("baseRole"),
          })}{" "}
          <Link to={linkTo(published)}>{t("publish.openPublished")}</Link>
        </p>
      )}
      {(validation || checkFailed) && (
        <div role="alert" className="error-message">
          <p className="problem-headline">{validation ? t("publish.problemsIntro") : t("publish.checkProblemsIntro")}</p>
          <ul aria-label={t("publish.problems")} className="publish-problems">
            {problems.map((problem) => {
              const path = <code>{problem.path === "" ? t("publish.wholeFile") : problem.path}</code>;
              return (
                <li key={`${problem.path}:${problem.message}`}>
                  {problem.stepId === null ? path : <a href={`#${stepElementId(GRAPH_ID, problem.stepId)}`}>{path}</a>}{" "}
                  {problem.message}
                </li>
              );
            })}
          </ul>
        </div>
      )}
      {answered && !validation && <ErrorMessage error={error} />}
      {checkAnswered && <ErrorMessage error={checkError} />}
      {chosen?.state === "ready" && graph !== null && (
        <StepGraphView
          graph={graph}
          caption={t("publish.preview", { file: chosen.name })}
          idPrefix={GRAPH_ID}
          problemSteps={problemSteps}
          problemText={(step) => t("publish.problemStep", { step })}
        />
      )}
    </section>
  );
}
