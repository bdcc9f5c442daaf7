import { useTranslation } from "react-i18next";
import { formatDateTime } from "../../i18n/format";

export interface DataSubjectFacts {
  id: string;
  /** How many workflows name the person */
  workflowCount: number;
  /** When their personal data was erased (null: it is held) */
  erasedAt: string | null;
}

export interface DataSubjectCardProps {
  subject: DataSubjectFacts;
  email: string;
  tenantName: string;
  busy: boolean;
  onExport: () => void;
  onErase: () => void;
}

/** What is held about one person: in how many workflows, erased or not; export it, erase it. */
export function DataSubjectCard({ subject, email, tenantName, busy, onExport, onErase }: DataSubjectCardProps) {
  const { t, i18n } = useTranslation("privacy");
  return (
    <section aria-labelledby="subject-title" className="data-subject">
      <h2 id="subject-title">{t("subject.title", { email, tenant: tenantName })}</h2>
      <dl className="facts">
        <dt>{t("subject.id")}</dt>
        <dd>
          <code>{subject.id}</code>
        </dd>
        <dt>{t("subject.workflows")}</dt>
        <dd>{t("workflowCount", { count: subject.workflowCount })}</dd>
        <dt>{t("subject.personalData")}</dt>
        <dd>
          {subject.erasedAt === null ? (
            <span className="badge subject-held">{t("subject.held")}</span>
          ) : (
            <span className="badge subject-erased">{t("subject.erased", { when: formatDateTime(subject.erasedAt, i18n.language) })}</span>
          )}
        </dd>
      </dl>
      <div className="status-actions">
        <button type="button" className="primary" disabled={busy} onClick={onExport}>
          {busy ? t("export.exporting") : t("export.button")}
        </button>
        {subject.erasedAt === null && (
          <button type="button" className="danger" disabled={busy} onClick={onErase}>
            {t("erase.button")}
          </button>
        )}
      </div>
    </section>
  );
}
