import { describe, expect, it } from "vitest";
import { filterValuesOf, withFilter, workflowFilterOf } from "./workflowFilter";

describe("the workflows list's filter in the URL", () => {
  it("reads the filter a shared link holds", () => {
    const values = filterValuesOf(new URLSearchParams("status=SUBMITTED&marketRole=BRP&tenantName=ardennes&overdue=true"));
    expect(workflowFilterOf(values)).toEqual({ status: "SUBMITTED", marketRole: "BRP", tenantName: "ardennes", overdue: true });
  });

  it("leaves out values the API would refuse", () => {
    const values = filterValuesOf(new URLSearchParams("status=SLEEPING&marketRole=XYZ&createdFrom=yesterday"));
    expect(workflowFilterOf(values)).toEqual({});
  });

  it("takes whole days, the last one included", () => {
    const filter = workflowFilterOf(filterValuesOf(new URLSearchParams("createdFrom=2026-03-01&createdTo=2026-03-01")));
    expect(filter.createdFrom).toBe(new Date("2026-03-01T00:00:00").toISOString());
    expect(filter.createdTo).toBe(new Date("2026-03-02T00:00:00").toISOString());
  });

  it("goes back to the first page when the filter changes, keeping other parameters", () => {
    const params = new URLSearchParams("status=FAILED&after=c1&after=c2&view=compact");
    const next = withFilter(params, { status: "", templateKey: "contract-onboarding", tenantName: "  " });
    expect(next.toString()).toBe("view=compact&templateKey=contract-onboarding");
  });
});
