import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { renderScreen } from "../../../test/render";
import { WorkflowTable, type WorkflowRow } from "./WorkflowTable";

const NOW = Date.parse("2026-03-02T12:00:00Z");
const HOUR = 3_600_000;

function row(id: string, due: Partial<WorkflowRow>): WorkflowRow {
  return {
    id,
    status: "IN_PROGRESS",
    marketRole: "GU",
    currentStepId: "company",
    currentStepTitle: "Company information",
    createdAt: new Date(NOW - 24 * HOUR).toISOString(),
    tenantName: `Tenant ${id.slice(0, 1)}`,
    templateKey: "contract-onboarding",
    templateVersion: 1,
    dueAt: null,
    overdue: false,
    ...due,
  };
}

/** The "Due" cell of each row, top to bottom */
function dueCells(): HTMLElement[] {
  const table = screen.getByRole("table", { name: "Workflows" });
  const headers = within(table).getAllByRole("columnheader").map((header) => header.textContent);
  const column = headers.indexOf("Due");
  return within(table)
    .getAllByRole("row")
    .slice(1)
    .map((line) => within(line).getAllByRole("cell")[column] as HTMLElement);
}

describe("the console's workflow table", () => {
  it("counts down to each workflow's due date and marks the overdue ones", () => {
    renderScreen(
      <WorkflowTable
        caption="Workflows"
        now={NOW}
        rows={[
          row("a0000000", { dueAt: new Date(NOW + 3 * HOUR).toISOString() }),
          row("b0000000", { dueAt: new Date(NOW - 2 * HOUR).toISOString(), overdue: true }),
          row("c0000000", { status: "COMPLETED", currentStepId: null }),
        ]}
      />,
    );
    const [dueLater, overdue, nothingDue] = dueCells();
    expect(dueLater?.textContent).toBe("Due in 3 hours");
    expect(dueLater?.querySelector(".sla-overdue")).toBeNull();
    expect(overdue?.textContent).toBe("Overdue by 2 hours");
    expect(overdue?.querySelector(".sla-overdue")).not.toBeNull();
    expect(nothingDue?.textContent).toBe("—");
  });
});
