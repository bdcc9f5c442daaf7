/** Which market roles a tenant may apply for: the API refuses a second onboarding while the
 * role is held under a contract (active, suspended, or terminated for good) or while an
 * onboarding for it is neither completed nor cancelled (modules/workflows service.py). */
import type { MarketRole, WorkflowStatus } from "../../graphql/enums";

/** In the order the market knows them */
export const MARKET_ROLES: readonly MarketRole[] = ["BRP", "BSP", "GU", "ACH", "CRM", "ESP", "DSO"];

const HELD_STATUSES: ReadonlySet<string> = new Set(["active", "suspended", "terminated"]);
const CLOSED: ReadonlySet<WorkflowStatus> = new Set<WorkflowStatus>(["COMPLETED", "CANCELLED"]);

export interface HeldRole {
  role: MarketRole;
  status: string;
}

export interface TenantWorkflow {
  id: string;
  status: WorkflowStatus;
  marketRole: MarketRole;
  templateKey: string;
}

export type RoleUnavailable =
  | { role: MarketRole; reason: "held"; status: string }
  | { role: MarketRole; reason: "underWay"; workflowId: string };

export interface RoleOffering {
  available: MarketRole[];
  unavailable: RoleUnavailable[];
}

/** The roles to offer, and why the others are not: `onboardingKeys` are the keys of the
 * templates that grant a market role (`grantsMarketRole`). */
export function offerMarketRoles(
  held: readonly HeldRole[],
  workflows: readonly TenantWorkflow[],
  onboardingKeys: ReadonlySet<string>,
): RoleOffering {
  const available: MarketRole[] = [];
  const unavailable: RoleUnavailable[] = [];
  for (const role of MARKET_ROLES) {
    const holding = held.find((entry) => entry.role === role && HELD_STATUSES.has(entry.status));
    if (holding) {
      unavailable.push({ role, reason: "held", status: holding.status });
      continue;
    }
    const open = workflows.find(
      (workflow) =>
        workflow.marketRole === role && onboardingKeys.has(workflow.templateKey) && !CLOSED.has(workflow.status),
    );
    if (open) {
      unavailable.push({ role, reason: "underWay", workflowId: open.id });
      continue;
    }
    available.push(role);
  }
  return { available, unavailable };
}
