import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { Countdown } from "../../../components/Countdown";
import { DataTable, type Column } from "../../../components/DataTable";
import { RelativeTime } from "../../../components/RelativeTime";
import { StatusBadge } from "../../../components/StatusBadge";
import type { MarketRole, WorkflowStatus } from "../../../graphql/enums";

export interface WorkflowRow {
  id: string;
  status: WorkflowStatus;
  marketRole: MarketRole;
  currentStepId: string | null;
  /** The current step's title; null: the id is all there is */
  currentStepTitle: string | null;
  createdAt: string;
  tenantName: string;
  templateKey: string;
  templateVersion: number;
  /** When what it waits for is due (its step's SLA, its approval's deadline); null: none */
  dueAt: string | null;
  /** Work waits on it past its due date */
  overdue: boolean;
}

/** One page of workflows; each opens its detail. */
export function WorkflowTable({ rows, caption, now }: { rows: readonly WorkflowRow[]; caption: string; now?: number }) {
  const { t } = useTranslation("workflows");
  const columns: Column<WorkflowRow>[] = [
    {
      key: "workflow",
      header: t("list.workflow"),
      cell: (row) => (
        <Link to={`/console/workflows/${row.id}`} aria-label={t("list.open", { tenant: row.tenantName, template: row.templateKey })}>
          <code>{row.id.slice(0, 8)}</code>
        </Link>
      ),
    },
    { key: "status", header: t("list.status"), cell: (row) => <StatusBadge status={row.status} /> },
    {
      key: "step",
      header: t("list.currentStep"),
      cell: (row) => (row.currentStepId === null ? "—" : (row.currentStepTitle ?? row.currentStepId)),
    },
    { key: "tenant", header: t("list.tenant"), cell: (row) => row.tenantName },
    { key: "role", header: t("list.marketRole"), cell: (row) => row.marketRole },
    {
      key: "template",
      header: t("list.template"),
      cell: (row) => t("list.templateVersion", { key: row.templateKey, version: row.templateVersion }),
    },
    { key: "age", header: t("list.created"), cell: (row) => <RelativeTime value={row.createdAt} now={now} /> },
    {
      key: "due",
      header: t("list.due"),
      cell: (row) =>
        row.dueAt === null ? (
          <span className="muted">—</span>
        ) : row.overdue ? (
          <span className="badge sla-overdue">
            <Countdown dueAt={row.dueAt} now={now} />
          </span>
        ) : (
          <Countdown dueAt={row.dueAt} now={now} />
        ),
    },
  ];
  return <DataTable caption={caption} columns={columns} rows={rows} rowKey={(row) => row.id} emptyText={t("list.empty")} />;
}
