import { useTranslation } from "react-i18next";
import { DataTable } from "../../components/DataTable";
import { RelativeTime } from "../../components/RelativeTime";
import type { JobStatus } from "../../graphql/enums";
import { RowActionButton } from "./RowActionButton";

export interface JobRow {
  id: string;
  entrypoint: string;
  status: JobStatus;
  attempts: number;
  lastError: string | null;
  updatedAt: string;
}

export interface JobsTableProps {
  jobs: readonly JobRow[];
  /** Jobs whose retry is on its way */
  retrying: ReadonlySet<string>;
  onRetry: (job: JobRow) => void;
  now?: number;
}

/** Background jobs; one held as failed can be queued again. */
export function JobsTable({ jobs, retrying, onRetry, now }: JobsTableProps) {
  const { t } = useTranslation("operations");
  return (
    <DataTable
      caption={t("jobs.caption")}
      rows={jobs}
      rowKey={(job) => job.id}
      emptyText={t("jobs.empty")}
      columns={[
        { key: "id", header: t("jobs.id"), cell: (job) => job.id, align: "end" },
        { key: "entrypoint", header: t("jobs.entrypoint"), cell: (job) => <code>{job.entrypoint}</code> },
        {
          key: "status",
          header: t("jobs.status"),
          cell: (job) => <span className={`badge job-${job.status.toLowerCase()}`}>{t(`jobStatus.${job.status}`)}</span>,
        },
        { key: "attempts", header: t("jobs.attempts"), cell: (job) => job.attempts, align: "end" },
        {
          key: "lastError",
          header: t("jobs.lastError"),
          cell: (job) => (job.lastError === null ? t("jobs.noError") : <code className="last-error">{job.lastError}</code>),
        },
        { key: "since", header: t("jobs.since"), cell: (job) => <RelativeTime value={job.updatedAt} now={now} /> },
        {
          key: "actions",
          header: t("jobs.actions"),
          cell: (job) => (
            <RowActionButton
              label={t("jobs.retry")}
              accessibleName={t("jobs.retryLabel", { id: job.id })}
              busyLabel={t("jobs.retrying")}
              busy={retrying.has(job.id)}
              unavailable={job.status === "FAILED" ? null : t("jobs.onlyFailed")}
              onClick={() => {
                onRetry(job);
              }}
            />
          ),
        },
      ]}
    />
  );
}
