import { useId, useState, type SubmitEvent } from "react";
import { useTranslation } from "react-i18next";
import type { WorkflowAction } from "../../../graphql/enums";
import type { FieldProblem } from "../../../graphql/errors";

/** What a person asks of the workflow, with what each action needs. */
export type WorkflowCommand =
  | { action: "START" }
  | { action: "PAUSE"; reason: string }
  | { action: "RESUME" }
  | { action: "VALIDATE" }
  | { action: "SUBMIT" }
  | { action: "APPROVE"; comment: string }
  | { action: "REJECT"; reason: string; toStepId: string }
  | { action: "ROLLBACK"; toStepId: string }
  | { action: "FAIL"; reason: string }
  | { action: "CANCEL"; reason: string }
  | { action: "RETRY" };

/** The actions this bar offers, in the order shown; EXECUTE_STEP is the step's own form. */
export const BAR_ACTIONS = [
  "START",
  "VALIDATE",
  "SUBMIT",
  "APPROVE",
  "REJECT",
  "PAUSE",
  "RESUME",
  "RETRY",
  "ROLLBACK",
  "FAIL",
  "CANCEL",
] as const satisfies readonly WorkflowAction[];

type BarAction = (typeof BAR_ACTIONS)[number];

/** Actions that run on a click; the others ask for a reason, a comment or a step first. */
const IMMEDIATE: ReadonlySet<BarAction> = new Set(["START", "RESUME", "RETRY", "VALIDATE", "SUBMIT"]);
const DANGEROUS: ReadonlySet<BarAction> = new Set(["REJECT", "ROLLBACK", "FAIL", "CANCEL"]);

export interface TargetStep {
  id: string;
  title: string;
}

export interface ActionBarProps {
  /** What the API says the user may do now (`allowedActions`) */
  allowed: readonly WorkflowAction[];
  /** Steps a rejection may send the workflow back to, in order */
  rejectTargets: readonly TargetStep[];
  /** Steps a rollback may return to (completed ones), in order */
  rollbackTargets: readonly TargetStep[];
  /** An action is under way: every button waits */
  busy?: boolean;
  /** The API's field problems of the last attempt, by input name (reason, toStepId, comment) */
  problems?: readonly FieldProblem[];
  onCommand: (command: WorkflowCommand) => void;
}

interface FieldProps {
  name: string;
  label: string;
  error: string | undefined;
}

function FieldError({ id, error }: { id: string; error: string | undefined }) {
  return error === undefined ? null : (
    <span id={id} className="field-error">
      {error}
    </span>
  );
}

function TextField({ name, label, error, multiline, required }: FieldProps & { multiline?: boolean; required?: boolean }) {
  const id = useId();
  const errorId = `${id}-error`;
  const common = {
    id,
    name,
    "aria-invalid": error !== undefined ? true : undefined,
    "aria-describedby": error !== undefined ? errorId : undefined,
    "aria-required": required === true ? true : undefined,
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {multiline === true ? <textarea rows={3} {...common} /> : <input type="text" {...common} />}
      <FieldError id={errorId} error={error} />
    </div>
  );
}

function StepField({ name, label, error, steps }: FieldProps & { steps: readonly TargetStep[] }) {
  const { t } = useTranslation("workflows");
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        name={name}
        defaultValue=""
        aria-required
        aria-invalid={error !== undefined ? true : undefined}
        aria-describedby={error !== undefined ? errorId : undefined}
      >
        <option value="">{t("actions.chooseStep")}</option>
        {steps.map((step) => (
          <option key={step.id} value={step.id}>
            {step.title}
          </option>
        ))}
      </select>
      <FieldError id={errorId} error={error} />
    </div>
  );
}

type Errors = Partial<Record<"reason" | "toStepId" | "comment", string>>;

/** The form of an action that needs words or a step; null for the immediate ones. */
function commandOf(action: BarAction, form: FormData, t: (key: "actions.reasonRequired" | "actions.stepRequired") => string): WorkflowCommand | Errors {
  const text = (name: string) => {
    const value = form.get(name);
    return typeof value === "string" ? value.trim() : "";
  };
  const reason = text("reason");
  const toStepId = text("toStepId");
  switch (action) {
    case "PAUSE":
      return { action, reason };
    case "APPROVE":
      return { action, comment: text("comment") };
    case "REJECT": {
      const errors: Errors = {};
      if (reason === "") errors.reason = t("actions.reasonRequired");
      if (toStepId === "") errors.toStepId = t("actions.stepRequired");
      return Object.keys(errors).length > 0 ? errors : { action, reason, toStepId };
    }
    case "ROLLBACK":
      return toStepId === "" ? { toStepId: t("actions.stepRequired") } : { action, toStepId };
    case "FAIL":
      return reason === "" ? { reason: t("actions.reasonRequired") } : { action, reason };
    case "CANCEL":
      return reason === "" ? { reason: t("actions.reasonRequired") } : { action, reason };
    case "START":
    case "RESUME":
    case "RETRY":
    case "VALIDATE":
    case "SUBMIT":
      return { action };
  }
}

function isCommand(value: WorkflowCommand | Errors): value is WorkflowCommand {
  return "action" in value;
}

/** The actions the user may take on the workflow now, and only those: each runs at once or
 * opens a short form for what it needs (a reason, a comment, the step to go back to). */
export function ActionBar({ allowed, rejectTargets, rollbackTargets, busy = false, problems = [], onCommand }: ActionBarProps) {
  const { t } = useTranslation("workflows");
  const [open, setOpen] = useState<BarAction | null>(null);
  const [errors, setErrors] = useState<Errors>({});
  const offered = BAR_ACTIONS.filter((action) => allowed.includes(action));
  const formTitleId = useId();

  const apiErrors: Errors = {};
  for (const problem of problems) {
    const field = problem.path[0];
    if (field === "reason" || field === "toStepId" || field === "comment") apiErrors[field] = problem.message;
  }
  const errorOf = (field: keyof Errors) => errors[field] ?? apiErrors[field];

  if (offered.length === 0) return <p className="no-actions">{t("actions.none")}</p>;

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (open === null) return;
    const result = commandOf(open, new FormData(event.currentTarget), t);
    if (isCommand(result)) {
      setErrors({});
      onCommand(result);
    } else {
      setErrors(result);
    }
  };

  return (
    <div className="action-bar">
      <div role="group" aria-label={t("actions.label")} className="action-buttons">
        {offered.map((action) => (
          <button
            key={action}
            type="button"
            disabled={busy}
            aria-expanded={IMMEDIATE.has(action) ? undefined : open === action}
            className={action === "APPROVE" || action === "SUBMIT" ? "primary" : DANGEROUS.has(action) ? "danger" : undefined}
            onClick={() => {
              if (IMMEDIATE.has(action)) {
                const command = commandOf(action, new FormData(), t);
                if (isCommand(command)) onCommand(command);
              } else {
                setErrors({});
                setOpen(open === action ? null : action);
              }
            }}
          >
            {t(`actions.${action}`)}
          </button>
        ))}
      </div>
      {open !== null && offered.includes(open) && (
        <form className="action-form" aria-labelledby={formTitleId} noValidate onSubmit={submit} key={open}>
          <h3 id={formTitleId}>{t(`actions.formTitle.${open}`)}</h3>
          {open === "APPROVE" && <TextField name="comment" label={t("actions.comment")} error={errorOf("comment")} multiline />}
          {(open === "REJECT" || open === "FAIL" || open === "CANCEL") && (
            <TextField name="reason" label={t("actions.reason")} error={errorOf("reason")} multiline required />
          )}
          {open === "PAUSE" && <TextField name="reason" label={t("actions.reasonOptional")} error={errorOf("reason")} />}
          {open === "REJECT" && (
            <StepField name="toStepId" label={t("actions.sendBackTo")} error={errorOf("toStepId")} steps={rejectTargets} />
          )}
          {open === "ROLLBACK" && (
            <StepField name="toStepId" label={t("actions.rollBackTo")} error={errorOf("toStepId")} steps={rollbackTargets} />
          )}
          <div className="form-buttons">
            <button type="submit" className={DANGEROUS.has(open) ? "danger" : "primary"} disabled={busy}>
              {t(`actions.confirm.${open}`)}
            </button>
            <button
              type="button"
              onClick={() => {
                setOpen(null);
                setErrors({});
              }}
            >
              {t("actions.close")}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
