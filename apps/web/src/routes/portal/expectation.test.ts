import { describe, expect, it } from "vitest";
import { expectationOf, type ExpectationInput } from "./expectation";

const contacts = { id: "contacts", type: "form", title: "Contacts" };
const review = { id: "technical-review", type: "approval", title: "Technical review" };

function input(overrides: Partial<ExpectationInput>): ExpectationInput {
  return { status: "IN_PROGRESS", currentStep: contacts, currentStepRoles: [], rejection: null, ...overrides };
}

describe("what a workflow expects from the participant", () => {
  it("waits for us on a form step of ours", () => {
    expect(expectationOf(input({}))).toEqual({ kind: "us", step: "Contacts" });
  });

  it("waits for market operations on their approval step", () => {
    expect(expectationOf(input({ currentStep: review, currentStepRoles: ["market_ops"] }))).toEqual({
      kind: "marketOps",
      step: "Technical review",
    });
  });

  it("asks us to submit once every step is done, then waits for the approval", () => {
    expect(expectationOf(input({ status: "AWAITING_VALIDATION", currentStep: null }))).toEqual({ kind: "submit" });
    expect(expectationOf(input({ status: "SUBMITTED", currentStep: null }))).toEqual({ kind: "approval" });
  });

  it("shows a rejection's reason and the step to correct", () => {
    const rejection = { reason: "the guarantee is too low", toStepId: "contacts", toStepTitle: "Contacts" };
    expect(expectationOf(input({ rejection }))).toEqual({
      kind: "rejected",
      step: "Contacts",
      reason: "the guarantee is too low",
    });
  });

  it("says when it is done, failed or cancelled", () => {
    expect(expectationOf(input({ status: "COMPLETED", currentStep: null })).kind).toBe("done");
    expect(expectationOf(input({ status: "FAILED" })).kind).toBe("failed");
    expect(expectationOf(input({ status: "CANCELLED" })).kind).toBe("cancelled");
  });
});
