import Form from "@rjsf/core";
import type { ErrorSchema, RJSFSchema, RJSFValidationError } from "@rjsf/utils";
import { useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { apiErrorSchema, localizedErrors } from "../../../forms/errors";
import type { StepFiles, StepFormContext } from "../../../forms/FileField";
import { withFileFields } from "../../../forms/fileFields";
import { STEP_FIELDS } from "../../../forms/StepForm";
import { useErrorsInLanguage } from "../../../forms/useErrorsInLanguage";
import { stepValidator } from "../../../forms/validator";
import type { FieldProblem } from "../../../graphql/errors";

type StepData = Record<string, unknown>;

function isRecord(value: unknown): value is StepData {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The API's field problems as rjsf's error schema: `["contact", "email"]` → contact.email.__errors. */
export function errorSchemaOf(problems: readonly FieldProblem[]): ErrorSchema<StepData> {
  return apiErrorSchema(problems);
}

export interface StepFormProps {
  /** The step's JSON Schema (`template.steps[].schema`) */
  schema: unknown;
  /** What the step holds already (a form sent back for correction) */
  initialData: unknown;
  /** The API's field problems, paths relative to the step data */
  problems?: readonly FieldProblem[];
  busy?: boolean;
  submitLabel?: string;
  /** The step takes files: how to upload them, and the workflow's files already there */
  files?: StepFiles;
  onSubmit: (data: StepData) => void;
}

const NO_PROBLEMS: readonly FieldProblem[] = [];

/** A step's form, rendered from its JSON Schema; the data goes to `executeStep`. The browser
 * checks it against the schema first (without eval: the CSP forbids it), as the person types
 * once they tried to send it; the API's own checks come back at their fields. */
export function StepForm({ schema, initialData, problems = NO_PROBLEMS, busy = false, submitLabel, files, onSubmit }: StepFormProps) {
  const { t } = useTranslation("workflows");
  // the validation messages are the step forms' own, shared with the portal
  const { t: formText } = useTranslation("portal");
  const rjsfSchema = useMemo<RJSFSchema>(() => (isRecord(schema) ? schema : { type: "object" }), [schema]);
  const uiSchema = useMemo(() => withFileFields(rjsfSchema), [rjsfSchema]);
  const formContext = useMemo<StepFormContext>(() => ({ files }), [files]);
  const [data, setData] = useState<StepData>(() => (isRecord(initialData) ? initialData : {}));
  const [triedToSend, setTriedToSend] = useState(false);
  const form = useRef<Form<StepData, RJSFSchema, StepFormContext>>(null);
  useErrorsInLanguage(form, triedToSend);
  const extraErrors = useMemo(() => errorSchemaOf(problems), [problems]);
  return (
    <div className="step-form">
      <Form<StepData, RJSFSchema, StepFormContext>
        ref={form}
        schema={rjsfSchema}
        uiSchema={uiSchema}
        fields={STEP_FIELDS}
        formContext={formContext}
        validator={stepValidator}
        formData={data}
        extraErrors={extraErrors}
        showErrorList={false}
        noHtml5Validate
        liveValidate={triedToSend ? "onChange" : undefined}
        transformErrors={(errors: RJSFValidationError[]) => localizedErrors(errors, formText)}
        disabled={busy}
        onChange={({ formData }) => {
          setData(formData ?? {});
        }}
        onError={() => {
          setTriedToSend(true);
        }}
        onSubmit={({ formData }) => {
          onSubmit(formData ?? {});
        }}
      >
        <div className="form-buttons">
          <button type="submit" className="primary" disabled={busy}>
            {submitLabel ?? t("steps.execute")}
          </button>
        </div>
      </Form>
    </div>
  );
}
