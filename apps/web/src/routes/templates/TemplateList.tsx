import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { useQuery } from "urql";
import { DataTable } from "../../components/DataTable";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { graphql } from "../../graphql";
import type { TemplateListQuery } from "../../graphql/graphql";
import { formatDateTime } from "../../i18n/format";
import "../../styles/templates.css";
import { PublishForm } from "./PublishForm";
import { TemplateStatus } from "./TemplateStatus";
import { templatePath, usePublishTemplate } from "./usePublishTemplate";

const TemplateListQueryDocument = graphql(`
  query TemplateList($includeDeprecated: Boolean!) {
    templates(includeDeprecated: $includeDeprecated) {
      ...TemplateSummary
    }
  }
`);

type Template = TemplateListQuery["templates"][number];

/** Templates grouped by key, the base first, then by market role. */
export function byKey(templates: readonly Template[]): [string, Template[]][] {
  const groups = new Map<string, Template[]>();
  for (const template of templates) groups.set(template.key, [...(groups.get(template.key) ?? []), template]);
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, group]) => [
      key,
      [...group].sort((a, b) => (a.marketRole ?? "").localeCompare(b.marketRole ?? "") || b.version - a.version),
    ]);
}

function TemplateGroup({ templateKey, templates }: { templateKey: string; templates: Template[] }) {
  const { t, i18n } = useTranslation("templates");
  return (
    <DataTable
      caption={t("caption", { key: templateKey })}
      rows={templates}
      rowKey={(template) => template.id}
      emptyText={t("empty")}
      columns={[
        { key: "role", header: t("column.marketRole"), cell: (template) => template.marketRole ?? t("baseRole") },
        {
          key: "name",
          header: t("column.name"),
          cell: (template) => (
            <Link
              to={templatePath(template)}
              aria-label={t("open", {
                key: template.key,
                role: template.marketRole ?? t("baseRole"),
                version: template.version,
              })}
            >
              {template.name}
            </Link>
          ),
        },
        { key: "version", header: t("column.version"), cell: (template) => t("versionLabel", { version: template.version }), align: "end" },
        { key: "status", header: t("column.status"), cell: (template) => <TemplateStatus status={template.status} /> },
        {
          key: "published",
          header: t("column.published"),
          cell: (template) => <time dateTime={template.createdAt}>{formatDateTime(template.createdAt, i18n.language)}</time>,
        },
      ]}
    />
  );
}

/** The console's templates: each key's newest versions by market role, and publishing. */
export function TemplateList() {
  const { t } = useTranslation("templates");
  const [params, setParams] = useSearchParams();
  const includeDeprecated = params.get("deprecated") === "1";
  const [result] = useQuery({ query: TemplateListQueryDocument, variables: { includeDeprecated } });
  const publishing = usePublishTemplate();
  const groups = byKey(result.data?.templates ?? []);
  return (
    <section aria-labelledby="screen-title" className="templates">
      <h1 id="screen-title">{t("listTitle")}</h1>
      <p>{t("listIntro")}</p>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={includeDeprecated}
          onChange={(event) => {
            const next = new URLSearchParams(params);
            if (event.currentTarget.checked) next.set("deprecated", "1");
            else next.delete("deprecated");
            setParams(next);
          }}
        />
        {t("includeDeprecated")}
      </label>
      <ErrorMessage error={result.error} />
      {result.fetching && result.data === undefined && <Loading />}
      {result.data !== undefined && groups.length === 0 && <p>{t("empty")}</p>}
      {groups.map(([key, templates]) => (
        <div key={key} className="template-group">
          <TemplateGroup templateKey={key} templates={templates} />
        </div>
      ))}
      <PublishForm {...publishing} linkTo={templatePath} />
    </section>
  );
}
