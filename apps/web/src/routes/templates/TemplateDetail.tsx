import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams, useSearchParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { graphql } from "../../graphql";
import type { MarketRole } from "../../graphql/enums";
import { formatDateTime } from "../../i18n/format";
import "../../styles/templates.css";
import { readDefinition } from "./definition";
import { PublishForm } from "./PublishForm";
import { StepGraphView } from "./StepGraphView";
import { StepList } from "./StepList";
import { periodStart, TemplateStatistics, type Period } from "./TemplateStatistics";
import { TemplateStatus } from "./TemplateStatus";
import { templatePath, usePublishTemplate } from "./usePublishTemplate";
import { useStepGraph } from "./useStepGraph";
import { VersionTable, type TemplateVersion } from "./VersionTable";

const TemplateDetailQuery = graphql(`
  query TemplateDetail($key: String!, $version: Int, $marketRole: MarketRole) {
    template(key: $key, version: $version, marketRole: $marketRole) {
      ...TemplateSummary
      description
      definition
    }
    templateVersions(key: $key) {
      id
      version
      marketRole
      status
      createdAt
    }
  }
`);

const TemplateStatisticsQuery = graphql(`
  query TemplateStatistics($key: String!, $since: DateTime) {
    templateStats(key: $key, since: $since) {
      workflows
      slaBreaches
      byStatus {
        status
        count
      }
      duration {
        measured
        p50Seconds
        p90Seconds
        p95Seconds
      }
      steps {
        stepId
        runs
        failed
        failureRate
        slaBreaches
        duration {
          measured
          p50Seconds
          p90Seconds
          p95Seconds
        }
      }
    }
  }
`);

const DeprecateTemplateMutation = graphql(`
  mutation DeprecateTemplate($key: String!, $version: Int!, $marketRole: MarketRole) {
    deprecateTemplate(key: $key, version: $version, marketRole: $marketRole) {
      id
      version
      marketRole
      status
    }
  }
`);

// every market role, checked against the schema's enum by the type
const MARKET_ROLES: Record<MarketRole, true> = { ACH: true, BRP: true, BSP: true, CRM: true, DSO: true, ESP: true, GU: true };

function marketRoleOf(value: string | null): MarketRole | null {
  return (Object.keys(MARKET_ROLES) as MarketRole[]).find((role) => role === value) ?? null;
}

function versionOf(value: string | null): number | null {
  return value !== null && /^\d+$/.test(value) ? Number(value) : null;
}

/** One template: its versions, the step graph of the one shown, its steps, publishing. */
export function TemplateDetail() {
  const { t, i18n } = useTranslation("templates");
  const { key = "" } = useParams();
  const [params] = useSearchParams();
  const marketRole = marketRoleOf(params.get("role"));
  const version = versionOf(params.get("version"));
  const [result] = useQuery({ query: TemplateDetailQuery, variables: { key, version, marketRole } });
  const [deprecation, deprecate] = useMutation(DeprecateTemplateMutation);
  const [deprecating, setDeprecating] = useState<TemplateVersion | null>(null);
  const publishing = usePublishTemplate();
  const [period, setPeriod] = useState<Period>("90d");
  const since = useMemo(() => periodStart(period, new Date()), [period]);
  const [statistics] = useQuery({ query: TemplateStatisticsQuery, variables: { key, since } });

  const template = result.data?.template;
  const definition = useMemo(() => (template ? readDefinition(template.definition) : null), [template]);
  const graph = useStepGraph(definition);

  function onDeprecate(target: TemplateVersion) {
    setDeprecating(target);
    void deprecate({ key, version: target.version, marketRole: target.marketRole });
  }

  const roleName = (role: MarketRole | null) => role ?? t("baseRole");
  return (
    <section aria-labelledby="screen-title" className="templates">
      <p className="breadcrumb">
        <Link to="/console/templates">{t("listTitle")}</Link>
      </p>
      <h1 id="screen-title">
        {template ? `${template.name} — ${t("versionLabel", { version: template.version })}` : t("detailTitle", { key })}
      </h1>
      <ErrorMessage error={result.error} />
      {result.fetching && result.data === undefined && <Loading />}
      {template && (
        <>
          <dl className="template-facts">
            <dt>{t("column.marketRole")}</dt>
            <dd>{roleName(template.marketRole)}</dd>
            <dt>{t("column.status")}</dt>
            <dd>
              <TemplateStatus status={template.status} />
            </dd>
            <dt>{t("column.published")}</dt>
            <dd>
              <time dateTime={template.createdAt}>{formatDateTime(template.createdAt, i18n.language)}</time>
            </dd>
            {template.extends !== null && (
              <>
                <dt>{t("column.extends")}</dt>
                <dd>
                  <code>{template.extends}</code>
                </dd>
              </>
            )}
          </dl>
          {template.description !== null && <p>{template.description}</p>}

          <h2>{t("versions.title")}</h2>
          <ErrorMessage error={deprecation.error} />
          {!deprecation.fetching && deprecation.error === undefined && deprecation.data && deprecating && (
            <p role="status" className="success-message">
              {t("deprecate.done", { role: roleName(deprecating.marketRole), version: deprecating.version })}
            </p>
          )}
          <VersionTable
            templateKey={key}
            versions={result.data?.templateVersions ?? []}
            shown={{ version: template.version, marketRole: template.marketRole }}
            linkTo={(row) => templatePath({ key, version: row.version, marketRole: row.marketRole })}
            onDeprecate={onDeprecate}
            deprecating={deprecation.fetching ? (deprecating?.id ?? null) : null}
          />

          <h2>{t("graph.title")}</h2>
          {graph !== null && (
            <StepGraphView
              graph={graph}
              caption={t("graph.caption", { name: template.name, version: template.version })}
              idPrefix="template"
            />
          )}
          <h2>{t("steps.title")}</h2>
          {definition !== null && <StepList definition={definition} />}
          <TemplateStatistics
            templateKey={key}
            stats={statistics.data?.templateStats ?? null}
            period={period}
            onPeriodChange={setPeriod}
          />
          <ErrorMessage error={statistics.error} />
        </>
      )}
      <PublishForm {...publishing} linkTo={templatePath} />
    </section>
  );
}
