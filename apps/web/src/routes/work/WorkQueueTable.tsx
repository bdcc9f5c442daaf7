import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { CombinedError } from "urql";
import { Countdown } from "../../components/Countdown";
import { DataTable, type Column } from "../../components/DataTable";
import { ErrorMessage } from "../../components/ErrorMessage";
import { RelativeTime } from "../../components/RelativeTime";
import type { MarketRole, WorkItemKind } from "../../graphql/enums";
import { orderQueue } from "./queueOrder";

export interface WorkQueueRow {
  id: string;
  kind: WorkItemKind;
  since: string;
  dueAt: string | null;
  breached: boolean;
  escalatedTo: string | null;
  roles: readonly string[];
  templateKey: string;
  marketRole: MarketRole;
  stepTitle: string;
  assignee: { id: string; name: string } | null;
  tenant: { id: string; companyName: string };
}

export interface WorkQueueTableProps {
  items: readonly WorkQueueRow[];
  /** The signed-in user's id: their own items can be released, not claimed */
  userId: string;
  /** work.assign: may assign and release anyone's work */
  mayAssign: boolean;
  now: number;
  totalCount: number;
  /** The item whose action is under way */
  pendingId: string | null;
  /** Refusals by item id, shown in its row */
  refusals: Readonly<Record<string, CombinedError | undefined>>;
  onClaim: (item: WorkQueueRow) => void;
  onRelease: (item: WorkQueueRow) => void;
  onAssign: (item: WorkQueueRow) => void;
}

function shortId(id: string): string {
  return id.slice(0, 8);
}

/** What waits for people, overdue on top, with each row's actions. */
export function WorkQueueTable({
  items,
  userId,
  mayAssign,
  now,
  totalCount,
  pendingId,
  refusals,
  onClaim,
  onRelease,
  onAssign,
}: WorkQueueTableProps) {
  const { t } = useTranslation("work");
  const roleName = (role: string) => t(`roles.${role}`, { defaultValue: role });
  const columns: Column<WorkQueueRow>[] = [
    { key: "kind", header: t("columns.kind"), cell: (item) => <span className={`badge kind-${item.kind.toLowerCase()}`}>{t(`kind.${item.kind}`)}</span> },
    {
      key: "workflow",
      header: t("columns.workflow"),
      cell: (item) => (
        <Link to={`/console/workflows/${item.id}`} aria-label={t("workflowLink", { id: item.id })}>
          <code>{shortId(item.id)}</code>
        </Link>
      ),
    },
    { key: "tenant", header: t("columns.tenant"), cell: (item) => <Link to={`/console/tenants/${item.tenant.id}`}>{item.tenant.companyName}</Link> },
    {
      key: "template",
      header: t("columns.template"),
      cell: (item) => (
        <>
          <code>{item.templateKey}</code> <span className="muted">{item.marketRole}</span>
        </>
      ),
    },
    { key: "step", header: t("columns.step"), cell: (item) => item.stepTitle },
    { key: "since", header: t("columns.since"), cell: (item) => <RelativeTime value={item.since} now={now} /> },
    {
      key: "due",
      header: t("columns.due"),
      cell: (item) => (
        <>
          {item.dueAt === null ? <span className="muted">{t("noSla")}</span> : <Countdown dueAt={item.dueAt} now={now} />}
          {item.escalatedTo !== null && <span className="escalated">{t("escalatedTo", { role: roleName(item.escalatedTo) })}</span>}
        </>
      ),
    },
    {
      key: "assignee",
      header: t("columns.assignee"),
      cell: (item) =>
        item.assignee === null ? (
          <>
            <span className="muted">{t("unassigned")}</span>
            <span className="waits-for">{t("waitsFor", { roles: item.roles.map(roleName).join(", ") })}</span>
          </>
        ) : item.assignee.id === userId ? (
          <strong>{t("assignedToYou")}</strong>
        ) : (
          item.assignee.name
        ),
    },
    {
      key: "actions",
      header: t("columns.actions"),
      cell: (item) => {
        const mine = item.assignee?.id === userId;
        const busy = pendingId === item.id;
        const label = `${item.stepTitle} · ${item.tenant.companyName}`;
        return (
          <div className="row-actions">
            {!mine && (
              <button type="button" disabled={busy} aria-label={t("claimItem", { item: label })} onClick={() => { onClaim(item); }}>
                {t("claim")}
              </button>
            )}
            {mayAssign && (
              <button type="button" disabled={busy} aria-label={t("assignItem", { item: label })} onClick={() => { onAssign(item); }}>
                {t("assign")}
              </button>
            )}
            {item.assignee !== null && (mine || mayAssign) && (
              <button type="button" disabled={busy} aria-label={t("releaseItem", { item: label })} onClick={() => { onRelease(item); }}>
                {t("release")}
              </button>
            )}
            <Link to={`/console/workflows/${item.id}`} className="button-link" aria-label={t("openItem", { item: label })}>
              {t("open")}
            </Link>
            <ErrorMessage error={refusals[item.id]} />
          </div>
        );
      },
    },
  ];
  return (
    <DataTable
      caption={t("caption", { count: totalCount })}
      columns={columns}
      rows={orderQueue(items, now)}
      rowKey={(item) => item.id}
      emptyText={t("empty")}
    />
  );
}
