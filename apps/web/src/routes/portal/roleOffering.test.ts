import { describe, expect, it } from "vitest";
import type { MarketRole, WorkflowStatus } from "../../graphql/enums";
import { offerMarketRoles, type TenantWorkflow } from "./roleOffering";

const ONBOARDING = new Set(["contract-onboarding"]);

function workflow(id: string, marketRole: MarketRole, status: WorkflowStatus, templateKey = "contract-onboarding"): TenantWorkflow {
  return { id, marketRole, status, templateKey };
}

describe("offering market roles to apply for", () => {
  it("offers every role to a tenant that holds none and applies for none", () => {
    expect(offerMarketRoles([], [], ONBOARDING).available).toEqual(["BRP", "BSP", "GU", "ACH", "CRM", "ESP", "DSO"]);
  });

  it("leaves out a role held active, suspended or terminated, but offers one only pending", () => {
    const offering = offerMarketRoles(
      [
        { role: "BRP", status: "active" },
        { role: "BSP", status: "suspended" },
        { role: "GU", status: "terminated" },
        { role: "ACH", status: "pending" },
      ],
      [],
      ONBOARDING,
    );
    expect(offering.available).toEqual(["ACH", "CRM", "ESP", "DSO"]);
    expect(offering.unavailable).toContainEqual({ role: "BSP", reason: "held", status: "suspended" });
  });

  it("leaves out a role whose onboarding is under way, failed included, naming the workflow", () => {
    const offering = offerMarketRoles(
      [],
      [workflow("w1", "CRM", "SUBMITTED"), workflow("w2", "ESP", "FAILED")],
      ONBOARDING,
    );
    expect(offering.available).toEqual(["BRP", "BSP", "GU", "ACH", "DSO"]);
    expect(offering.unavailable).toEqual([
      { role: "CRM", reason: "underWay", workflowId: "w1" },
      { role: "ESP", reason: "underWay", workflowId: "w2" },
    ]);
  });

  it("offers a role again after its onboarding was cancelled", () => {
    const offering = offerMarketRoles([], [workflow("w1", "DSO", "CANCELLED")], ONBOARDING);
    expect(offering.available).toContain("DSO");
  });

  it("does not count a portfolio change as an onboarding", () => {
    const offering = offerMarketRoles(
      [],
      [workflow("w1", "BRP", "IN_PROGRESS", "portfolio-management")],
      ONBOARDING,
    );
    expect(offering.available).toContain("BRP");
  });
});
