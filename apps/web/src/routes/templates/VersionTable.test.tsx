import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { renderScreen } from "../../test/render";
import { VersionTable, type TemplateVersion } from "./VersionTable";

const versions: TemplateVersion[] = [
  { id: "t3", version: 2, marketRole: "BRP", status: "active", createdAt: "2026-03-01T10:00:00Z" },
  { id: "t2", version: 1, marketRole: "BRP", status: "deprecated", createdAt: "2026-01-01T10:00:00Z" },
  { id: "t1", version: 1, marketRole: null, status: "active", createdAt: "2026-01-01T09:00:00Z" },
];

function table(onDeprecate = vi.fn(), deprecating: string | null = null) {
  renderScreen(
    <VersionTable
      templateKey="contract-onboarding"
      versions={versions}
      shown={{ version: 2, marketRole: "BRP" }}
      linkTo={(version) => `/console/templates/contract-onboarding?version=${String(version.version)}`}
      onDeprecate={onDeprecate}
      deprecating={deprecating}
    />,
  );
  return onDeprecate;
}

describe("the versions of a template", () => {
  it("lists each role's versions with their status in words, the shown one marked", () => {
    table();
    const rows = within(screen.getByRole("table", { name: "Every version of contract-onboarding, newest first" })).getAllByRole("row");
    expect(rows[1]?.textContent).toContain("BRP");
    expect(rows[1]?.textContent).toContain("Shown");
    expect(rows[2]?.textContent).toContain("Deprecated");
    expect(rows[3]?.textContent).toContain("All roles (base)");
    expect(screen.getByRole("link", { name: "Open contract-onboarding BRP v1" })).toBeDefined();
  });

  it("deprecates a version only after it is confirmed", async () => {
    const user = userEvent.setup();
    const onDeprecate = table();
    expect(screen.queryByRole("button", { name: "Deprecate BRP v1" })).toBeNull(); // already deprecated
    await user.click(screen.getByRole("button", { name: "Deprecate BRP v2" }));
    const question = screen.getByRole("group", { name: "Deprecate BRP v2" });
    expect(question.textContent).toContain("No new workflows will start on it");
    await user.click(within(question).getByRole("button", { name: "Cancel" }));
    expect(onDeprecate).not.toHaveBeenCalled();

    await user.click(screen.getByRole("button", { name: "Deprecate BRP v2" }));
    await user.click(screen.getByRole("button", { name: "Yes, deprecate" }));
    expect(onDeprecate).toHaveBeenCalledWith(versions[0]);
  });

  it("says a deprecation is on its way instead of offering it again", () => {
    table(vi.fn(), "t3");
    expect(screen.getByRole("status").textContent).toBe("Deprecating…");
    expect(screen.queryByRole("button", { name: "Deprecate BRP v2" })).toBeNull();
  });
});
