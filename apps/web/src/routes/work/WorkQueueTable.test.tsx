import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { CombinedError } from "urql";
import { describe, expect, it, vi } from "vitest";
import { renderScreen } from "../../test/render";
import { WorkQueueTable, type WorkQueueRow, type WorkQueueTableProps } from "./WorkQueueTable";

const NOW = Date.parse("2026-03-02T12:00:00Z");
const HOUR = 3_600_000;
const ME = "00000000-0000-0000-0000-00000000000a";

function item(id: string, stepTitle: string, overrides: Partial<WorkQueueRow> = {}): WorkQueueRow {
  return {
    id,
    kind: "STEP",
    since: new Date(NOW - 5 * HOUR).toISOString(),
    dueAt: null,
    breached: false,
    escalatedTo: null,
    roles: ["tenant_admin", "tenant_user"],
    templateKey: "contract-onboarding",
    marketRole: "BRP",
    stepTitle,
    assignee: null,
    tenant: { id: "t-1", companyName: "Kempen Balancing BV" },
    ...overrides,
  };
}

function renderQueue(items: WorkQueueRow[], props: Partial<WorkQueueTableProps> = {}) {
  const handlers = { onClaim: vi.fn(), onRelease: vi.fn(), onAssign: vi.fn() };
  renderScreen(
    <WorkQueueTable
      items={items}
      userId={ME}
      mayAssign={false}
      now={NOW}
      totalCount={items.length}
      pendingId={null}
      refusals={{}}
      {...handlers}
      {...props}
    />,
  );
  return handlers;
}

function stepColumn(): string[] {
  const table = screen.getByRole("table", { name: /Work waiting for you or your role/ });
  return within(table)
    .getAllByRole("row")
    .slice(1)
    .map((row) => within(row).getAllByRole("cell")[4]?.textContent ?? "");
}

describe("the work queue", () => {
  it("puts overdue work on top, most overdue first, then the API's order", () => {
    renderQueue([
      item("a", "Due soon", { dueAt: new Date(NOW + 3 * HOUR).toISOString() }),
      item("b", "No deadline"),
      item("c", "Overdue a little", { dueAt: new Date(NOW - 2 * HOUR).toISOString() }),
      item("d", "Overdue a lot", { dueAt: new Date(NOW - 2 * 24 * HOUR).toISOString(), breached: true }),
    ]);
    expect(stepColumn()).toEqual(["Overdue a lot", "Overdue a little", "Due soon", "No deadline"]);
  });

  it("says how long overdue work is late, and how long the rest has left", () => {
    renderQueue([
      item("a", "Due soon", { dueAt: new Date(NOW + 3 * HOUR).toISOString() }),
      item("c", "Late", { dueAt: new Date(NOW - 2 * HOUR).toISOString() }),
      item("b", "No deadline"),
    ]);
    expect(screen.getByText("Overdue by 2 hours").className).toContain("overdue");
    expect(screen.getByText("Due in 3 hours").className).not.toContain("overdue");
    expect(screen.getByText("No SLA")).toBeDefined();
  });

  it("treats work that fell due while the screen was open as overdue", () => {
    renderQueue(
      [
        item("a", "Still fine", { dueAt: new Date(NOW + 10 * HOUR).toISOString() }),
        item("b", "Just passed", { dueAt: new Date(NOW + 60_000).toISOString() }),
      ],
      { now: NOW + 5 * 60_000 },
    );
    expect(stepColumn()).toEqual(["Just passed", "Still fine"]);
    expect(screen.getByText("Overdue by 4 minutes")).toBeDefined();
  });

  it("shows the total count of waiting work, every page together", () => {
    renderQueue([item("a", "Company information")], { totalCount: 42 });
    expect(screen.getByRole("table", { name: "Work waiting for you or your role: 42 items" })).toBeDefined();
  });

  it("counts one item in the singular", () => {
    renderQueue([item("a", "Company information")], { totalCount: 1 });
    expect(screen.getByRole("table", { name: "Work waiting for you or your role: 1 item" })).toBeDefined();
  });

  it("offers to claim what is not mine, and to release what is", async () => {
    const user = userEvent.setup();
    const mine = item("m", "Mine", { assignee: { id: ME, name: "Olivia Ops" } });
    const open = item("o", "Open");
    const handlers = renderQueue([mine, open]);
    expect(screen.queryByRole("button", { name: "Claim Mine · Kempen Balancing BV" })).toBeNull();
    await user.click(screen.getByRole("button", { name: "Claim Open · Kempen Balancing BV" }));
    expect(handlers.onClaim).toHaveBeenCalledWith(open);
    await user.click(screen.getByRole("button", { name: "Release Mine · Kempen Balancing BV" }));
    expect(handlers.onRelease).toHaveBeenCalledWith(mine);
    expect(screen.queryByRole("button", { name: /Assign/ })).toBeNull();
  });

  it("lets those who may assign work assign anyone's", async () => {
    const user = userEvent.setup();
    const held = item("h", "Held", { assignee: { id: "someone-else", name: "Otto Ops" } });
    const handlers = renderQueue([held], { mayAssign: true });
    await user.click(screen.getByRole("button", { name: "Assign Held · Kempen Balancing BV to…" }));
    expect(handlers.onAssign).toHaveBeenCalledWith(held);
    expect(screen.getByRole("button", { name: "Release Held · Kempen Balancing BV" })).toBeDefined();
  });

  it("shows a refusal plainly in the row it concerns", () => {
    const refusal = new CombinedError({
      graphQLErrors: [{ message: "Otto Ops holds this work", extensions: { code: "CONFLICT" } }],
    });
    renderQueue([item("a", "Taken"), item("b", "Free")], { refusals: { a: refusal } });
    const rows = screen.getAllByRole("row");
    const alert = within(rows[1] ?? document.body).getByRole("alert");
    expect(alert.textContent).toContain("Otto Ops holds this work");
    expect(within(rows[2] ?? document.body).queryByRole("alert")).toBeNull();
  });
});
