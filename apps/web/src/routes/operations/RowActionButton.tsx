export interface RowActionButtonProps {
  label: string;
  /** The button's accessible name, naming the row it acts on */
  accessibleName: string;
  busyLabel: string;
  busy: boolean;
  /** Why the action is not possible for this row; null: it is */
  unavailable: string | null;
  onClick: () => void;
}

/** Retry, Replay: one action on one row, disabled (with the reason) when the row does not
 * allow it, and while it runs. */
export function RowActionButton({ label, accessibleName, busyLabel, busy, unavailable, onClick }: RowActionButtonProps) {
  return (
    <button
      type="button"
      aria-label={accessibleName}
      title={unavailable ?? undefined}
      disabled={busy || unavailable !== null}
      aria-busy={busy}
      onClick={onClick}
    >
      {busy ? busyLabel : label}
    </button>
  );
}
