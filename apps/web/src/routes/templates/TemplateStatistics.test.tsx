import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { renderScreen } from "../../test/render";
import { periodStart, TemplateStatistics, type TemplateStats } from "./TemplateStatistics";

const HOUR = 3600;
const stats: TemplateStats = {
  workflows: 6,
  slaBreaches: 1,
  byStatus: [
    { status: "IN_PROGRESS", count: 2 },
    { status: "COMPLETED", count: 2 },
    { status: "FAILED", count: 1 },
  ],
  duration: { measured: 2, p50Seconds: 4.5 * HOUR, p90Seconds: 4.9 * HOUR, p95Seconds: 5 * HOUR },
  steps: [
    {
      stepId: "apply",
      runs: 5,
      failed: 1,
      failureRate: 0.25,
      slaBreaches: 1,
      duration: { measured: 3, p50Seconds: HOUR, p90Seconds: 1.4 * HOUR, p95Seconds: 1.5 * HOUR },
    },
    {
      stepId: "review",
      runs: 1,
      failed: 0,
      failureRate: null,
      slaBreaches: 0,
      duration: { measured: 0, p50Seconds: null, p90Seconds: null, p95Seconds: null },
    },
  ],
};

function panel(shown: TemplateStats | null = stats, onPeriodChange = vi.fn()) {
  renderScreen(<TemplateStatistics templateKey="contract-onboarding" stats={shown} period="90d" onPeriodChange={onPeriodChange} />);
  return onPeriodChange;
}

function cells(table: HTMLElement, rowName: string): string[] {
  const row = within(table).getByRole("row", { name: new RegExp(`^${rowName}`) });
  return within(row)
    .getAllByRole("cell")
    .map((cell) => cell.textContent);
}

describe("the statistics of a template", () => {
  it("tells how many workflows are in each status and how long the completed ones took", () => {
    panel();
    const region = screen.getByRole("region", { name: "Statistics" });
    expect(within(region).getByText("median 4.5 hours, 90% within 4.9 hours, 95% within 5 hours")).toBeDefined();
    const statuses = screen.getByRole("table", { name: "Workflows of contract-onboarding by status" });
    expect(cells(statuses, "In progress")).toEqual(["In progress", "2"]);
    expect(cells(statuses, "Failed")).toEqual(["Failed", "1"]);
  });

  it("shows each step's runs, failures, failure rate and durations", () => {
    panel();
    const steps = screen.getByRole("table", { name: "Steps of contract-onboarding: runs, failures and durations" });
    expect(cells(steps, "apply")).toEqual(["apply", "5", "1", "25%", "1 hour", "1.4 hours", "1.5 hours", "1"]);
    // no run ended yet: no rate, no duration
    expect(cells(steps, "review")).toEqual(["review", "1", "0", "—", "—", "—", "—", "0"]);
  });

  it("asks for another period when one is chosen", async () => {
    const user = userEvent.setup();
    const onPeriodChange = panel(null);
    expect(screen.queryByRole("table")).toBeNull(); // still loading
    await user.selectOptions(screen.getByRole("combobox", { name: "Workflows created and steps begun in" }), "the last 30 days");
    expect(onPeriodChange).toHaveBeenCalledWith("30d");
  });

  it("says so when nothing ran in the period", () => {
    panel({ ...stats, workflows: 0, byStatus: [], steps: [], duration: { measured: 0, p50Seconds: null, p90Seconds: null, p95Seconds: null } });
    expect(screen.getByText("No workflows in this period.")).toBeDefined();
    expect(screen.getByText("No step ran in this period.")).toBeDefined();
    expect(screen.getByText("none completed")).toBeDefined();
  });

  it("counts a period back from now, and all time from the beginning", () => {
    const now = new Date("2026-12-01T12:00:00Z");
    expect(periodStart("30d", now)).toBe("2026-11-01T12:00:00.000Z");
    expect(periodStart("all", now)).toBeNull();
  });
});
