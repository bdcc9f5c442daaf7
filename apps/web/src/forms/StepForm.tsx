import Form, { type IChangeEvent } from "@rjsf/core";
import { englishStringTranslator, TranslatableString, type RJSFSchema, type RJSFValidationError } from "@rjsf/utils";
import { useMemo, useRef, useState } from "react";
import { flushSync } from "react-dom";
import { useTranslation } from "react-i18next";
import type { FieldProblem } from "../graphql/errors";
import { apiErrorSchema, fieldIdOf, localizedErrors } from "./errors";
import { labelledUi } from "./labels";
import { useErrorsInLanguage } from "./useErrorsInLanguage";
import { stepValidator } from "./validator";

export type StepData = Record<string, unknown>;

const NO_PROBLEMS: readonly FieldProblem[] = [];

export interface StepFormProps {
  /** The step's JSON Schema */
  schema: RJSFSchema;
  data: StepData;
  /** Its fields' ids start with this (two forms on a page: two prefixes) */
  idPrefix?: string;
  /** A completed step: shown, not editable, no buttons */
  readOnly?: boolean;
  /** A request is under way: the buttons wait */
  busy?: boolean;
  /** The API's problems with the data last sent, shown at their fields until edited */
  apiProblems?: readonly FieldProblem[];
  onChange?: (data: StepData) => void;
  /** Keep the data without sending it (absent: no Save button) */
  onSave?: (data: StepData) => void;
  /** The data is valid for the schema: send it */
  onContinue?: (data: StepData) => void;
}

/** A step's form from its JSON Schema (rjsf), validated as the person types: the fields they
 * touched at once, every field once they try to continue; the API's own checks at their fields. */
export function StepForm({
  schema,
  data,
  idPrefix = "root",
  readOnly = false,
  busy = false,
  apiProblems = NO_PROBLEMS,
  onChange,
  onSave,
  onContinue,
}: StepFormProps) {
  const { t } = useTranslation("portal");
  const form = useRef<Form<StepData>>(null);
  // the errors shown follow a change of language at once, not at the next keystroke
  const { revalidating } = useErrorsInLanguage(form, !readOnly);
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [showEveryError, setShowEveryError] = useState(false);
  // the API's problems stay until the field they name is edited again
  const [problems, setProblems] = useState(apiProblems);
  const [editedSinceProblems, setEditedSinceProblems] = useState<ReadonlySet<string>>(new Set());
  if (problems !== apiProblems) {
    setProblems(apiProblems);
    setEditedSinceProblems(new Set());
  }

  const uiSchema = useMemo(
    () => ({ ...labelledUi(schema, t), "ui:submitButtonOptions": { norender: true } }),
    [schema, t],
  );
  const extraErrors = useMemo(
    () =>
      apiErrorSchema(
        problems.filter((problem) => !editedSinceProblems.has(fieldIdOf(problem.path.join("."), idPrefix))),
      ),
    [problems, editedSinceProblems, idPrefix],
  );

  function transformErrors(errors: RJSFValidationError[]): RJSFValidationError[] {
    if (showEveryError) return localizedErrors(errors, t);
    return localizedErrors(errors, t, (property) => {
      const id = fieldIdOf(property, idPrefix);
      // a field counts as touched when it, or a list it belongs to, was edited
      return [...touched].some((touchedId) => id === touchedId || id.startsWith(`${touchedId}_`));
    });
  }

  function changed(event: IChangeEvent<StepData>, id?: string) {
    if (id !== undefined) {
      setTouched((previous) => new Set(previous).add(id));
      setEditedSinceProblems((previous) => new Set(previous).add(id));
    }
    onChange?.(event.formData ?? {});
  }

  return (
    <Form<StepData>
      ref={form}
      className="step-form"
      schema={schema}
      uiSchema={uiSchema}
      formData={data}
      validator={stepValidator}
      idPrefix={idPrefix}
      readonly={readOnly}
      liveValidate="onChange"
      showErrorList={false}
      noHtml5Validate
      focusOnFirstError={(error) => {
        if (!revalidating.current) form.current?.focusOnError(error);
      }}
      transformErrors={transformErrors}
      extraErrors={extraErrors}
      translateString={(text, params) =>
        text === TranslatableString.AddItemButton || text === TranslatableString.AddButton
          ? t("form.addItem")
          : text === TranslatableString.RemoveButton
            ? t("form.removeItem")
            : englishStringTranslator(text, params)
      }
      onChange={changed}
      // the errors are shown at their fields (rjsf would also log them to the console)
      onError={() => undefined}
      onSubmit={(event) => {
        onContinue?.(event.formData ?? {});
      }}
    >
      {readOnly ? (
        <></>
      ) : (
        <div className="form-actions">
          {onSave && (
            <button
              type="button"
              className="secondary"
              disabled={busy}
              onClick={() => {
                onSave(data);
              }}
            >
              {t("form.save")}
            </button>
          )}
          <button
            className="primary"
            type="submit"
            disabled={busy}
            onClick={() => {
              // every error counts from now on: render before rjsf validates the submission
              flushSync(() => {
                setShowEveryError(true);
              });
            }}
          >
            {busy ? t("form.sending") : t("form.continue")}
          </button>
        </div>
      )}
    </Form>
  );
}
