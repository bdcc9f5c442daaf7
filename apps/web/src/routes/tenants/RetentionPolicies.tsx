import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import type { CombinedError } from "urql";
import { DataTable } from "../../components/DataTable";
import { ErrorMessage } from "../../components/ErrorMessage";
import { RelativeTime } from "../../components/RelativeTime";

export interface RetentionPolicyRow {
  /** null: every template of the tenant */
  templateKey: string | null;
  afterDays: number;
  updatedAt: string;
  updatedBy: { name: string };
}

export interface RetentionPoliciesProps {
  tenantName: string;
  policies: readonly RetentionPolicyRow[];
  /** The template keys a policy may name */
  templateKeys: readonly string[];
  busy: boolean;
  error: CombinedError | undefined;
  onSet: (templateKey: string | null, afterDays: number) => void;
  onRemove: (templateKey: string | null) => void;
}

const EVERY_TEMPLATE = "";
const MAX_DAYS = 36_500;

/** How long a tenant's finished workflows keep their personal data and files: its policies
 * (for every template, or for one), set and removed here. */
export function RetentionPolicies({ tenantName, policies, templateKeys, busy, error, onSet, onRemove }: RetentionPoliciesProps) {
  const { t } = useTranslation("tenants");
  const id = useId();
  const [templateKey, setTemplateKey] = useState(EVERY_TEMPLATE);
  const [days, setDays] = useState("");
  const [invalid, setInvalid] = useState(false);
  const templateLabel = (key: string | null) => (key === null ? t("retention.everyTemplate") : key);
  return (
    <section aria-labelledby={`${id}-title`} className="retention">
      <h2 id={`${id}-title`}>{t("retention.title")}</h2>
      <p className="hint">{t("retention.intro")}</p>
      <DataTable
        caption={t("retention.caption", { tenant: tenantName })}
        captionHidden
        rows={policies}
        rowKey={(policy) => policy.templateKey ?? EVERY_TEMPLATE}
        emptyText={t("retention.none")}
        columns={[
          { key: "template", header: t("retention.columns.template"), cell: (policy) => templateLabel(policy.templateKey) },
          { key: "days", header: t("retention.columns.afterDays"), align: "end", cell: (policy) => t("retention.days", { count: policy.afterDays }) },
          {
            key: "updated",
            header: t("columns.updated"),
            cell: (policy) => (
              <>
                <RelativeTime value={policy.updatedAt} /> <span className="reason">{policy.updatedBy.name}</span>
              </>
            ),
          },
          {
            key: "actions",
            header: t("columns.actions"),
            cell: (policy) => (
              <div className="row-actions">
                <button
                  type="button"
                  className="danger"
                  disabled={busy}
                  aria-label={t("retention.removeLabel", { template: templateLabel(policy.templateKey) })}
                  onClick={() => {
                    onRemove(policy.templateKey);
                  }}
                >
                  {t("retention.remove")}
                </button>
              </div>
            ),
          },
        ]}
      />
      <form
        className="filter-bar retention-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          const afterDays = Number(days);
          const valid = Number.isInteger(afterDays) && afterDays >= 1 && afterDays <= MAX_DAYS;
          setInvalid(!valid);
          if (valid) onSet(templateKey === EVERY_TEMPLATE ? null : templateKey, afterDays);
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-template`}>{t("retention.columns.template")}</label>
          <select
            id={`${id}-template`}
            value={templateKey}
            onChange={(event) => {
              setTemplateKey(event.target.value);
            }}
          >
            <option value={EVERY_TEMPLATE}>{t("retention.everyTemplate")}</option>
            {templateKeys.map((key) => (
              <option key={key} value={key}>
                {key}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-days`}>{t("retention.columns.afterDays")}</label>
          <input
            id={`${id}-days`}
            type="number"
            inputMode="numeric"
            min={1}
            max={MAX_DAYS}
            value={days}
            aria-invalid={invalid || undefined}
            aria-describedby={invalid ? `${id}-days-error` : undefined}
            onChange={(event) => {
              setDays(event.target.value);
            }}
          />
        </div>
        <button type="submit" className="primary" disabled={busy}>
          {t("retention.set")}
        </button>
      </form>
      {invalid && (
        <p id={`${id}-days-error`} className="field-error">
          {t("retention.invalidDays", { max: MAX_DAYS })}
        </p>
      )}
      <ErrorMessage error={error} />
    </section>
  );
}
