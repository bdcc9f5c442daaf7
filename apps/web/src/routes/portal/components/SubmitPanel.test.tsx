import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { renderScreen } from "../../../test/render";
import type { WorkflowCheck } from "../../workflows/validation";
import { SubmitPanel } from "./SubmitPanel";

function panel(check: WorkflowCheck | null) {
  const onCheck = vi.fn();
  const onSubmit = vi.fn();
  renderScreen(<SubmitPanel check={check} checking={false} submitting={false} onCheck={onCheck} onSubmit={onSubmit} />);
  return { onCheck, onSubmit };
}

describe("the portal's submission panel", () => {
  it("links each step to finish, with its problems and the submission's, and holds the submission back", () => {
    panel({
      valid: false,
      steps: [
        { id: "portfolio", title: "Portfolio", outstanding: true, problems: [] },
        { id: "grid", title: "Grid connection", outstanding: false, problems: [{ path: ["substation"], message: "is not a substation of the grid" }] },
      ],
      submissionProblems: [{ path: [], message: "the contract is not signed" }],
    });
    const alert = screen.getByRole("alert");
    expect(within(alert).getByRole("link", { name: "Portfolio: not filled in" }).getAttribute("href")).toBe("?step=portfolio");
    expect(within(alert).getByRole("link", { name: "Grid connection: not filled in" })).toBeDefined();
    expect(alert.textContent).toContain("substation is not a substation of the grid");
    expect(alert.textContent).toContain("the contract is not signed");
    expect(screen.getByRole<HTMLButtonElement>("button", { name: "Submit" }).disabled).toBe(true);
  });

  it("says when everything is complete, and submits", async () => {
    const user = userEvent.setup();
    const { onSubmit } = panel({ valid: true, steps: [], submissionProblems: [] });
    expect(screen.getByRole("status").textContent).toBe("Everything is complete: you can submit.");
    await user.click(screen.getByRole("button", { name: "Submit" }));
    expect(onSubmit).toHaveBeenCalledOnce();
  });
});
