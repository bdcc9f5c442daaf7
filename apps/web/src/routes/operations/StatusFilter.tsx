import { useId } from "react";
import { useTranslation } from "react-i18next";

export interface StatusFilterProps<Status extends string> {
  /** What is filtered, like "Job status" */
  filterLabel: string;
  statuses: readonly Status[];
  /** null: every status */
  value: Status | null;
  label: (status: Status) => string;
  onChange: (status: Status | null) => void;
}

/** A list's status filter: one status, or all. */
export function StatusFilter<Status extends string>({ filterLabel, statuses, value, label, onChange }: StatusFilterProps<Status>) {
  const { t } = useTranslation("operations");
  const id = useId();
  return (
    <div className="field inline-field">
      <label htmlFor={id}>{filterLabel}</label>
      <select
        id={id}
        value={value ?? ""}
        onChange={(event) => {
          const chosen = event.currentTarget.value;
          onChange(statuses.find((status) => status === chosen) ?? null);
        }}
      >
        <option value="">{t("all")}</option>
        {statuses.map((status) => (
          <option key={status} value={status}>
            {label(status)}
          </option>
        ))}
      </select>
    </div>
  );
}
