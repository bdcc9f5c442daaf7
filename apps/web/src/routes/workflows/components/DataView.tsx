import { useTranslation } from "react-i18next";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function Scalar({ value }: { value: unknown }) {
  const { t } = useTranslation("workflows");
  if (value === null || value === undefined || value === "") return <span className="data-empty">{t("data.empty")}</span>;
  if (typeof value === "boolean") return <>{value ? t("data.yes") : t("data.no")}</>;
  if (typeof value === "string" || typeof value === "number" || typeof value === "bigint") return <>{String(value)}</>;
  return <code>{JSON.stringify(value)}</code>;
}

/** Step data as a person reads it: a term and its value for each field, nested objects
 * as nested lists of terms, lists as numbered lists. Read-only. */
export function DataView({ value, label }: { value: unknown; label?: string }) {
  const { t } = useTranslation("workflows");
  if (Array.isArray(value)) {
    if (value.length === 0) return <span className="data-empty">{t("data.emptyList")}</span>;
    return (
      <ol className="data-list" aria-label={label}>
        {(value as unknown[]).map((item, index) => (
          // the items have no identity of their own: their place is their key
          <li key={index}>
            <DataView value={item} />
          </li>
        ))}
      </ol>
    );
  }
  if (isRecord(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return <span className="data-empty">{t("data.empty")}</span>;
    return (
      <dl className="data-view" aria-label={label}>
        {entries.map(([key, item]) => (
          <div key={key} className="data-entry">
            <dt>{key}</dt>
            <dd>
              <DataView value={item} />
            </dd>
          </div>
        ))}
      </dl>
    );
  }
  return <Scalar value={value} />;
}

/** A one-line summary of an event's data: its first fields, shortened. */
export function summarizeData(data: unknown, limit = 100): string {
  if (data === null || data === undefined) return "";
  if (!isRecord(data)) return JSON.stringify(data).slice(0, limit);
  const parts = Object.entries(data).map(([key, value]) => {
    if (isRecord(value)) return `${key}: {${String(Object.keys(value).length)}}`;
    if (Array.isArray(value)) return `${key}: [${String(value.length)}]`;
    return `${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`;
  });
  const text = parts.join(", ");
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}
