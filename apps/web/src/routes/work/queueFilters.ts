/** The work queue's filters, kept in the URL (`?kind=APPROVAL&overdue=1`), so that a reload,
 * the Back button or a shared link shows the same queue. */
import { withFirstPage } from "../../components/cursorStack";
import type { MarketRole, WorkItemKind } from "../../graphql/enums";
import type { WorkItemFilter } from "../../graphql/graphql";

export const WORK_ITEM_KINDS: readonly WorkItemKind[] = ["STEP", "APPROVAL", "SUBMISSION", "FAILURE"];
export const MARKET_ROLES: readonly MarketRole[] = ["BRP", "BSP", "GU", "ACH", "CRM", "ESP", "DSO"];

export interface QueueFilters {
  kind: WorkItemKind | null;
  overdue: boolean;
  assignedToMe: boolean;
  unassigned: boolean;
  templateKey: string;
  marketRole: MarketRole | null;
  /** Every item of the tenants one sees, whatever role it waits for (work.assign) */
  anyRole: boolean;
}

export type FlagName = "overdue" | "assignedToMe" | "unassigned" | "anyRole";

function oneOf<T extends string>(value: string | null, allowed: readonly T[]): T | null {
  return allowed.find((candidate) => candidate === value) ?? null;
}

export function filtersFromParams(params: URLSearchParams): QueueFilters {
  return {
    kind: oneOf(params.get("kind"), WORK_ITEM_KINDS),
    overdue: params.get("overdue") === "1",
    assignedToMe: params.get("assignedToMe") === "1",
    unassigned: params.get("unassigned") === "1",
    templateKey: params.get("templateKey")?.trim() ?? "",
    marketRole: oneOf(params.get("marketRole"), MARKET_ROLES),
    anyRole: params.get("anyRole") === "1",
  };
}

/** `params` with one filter set (an empty value removes it), back on the first page. */
export function withFilter(params: URLSearchParams, name: keyof QueueFilters, value: string | boolean): URLSearchParams {
  const next = withFirstPage(params);
  const text = typeof value === "boolean" ? (value ? "1" : "") : value.trim();
  if (text === "") next.delete(name);
  else next.set(name, text);
  // "assigned to me" and "unassigned" exclude each other: the newer choice wins
  if (name === "assignedToMe" && value === true) next.delete("unassigned");
  if (name === "unassigned" && value === true) next.delete("assignedToMe");
  return next;
}

/** The API's filter; `anyRole` only for those who may assign work (the API refuses it otherwise). */
export function toWorkItemFilter(filters: QueueFilters, mayAssign: boolean): WorkItemFilter {
  return {
    kind: filters.kind,
    overdue: filters.overdue ? true : null,
    assignedToMe: filters.assignedToMe ? true : null,
    unassigned: filters.unassigned ? true : null,
    templateKey: filters.templateKey === "" ? null : filters.templateKey,
    marketRole: filters.marketRole,
    anyRole: mayAssign && filters.anyRole,
  };
}
