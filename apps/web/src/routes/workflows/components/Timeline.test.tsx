import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { renderScreen } from "../../../test/render";
import { Timeline, type TimelineEvent } from "./Timeline";

const events: TimelineEvent[] = [
  {
    id: "e1",
    seq: 1,
    type: "WORKFLOW_CREATED",
    stepId: null,
    data: {},
    occurredAt: "2026-03-02T09:00:00Z",
    performedBy: { kind: "USER", name: "Anna Dupont" },
  },
  {
    id: "e2",
    seq: 2,
    type: "STEP_COMPLETED",
    stepId: "company-info",
    data: { companyName: "Ardennes Énergie SA", vatNumber: "BE0123456749" },
    occurredAt: "2026-03-02T09:05:00Z",
    performedBy: { kind: "DELETED_USER", name: "user 7f3a" },
  },
  {
    id: "e3",
    seq: 3,
    type: "STEP_SLA_BREACHED",
    stepId: "contacts",
    data: {},
    occurredAt: "2026-03-04T09:05:00Z",
    performedBy: { kind: "PLATFORM", name: "Workflow Manager" },
  },
];

function rowOf(seq: number): HTMLElement {
  const row = screen.getAllByRole("row").find((candidate) => within(candidate).queryAllByRole("cell")[0]?.textContent === String(seq));
  if (!row) throw new Error(`no row for event ${String(seq)}`);
  return row;
}

describe("Timeline", () => {
  it("names who did each event: the user, the platform, or a deleted user", () => {
    renderScreen(<Timeline events={events} totalCount={3} />);
    expect(within(rowOf(1)).getByText("Anna Dupont")).toBeDefined();
    expect(within(rowOf(2)).getByText("deleted user")).toBeDefined();
    expect(within(rowOf(3)).getByText("platform")).toBeDefined();
  });

  it("says the performers in the active language", () => {
    renderScreen(<Timeline events={events} totalCount={3} />, { language: "fr" });
    expect(within(rowOf(2)).getByText("utilisateur supprimé")).toBeDefined();
    expect(within(rowOf(3)).getByText("plateforme")).toBeDefined();
  });

  it("tells each event's type, step and a summary of its data", () => {
    renderScreen(<Timeline events={events} totalCount={3} stepTitle={(id) => (id === "company-info" ? "Company information" : id)} />);
    expect(screen.getByRole("table", { name: "3 events, oldest first" })).toBeDefined();
    const completed = within(rowOf(2));
    expect(completed.getByText("Step completed")).toBeDefined();
    expect(completed.getByText("Company information")).toBeDefined();
    expect(completed.getByText("companyName: Ardennes Énergie SA, vatNumber: BE0123456749")).toBeDefined();
  });

  it("offers the state as of an event, and marks the one shown", async () => {
    const user = userEvent.setup();
    const onSelect = vi.fn();
    renderScreen(<Timeline events={events} totalCount={3} selectedSeq={3} onSelect={onSelect} />);
    await user.click(screen.getByRole("button", { name: "View the state as of event #2" }));
    expect(onSelect).toHaveBeenCalledWith(2);
    expect(screen.queryByRole("button", { name: "View the state as of event #3" })).toBeNull();
    expect(within(rowOf(3)).getByText("Shown")).toBeDefined();
  });
});
