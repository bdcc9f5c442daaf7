import Form, { type IChangeEvent } from "@rjsf/core";
import {
  englishStringTranslator,
  TranslatableString,
  type Field,
  type RegistryFieldsType,
  type RJSFSchema,
  type RJSFValidationError,
} from "@rjsf/utils";
import { useMemo, useRef, useState } from "react";
import { flushSync } from "react-dom";
import { useTranslation } from "react-i18next";
import type { FieldProblem } from "../graphql/errors";
import { arrayButtons } from "./arrayButtons";
import { apiErrorSchema, fieldIdOf, localizedErrors } from "./errors";
import { FILE_FIELD, FileField, type StepFiles, type StepFormContext } from "./FileField";
import { withFileFields } from "./fileFields";
import { labelledUi } from "./labels";
import { useErrorsInLanguage } from "./useErrorsInLanguage";
import { stepValidator } from "./validator";

export type StepData = Record<string, unknown>;

const NO_PROBLEMS: readonly FieldProblem[] = [];
const STEP_TEMPLATES = { ButtonTemplates: arrayButtons<StepData, RJSFSchema, StepFormContext>() };
// rjsf's words on a list's buttons, in the person's language
const BUTTON_WORDS: Partial<
  Record<TranslatableString, "form.addItem" | "form.removeItem" | "form.moveUp" | "form.moveDown" | "form.copyItem">
> = {
  [TranslatableString.AddItemButton]: "form.addItem",
  [TranslatableString.AddButton]: "form.addItem",
  [TranslatableString.RemoveButton]: "form.removeItem",
  [TranslatableString.MoveUpButton]: "form.moveUp",
  [TranslatableString.MoveDownButton]: "form.moveDown",
  [TranslatableString.CopyButton]: "form.copyItem",
};

/** The step forms' own fields (a `format: "file-id"` property: ./fileFields.ts); rjsf types
 * every field with the whole form's data, a field gets its own value */
export const STEP_FIELDS: RegistryFieldsType<StepData, RJSFSchema, StepFormContext> = {
  [FILE_FIELD]: FileField as Field<StepData, RJSFSchema, StepFormContext>,
};

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
  /** The step takes files: how to upload them, and the workflow's files already there */
  files?: StepFiles;
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
  files,
  onChange,
  onSave,
  onContinue,
}: StepFormProps) {
  const { t } = useTranslation("portal");
  const form = useRef<Form<StepData, RJSFSchema, StepFormContext>>(null);
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
    () => ({ ...withFileFields(schema, labelledUi(schema, t)), "ui:submitButtonOptions": { norender: true } }),
    [schema, t],
  );
  const extraErrors = useMemo(
    () =>
      apiErrorSchema(
        problems.filter((problem) => !editedSinceProblems.has(fieldIdOf(problem.path.join("."), idPrefix))),
      ),
    [problems, editedSinceProblems, idPrefix],
  );

  const formContext = useMemo<StepFormContext>(() => ({ files }), [files]);

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
    <Form<StepData, RJSFSchema, StepFormContext>
      ref={form}
      className="step-form"
      schema={schema}
      uiSchema={uiSchema}
      fields={STEP_FIELDS}
      formContext={formContext}
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
      templates={STEP_TEMPLATES}
      translateString={(text, params) => {
        const words = BUTTON_WORDS[text];
        return words ? t(words) : englishStringTranslator(text, params);
      }}
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
