/** The workflows list's filter, kept in the URL's search parameters so that a reload or a
 * shared link shows the same list: one parameter per `WorkflowFilter` field, dates as
 * calendar days (`createdFrom=2026-03-01`), both ends inclusive for the person choosing. */
import type { MarketRole, WorkflowStatus } from "../../graphql/enums";
import type { WorkflowFilter } from "../../graphql/graphql";

export const WORKFLOW_STATUSES: readonly WorkflowStatus[] = [
  "DRAFT",
  "IN_PROGRESS",
  "PAUSED",
  "AWAITING_VALIDATION",
  "SUBMITTED",
  "COMPLETED",
  "ROLLED_BACK",
  "FAILED",
  "CANCELLED",
];

export const MARKET_ROLES: readonly MarketRole[] = ["ACH", "BRP", "BSP", "CRM", "DSO", "ESP", "GU"];

/** The filter's fields as the form and the URL hold them: strings, "" for "any". */
export interface FilterValues {
  status: string;
  marketRole: string;
  tenantId: string;
  tenantName: string;
  templateKey: string;
  currentStepId: string;
  assigneeId: string;
  createdFrom: string;
  createdTo: string;
  updatedFrom: string;
  updatedTo: string;
  /** "true", "false" or "" */
  overdue: string;
}

export const FILTER_FIELDS: readonly (keyof FilterValues)[] = [
  "status",
  "marketRole",
  "tenantId",
  "tenantName",
  "templateKey",
  "currentStepId",
  "assigneeId",
  "createdFrom",
  "createdTo",
  "updatedFrom",
  "updatedTo",
  "overdue",
];

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

export function filterValuesOf(params: URLSearchParams): FilterValues {
  const values = Object.fromEntries(FILTER_FIELDS.map((field) => [field, params.get(field)?.trim() ?? ""]));
  return values as unknown as FilterValues;
}

/** `params` with the filter replaced by `values` (empty ones left out), back on page one. */
export function withFilter(params: URLSearchParams, values: Partial<FilterValues>, cursorParam = "after"): URLSearchParams {
  const next = new URLSearchParams(params);
  next.delete(cursorParam);
  for (const field of FILTER_FIELDS) {
    next.delete(field);
    const value = values[field]?.trim() ?? "";
    if (value !== "") next.set(field, value);
  }
  return next;
}

function isStatus(value: string): value is WorkflowStatus {
  return (WORKFLOW_STATUSES as readonly string[]).includes(value);
}

function isMarketRole(value: string): value is MarketRole {
  return (MARKET_ROLES as readonly string[]).includes(value);
}

/** The start of a calendar day in the browser's time zone, as the API's DateTime. */
function startOfDay(day: string): string | null {
  if (!DAY_PATTERN.test(day)) return null;
  const start = new Date(`${day}T00:00:00`);
  return Number.isNaN(start.getTime()) ? null : start.toISOString();
}

/** The start of the day after: the API's upper bounds are exclusive. */
function startOfNextDay(day: string): string | null {
  const start = startOfDay(day);
  if (start === null) return null;
  const next = new Date(start);
  next.setDate(next.getDate() + 1);
  return next.toISOString();
}

/** The API's `WorkflowFilter` for the values; a value the API would refuse is left out. */
export function workflowFilterOf(values: FilterValues): WorkflowFilter {
  const filter: WorkflowFilter = {};
  if (isStatus(values.status)) filter.status = values.status;
  if (isMarketRole(values.marketRole)) filter.marketRole = values.marketRole;
  if (values.tenantId !== "") filter.tenantId = values.tenantId;
  if (values.tenantName !== "") filter.tenantName = values.tenantName;
  if (values.templateKey !== "") filter.templateKey = values.templateKey;
  if (values.currentStepId !== "") filter.currentStepId = values.currentStepId;
  if (values.assigneeId !== "") filter.assigneeId = values.assigneeId;
  const createdFrom = startOfDay(values.createdFrom);
  if (createdFrom !== null) filter.createdFrom = createdFrom;
  const createdTo = startOfNextDay(values.createdTo);
  if (createdTo !== null) filter.createdTo = createdTo;
  const updatedFrom = startOfDay(values.updatedFrom);
  if (updatedFrom !== null) filter.updatedFrom = updatedFrom;
  const updatedTo = startOfNextDay(values.updatedTo);
  if (updatedTo !== null) filter.updatedTo = updatedTo;
  if (values.overdue === "true") filter.overdue = true;
  if (values.overdue === "false") filter.overdue = false;
  return filter;
}

export function isFiltered(values: FilterValues): boolean {
  return FILTER_FIELDS.some((field) => values[field] !== "");
}
