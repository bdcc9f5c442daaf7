import { useId } from "react";
import { useTranslation } from "react-i18next";
import { MARKET_ROLES, WORK_ITEM_KINDS, type QueueFilters } from "./queueFilters";

export interface QueueFilterBarProps {
  filters: QueueFilters;
  /** work.assign: the "any role" view is offered */
  mayAssign: boolean;
  onChange: (name: keyof QueueFilters, value: string | boolean) => void;
}

/** The queue's filters; each change is applied at once (and kept in the URL by the route). */
export function QueueFilterBar({ filters, mayAssign, onChange }: QueueFilterBarProps) {
  const { t } = useTranslation("work");
  const id = useId();
  const checkbox = (name: "overdue" | "assignedToMe" | "unassigned" | "anyRole") => (
    <label className="check">
      <input
        type="checkbox"
        checked={filters[name]}
        onChange={(event) => {
          onChange(name, event.target.checked);
        }}
      />
      {t(`filters.${name}`)}
    </label>
  );
  return (
    <form
      className="filter-bar"
      aria-label={t("filters.label")}
      onSubmit={(event) => {
        event.preventDefault();
        const value = new FormData(event.currentTarget).get("templateKey");
        onChange("templateKey", typeof value === "string" ? value : "");
      }}
    >
      <div className="field">
        <label htmlFor={`${id}-kind`}>{t("filters.kind")}</label>
        <select
          id={`${id}-kind`}
          value={filters.kind ?? ""}
          onChange={(event) => {
            onChange("kind", event.target.value);
          }}
        >
          <option value="">{t("filters.anyKind")}</option>
          {WORK_ITEM_KINDS.map((kind) => (
            <option key={kind} value={kind}>
              {t(`kind.${kind}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-role`}>{t("filters.marketRole")}</label>
        <select
          id={`${id}-role`}
          value={filters.marketRole ?? ""}
          onChange={(event) => {
            onChange("marketRole", event.target.value);
          }}
        >
          <option value="">{t("filters.anyMarketRole")}</option>
          {MARKET_ROLES.map((role) => (
            <option key={role} value={role}>
              {role}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-template`}>{t("filters.templateKey")}</label>
        <input
          id={`${id}-template`}
          name="templateKey"
          defaultValue={filters.templateKey}
          key={filters.templateKey}
          placeholder="contract-onboarding"
          onBlur={(event) => {
            if (event.target.value.trim() !== filters.templateKey) onChange("templateKey", event.target.value);
          }}
        />
      </div>
      <fieldset className="checks">
        <legend className="visually-hidden">{t("filters.show")}</legend>
        {checkbox("overdue")}
        {checkbox("assignedToMe")}
        {checkbox("unassigned")}
        {mayAssign && checkbox("anyRole")}
      </fieldset>
    </form>
  );
}
