import Form from "@rjsf/core";
import type { ErrorSchema, RJSFSchema, ValidatorType } from "@rjsf/utils";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import type { FieldProblem } from "../../../graphql/errors";

type StepData = Record<string, unknown>;

/** The API validates step data (JSON Schema and the domain's checks) and answers field
 * paths; in the browser, compiled validators would need `eval`, which the CSP forbids. */
const serverSideValidator: ValidatorType<StepData> = {
  validateFormData: () => ({ errors: [], errorSchema: {} }),
  isValid: () => true,
  rawValidation: () => ({ errors: [] }),
};

function isRecord(value: unknown): value is StepData {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The API's field problems as rjsf's error schema: `["contact", "email"]` → contact.email.__errors. */
export function errorSchemaOf(problems: readonly FieldProblem[]): ErrorSchema<StepData> {
  const root: Record<string, unknown> = {};
  for (const problem of problems) {
    let node = root;
    for (const part of problem.path) {
      const key = String(part);
      const child = node[key];
      const next: Record<string, unknown> = isRecord(child) ? child : {};
      node[key] = next;
      node = next;
    }
    const existing = node.__errors;
    node.__errors = [...(Array.isArray(existing) ? (existing as string[]) : []), problem.message];
  }
  return root as ErrorSchema<StepData>;
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
  onSubmit: (data: StepData) => void;
}

const NO_PROBLEMS: readonly FieldProblem[] = [];

/** A step's form, rendered from its JSON Schema; the data goes to `executeStep`. */
export function StepForm({ schema, initialData, problems = NO_PROBLEMS, busy = false, submitLabel, onSubmit }: StepFormProps) {
  const { t } = useTranslation("workflows");
  const rjsfSchema = useMemo<RJSFSchema>(() => (isRecord(schema) ? schema : { type: "object" }), [schema]);
  const [data, setData] = useState<StepData>(() => (isRecord(initialData) ? initialData : {}));
  const extraErrors = useMemo(() => errorSchemaOf(problems), [problems]);
  return (
    <div className="step-form">
      <Form<StepData>
        schema={rjsfSchema}
        validator={serverSideValidator}
        formData={data}
        extraErrors={extraErrors}
        showErrorList={false}
        disabled={busy}
        onChange={({ formData }) => {
          setData(formData ?? {});
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
