import { useTranslation } from "react-i18next";
import { DataTable } from "../../components/DataTable";
import { StatusBadge } from "../../components/StatusBadge";
import type { TemplateStatisticsQuery } from "../../graphql/graphql";

export type TemplateStats = TemplateStatisticsQuery["templateStats"];
type Durations = TemplateStats["duration"];
type StepStats = TemplateStats["steps"][number];

/** The periods the statistics cover: the workflows created and the step runs begun since. */
export const PERIODS = ["30d", "90d", "365d", "all"] as const;
export type Period = (typeof PERIODS)[number];

const DAYS: Record<Period, number | null> = { "30d": 30, "90d": 90, "365d": 365, all: null };

/** Where `period` begins, as of `now` (null: the beginning of time). */
export function periodStart(period: Period, now: Date): string | null {
  const days = DAYS[period];
  return days === null ? null : new Date(now.getTime() - days * 24 * 3_600_000).toISOString();
}

/** "4.5 hours", "12 minutes": a duration in its largest unit, to a tenth (statistics compare). */
function formatSpan(seconds: number, language: string): string {
  const [value, unit] =
    seconds >= 86_400
      ? [seconds / 86_400, "day"]
      : seconds >= 3600
        ? [seconds / 3600, "hour"]
        : seconds >= 60
          ? [seconds / 60, "minute"]
          : [seconds, "second"];
  return new Intl.NumberFormat(language, { style: "unit", unit, unitDisplay: "long", maximumFractionDigits: 1 }).format(value);
}

export interface TemplateStatisticsProps {
  templateKey: string;
  /** Null while they load */
  stats: TemplateStats | null;
  period: Period;
  onPeriodChange: (period: Period) => void;
}

/** How a template performs: its workflows by status, how long they take, and each step's
 * runs, failures and durations (market operations: every tenant's). */
export function TemplateStatistics({ templateKey, stats, period, onPeriodChange }: TemplateStatisticsProps) {
  const { t, i18n } = useTranslation("templates");
  const seconds = (value: number | null) => (value === null ? "—" : formatSpan(value, i18n.language));
  const percent = (value: number | null) =>
    value === null ? "—" : new Intl.NumberFormat(i18n.language, { style: "percent", maximumFractionDigits: 1 }).format(value);
  const count = (value: number) => new Intl.NumberFormat(i18n.language).format(value);
  const median = (durations: Durations) => seconds(durations.p50Seconds);

  return (
    <section aria-labelledby="template-statistics" className="template-statistics">
      <h2 id="template-statistics">{t("stats.title")}</h2>
      <label>
        {t("stats.period")}{" "}
        <select
          value={period}
          onChange={(event) => {
            onPeriodChange(PERIODS.find((p) => p === event.target.value) ?? "all");
          }}
        >
          {PERIODS.map((p) => (
            <option key={p} value={p}>
              {t(`stats.periods.${p}`)}
            </option>
          ))}
        </select>
      </label>
      {stats !== null && (
        <>
          <dl className="template-facts">
            <dt>{t("stats.workflows")}</dt>
            <dd>{count(stats.workflows)}</dd>
            <dt>{t("stats.completedIn")}</dt>
            <dd>
              {stats.duration.measured === 0
                ? t("stats.noneCompleted")
                : t("stats.percentiles", {
                    p50: median(stats.duration),
                    p90: seconds(stats.duration.p90Seconds),
                    p95: seconds(stats.duration.p95Seconds),
                  })}
            </dd>
            <dt>{t("stats.slaBreaches")}</dt>
            <dd>{count(stats.slaBreaches)}</dd>
          </dl>
          <DataTable
            caption={t("stats.statusCaption", { key: templateKey })}
            rows={stats.byStatus}
            rowKey={(row) => row.status}
            emptyText={t("stats.noWorkflows")}
            columns={[
              { key: "status", header: t("column.status"), cell: (row) => <StatusBadge status={row.status} /> },
              { key: "count", header: t("stats.workflows"), cell: (row) => count(row.count), align: "end" },
            ]}
          />
          <DataTable<StepStats>
            caption={t("stats.stepsCaption", { key: templateKey })}
            rows={stats.steps}
            rowKey={(step) => step.stepId}
            emptyText={t("stats.noRuns")}
            columns={[
              { key: "step", header: t("stats.step"), cell: (step) => <code>{step.stepId}</code> },
              { key: "runs", header: t("stats.runs"), cell: (step) => count(step.runs), align: "end" },
              { key: "failed", header: t("stats.failed"), cell: (step) => count(step.failed), align: "end" },
              { key: "rate", header: t("stats.failureRate"), cell: (step) => percent(step.failureRate), align: "end" },
              { key: "p50", header: t("stats.p50"), cell: (step) => median(step.duration), align: "end" },
              { key: "p90", header: t("stats.p90"), cell: (step) => seconds(step.duration.p90Seconds), align: "end" },
              { key: "p95", header: t("stats.p95"), cell: (step) => seconds(step.duration.p95Seconds), align: "end" },
              { key: "sla", header: t("stats.slaBreaches"), cell: (step) => count(step.slaBreaches), align: "end" },
            ]}
          />
        </>
      )}
    </section>
  );
}
