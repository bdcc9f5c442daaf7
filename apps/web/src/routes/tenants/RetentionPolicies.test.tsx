import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { renderScreen } from "../../test/render";
import { RetentionPolicies, type RetentionPolicyRow } from "./RetentionPolicies";

const POLICIES: RetentionPolicyRow[] = [
  { templateKey: null, afterDays: 3650, updatedAt: "2026-03-01T09:00:00Z", updatedBy: { name: "Anne Dubois" } },
  { templateKey: "contract-onboarding", afterDays: 1, updatedAt: "2026-03-02T09:00:00Z", updatedBy: { name: "Rik Janssens" } },
];

function show(props: Partial<Parameters<typeof RetentionPolicies>[0]> = {}) {
  const onSet = vi.fn();
  const onRemove = vi.fn();
  renderScreen(
    <RetentionPolicies
      tenantName="Ardennes Energie SA"
      policies={POLICIES}
      templateKeys={["contract-onboarding", "contract-change"]}
      busy={false}
      error={undefined}
      onSet={onSet}
      onRemove={onRemove}
      {...props}
    />,
  );
  return { onSet, onRemove };
}

describe("a tenant's retention policies", () => {
  it("list each policy with its template and its period", () => {
    show();
    const table = screen.getByRole("table", { name: "Retention policies of Ardennes Energie SA" });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows.map((row) => within(row).getAllByRole("cell").slice(0, 2).map((cell) => cell.textContent))).toEqual([
      ["Every template", "3650 days"],
      ["contract-onboarding", "1 day"],
    ]);
  });

  it("set a period for one template, refusing a period that is not a whole number of days", async () => {
    const user = userEvent.setup();
    const { onSet } = show();
    await user.selectOptions(screen.getByLabelText("Template"), "contract-change");
    await user.type(screen.getByLabelText("Days after completion"), "0");
    await user.click(screen.getByRole("button", { name: "Set" }));
    expect(screen.getByText("Give a whole number of days from 1 to 36500.")).toBeDefined();
    expect(onSet).not.toHaveBeenCalled();

    await user.clear(screen.getByLabelText("Days after completion"));
    await user.type(screen.getByLabelText("Days after completion"), "730");
    await user.click(screen.getByRole("button", { name: "Set" }));
    expect(onSet).toHaveBeenCalledWith("contract-change", 730);
  });

  it("remove the policy for every template by its own button", async () => {
    const user = userEvent.setup();
    const { onRemove } = show();
    await user.click(screen.getByRole("button", { name: "Remove the retention policy for Every template" }));
    expect(onRemove).toHaveBeenCalledWith(null);
  });
});
