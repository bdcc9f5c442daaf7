import { useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import type { CombinedError } from "urql";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";

export interface Assignable {
  id: string;
  email: string;
  displayName: string | null;
}

export interface AssignDialogProps {
  /** What is being assigned, in words: "Company information · Kempen Balancing BV" */
  itemLabel: string;
  people: readonly Assignable[];
  fetching: boolean;
  /** The people could not be listed, or the API refused the assignment */
  error: CombinedError | undefined;
  submitting: boolean;
  onAssign: (userId: string) => void;
  onCancel: () => void;
}

/** "Assign to…": one of market operations' people, chosen from a list. */
export function AssignDialog({ itemLabel, people, fetching, error, submitting, onAssign, onCancel }: AssignDialogProps) {
  const { t } = useTranslation("work");
  const titleId = useId();
  const [chosen, setChosen] = useState<string | null>(null);
  const dialog = useRef<HTMLDivElement>(null);
  useEffect(() => {
    dialog.current?.focus();
  }, []);
  return (
    <div className="dialog-backdrop">
      <div
        ref={dialog}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
        className="dialog"
        onKeyDown={(event) => {
          if (event.key === "Escape") onCancel();
        }}
      >
        <h2 id={titleId}>{t("assignDialog.title", { item: itemLabel })}</h2>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (chosen !== null) onAssign(chosen);
          }}
        >
          {fetching ? (
            <Loading />
          ) : people.length === 0 ? (
            <p>{t("assignDialog.nobody")}</p>
          ) : (
            <fieldset className="people">
              <legend>{t("assignDialog.legend")}</legend>
              {people.map((person) => (
                <label key={person.id} className="person">
                  <input
                    type="radio"
                    name="assignee"
                    value={person.id}
                    checked={chosen === person.id}
                    onChange={() => {
                      setChosen(person.id);
                    }}
                  />
                  <span>
                    {person.displayName ?? person.email}
                    {person.displayName !== null && <span className="muted"> · {person.email}</span>}
                  </span>
                </label>
              ))}
            </fieldset>
          )}
          <ErrorMessage error={error} />
          <div className="dialog-actions">
            <button type="submit" className="primary" disabled={chosen === null || submitting}>
              {t("assignDialog.confirm")}
            </button>
            <button type="button" onClick={onCancel}>
              {t("assignDialog.cancel")}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
