import { useId, type SubmitEvent, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { FILTER_FIELDS, MARKET_ROLES, WORKFLOW_STATUSES, type FilterValues } from "../workflowFilter";

export interface FilterChoices {
  tenants: readonly { id: string; companyName: string }[];
  templateKeys: readonly string[];
  /** People work may be assigned to */
  assignees: readonly { id: string; label: string }[];
}

export interface WorkflowFiltersProps {
  values: FilterValues;
  choices: FilterChoices;
  onApply: (values: FilterValues) => void;
  onClear: () => void;
}

function Select({ name, label, value, children }: { name: keyof FilterValues; label: string; value: string; children: ReactNode }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} name={name} defaultValue={value}>
        {children}
      </select>
    </div>
  );
}

function Input({ name, label, value, type = "text" }: { name: keyof FilterValues; label: string; value: string; type?: "text" | "date" | "search" }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} name={name} type={type} defaultValue={value} />
    </div>
  );
}

/** The list's filters (`WorkflowFilter`): chosen here, applied together, kept in the URL. */
export function WorkflowFilters({ values, choices, onApply, onClear }: WorkflowFiltersProps) {
  const { t } = useTranslation("workflows");
  const { t: tc } = useTranslation();
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const read = (field: keyof FilterValues) => {
      const value = form.get(field);
      return typeof value === "string" ? value : "";
    };
    onApply(Object.fromEntries(FILTER_FIELDS.map((field) => [field, read(field)])) as unknown as FilterValues);
  };
  // a new key when the URL changes: the inputs show what the URL says (back, a shared link)
  const key = FILTER_FIELDS.map((field) => values[field]).join("\u0000");
  return (
    <form key={key} className="workflow-filters" role="search" aria-label={t("filters.label")} onSubmit={submit}>
      <div className="filter-grid">
        <Input name="tenantName" label={t("filters.tenantName")} value={values.tenantName} type="search" />
        <Select name="status" label={t("filters.status")} value={values.status}>
          <option value="">{t("filters.any")}</option>
          {WORKFLOW_STATUSES.map((status) => (
            <option key={status} value={status}>
              {tc(`status.${status}`)}
            </option>
          ))}
        </Select>
        <Select name="marketRole" label={t("filters.marketRole")} value={values.marketRole}>
          <option value="">{t("filters.any")}</option>
          {MARKET_ROLES.map((role) => (
            <option key={role} value={role}>
              {role}
            </option>
          ))}
        </Select>
        <Select name="tenantId" label={t("filters.tenant")} value={values.tenantId}>
          <option value="">{t("filters.any")}</option>
          {choices.tenants.map((tenant) => (
            <option key={tenant.id} value={tenant.id}>
              {tenant.companyName}
            </option>
          ))}
          {values.tenantId !== "" && !choices.tenants.some((tenant) => tenant.id === values.tenantId) && (
            <option value={values.tenantId}>{values.tenantId}</option>
          )}
        </Select>
        <Select name="templateKey" label={t("filters.templateKey")} value={values.templateKey}>
          <option value="">{t("filters.any")}</option>
          {[...new Set([...choices.templateKeys, ...(values.templateKey === "" ? [] : [values.templateKey])])].map((key) => (
            <option key={key} value={key}>
              {key}
            </option>
          ))}
        </Select>
        <Input name="currentStepId" label={t("filters.currentStep")} value={values.currentStepId} />
        <Select name="assigneeId" label={t("filters.assignee")} value={values.assigneeId}>
          <option value="">{t("filters.anyone")}</option>
          {choices.assignees.map((person) => (
            <option key={person.id} value={person.id}>
              {person.label}
            </option>
          ))}
          {values.assigneeId !== "" && !choices.assignees.some((person) => person.id === values.assigneeId) && (
            <option value={values.assigneeId}>{values.assigneeId}</option>
          )}
        </Select>
        <Select name="overdue" label={t("filters.overdue")} value={values.overdue}>
          <option value="">{t("filters.any")}</option>
          <option value="true">{t("filters.overdueOnly")}</option>
          <option value="false">{t("filters.notOverdue")}</option>
        </Select>
        <Input name="createdFrom" label={t("filters.createdFrom")} value={values.createdFrom} type="date" />
        <Input name="createdTo" label={t("filters.createdTo")} value={values.createdTo} type="date" />
        <Input name="updatedFrom" label={t("filters.updatedFrom")} value={values.updatedFrom} type="date" />
        <Input name="updatedTo" label={t("filters.updatedTo")} value={values.updatedTo} type="date" />
      </div>
      <div className="form-buttons">
        <button type="submit" className="primary">
          {t("filters.apply")}
        </button>
        <button type="button" onClick={onClear}>
          {t("filters.clear")}
        </button>
      </div>
    </form>
  );
}
