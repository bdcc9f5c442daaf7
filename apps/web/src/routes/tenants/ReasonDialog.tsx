import { useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import type { CombinedError } from "urql";
import { ErrorMessage } from "../../components/ErrorMessage";

export interface ReasonDialogProps {
  title: string;
  /** What the action does, said before it is confirmed */
  consequence: string;
  confirmLabel: string;
  /** A reason is required (suspend, archive, terminate) or optional (reactivate a tenant) */
  reasonRequired: boolean;
  danger: boolean;
  error: CombinedError | undefined;
  submitting: boolean;
  onConfirm: (reason: string) => void;
  onCancel: () => void;
}

/** Confirm a change of status, with its reason (kept in the audit trail). */
export function ReasonDialog({
  title,
  consequence,
  confirmLabel,
  reasonRequired,
  danger,
  error,
  submitting,
  onConfirm,
  onCancel,
}: ReasonDialogProps) {
  const { t } = useTranslation("tenants");
  const id = useId();
  const [reason, setReason] = useState("");
  const input = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    input.current?.focus();
  }, []);
  const missing = reasonRequired && reason.trim() === "";
  return (
    <div className="dialog-backdrop">
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-text`}
        className="dialog"
        onKeyDown={(event) => {
          if (event.key === "Escape") onCancel();
        }}
      >
        <h2 id={`${id}-title`}>{title}</h2>
        <p id={`${id}-text`}>{consequence}</p>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (!missing) onConfirm(reason.trim());
          }}
        >
          <div className="field">
            <label htmlFor={`${id}-reason`}>{reasonRequired ? t("reason.required") : t("reason.optional")}</label>
            <textarea
              ref={input}
              id={`${id}-reason`}
              rows={3}
              required={reasonRequired}
              value={reason}
              onChange={(event) => {
                setReason(event.target.value);
              }}
            />
          </div>
          <ErrorMessage error={error} />
          <div className="dialog-actions">
            <button type="submit" className={danger ? "danger" : "primary"} disabled={missing || submitting}>
              {confirmLabel}
            </button>
            <button type="button" onClick={onCancel}>
              {t("reason.cancel")}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
