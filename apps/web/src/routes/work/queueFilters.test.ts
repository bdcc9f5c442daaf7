import { describe, expect, it } from "vitest";
import { filtersFromParams, toWorkItemFilter, withFilter } from "./queueFilters";

describe("the work queue's filters in the URL", () => {
  it("reads what the URL holds, ignoring what the API would not know", () => {
    const filters = filtersFromParams(new URLSearchParams("kind=APPROVAL&overdue=1&marketRole=XYZ&templateKey=%20contract-onboarding%20"));
    expect(filters).toMatchObject({ kind: "APPROVAL", overdue: true, marketRole: null, templateKey: "contract-onboarding" });
  });

  it("goes back to the first page when a filter changes", () => {
    const next = withFilter(new URLSearchParams("after=c1&after=c2&kind=STEP"), "overdue", true);
    expect(next.getAll("after")).toEqual([]);
    expect(next.get("overdue")).toBe("1");
    expect(next.get("kind")).toBe("STEP");
  });

  it("keeps 'assigned to me' and 'unassigned' apart", () => {
    const next = withFilter(new URLSearchParams("assignedToMe=1"), "unassigned", true);
    expect(next.has("assignedToMe")).toBe(false);
    expect(next.get("unassigned")).toBe("1");
  });

  it("asks for every role's work only for those who may assign it", () => {
    const filters = filtersFromParams(new URLSearchParams("anyRole=1"));
    expect(toWorkItemFilter(filters, true).anyRole).toBe(true);
    expect(toWorkItemFilter(filters, false).anyRole).toBe(false);
  });
});
