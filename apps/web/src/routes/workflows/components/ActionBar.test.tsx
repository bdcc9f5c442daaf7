import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { WorkflowAction } from "../../../graphql/enums";
import { renderScreen } from "../../../test/render";
import { ActionBar } from "./ActionBar";

const steps = [
  { id: "company-info", title: "Company information" },
  { id: "contacts", title: "Contacts" },
];

function renderBar(allowed: WorkflowAction[], onCommand = vi.fn(), problems = [] as { path: string[]; message: string }[]) {
  renderScreen(
    <ActionBar allowed={allowed} rejectTargets={steps} rollbackTargets={steps} problems={problems} onCommand={onCommand} />,
  );
  return onCommand;
}

function offered(): string[] {
  return within(screen.getByRole("group", { name: "What you may do now" }))
    .getAllByRole("button")
    .map((button) => button.textContent);
}

describe("ActionBar", () => {
  it("offers only the actions the API allows", () => {
    renderBar(["APPROVE", "REJECT", "CANCEL"]);
    expect(offered()).toEqual(["Approve…", "Reject…", "Cancel workflow…"]);
    expect(screen.queryByRole("button", { name: "Pause…" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Mark as failed…" })).toBeNull();
  });

  it("says so when nothing is allowed", () => {
    renderBar(["EXECUTE_STEP"]);
    expect(screen.getByText("Nothing for you to do on this workflow now.")).toBeDefined();
    expect(screen.queryByRole("group", { name: "What you may do now" })).toBeNull();
  });

  it("resumes at once, without a form", async () => {
    const user = userEvent.setup();
    const onCommand = renderBar(["RESUME", "CANCEL"]);
    await user.click(screen.getByRole("button", { name: "Resume" }));
    expect(onCommand).toHaveBeenCalledWith({ action: "RESUME" });
  });

  it("retries a failed workflow at once, without a form", async () => {
    const user = userEvent.setup();
    const onCommand = renderBar(["CANCEL", "RETRY"]);
    expect(offered()).toEqual(["Retry", "Cancel workflow…"]);
    await user.click(screen.getByRole("button", { name: "Retry" }));
    expect(onCommand).toHaveBeenCalledWith({ action: "RETRY" });
  });

  it("approves with a comment", async () => {
    const user = userEvent.setup();
    const onCommand = renderBar(["APPROVE", "REJECT"]);
    await user.click(screen.getByRole("button", { name: "Approve…" }));
    await user.type(screen.getByLabelText("Comment (optional)"), "Guarantee checked");
    await user.click(screen.getByRole("button", { name: "Approve" }));
    expect(onCommand).toHaveBeenCalledWith({ action: "APPROVE", comment: "Guarantee checked" });
  });

  it("will not reject without a reason and a step to send the workflow back to", async () => {
    const user = userEvent.setup();
    const onCommand = renderBar(["APPROVE", "REJECT"]);
    await user.click(screen.getByRole("button", { name: "Reject…" }));
    const form = screen.getByRole("form", { name: "Reject the workflow" });
    await user.click(within(form).getByRole("button", { name: "Reject" }));

    expect(onCommand).not.toHaveBeenCalled();
    const reason = within(form).getByLabelText("Reason");
    const step = within(form).getByLabelText("Send back to step");
    expect(reason.getAttribute("aria-invalid")).toBe("true");
    expect(step.getAttribute("aria-invalid")).toBe("true");
    expect(within(form).getByText("Give a reason.")).toBeDefined();
    expect(within(form).getByText("Choose a step.")).toBeDefined();

    await user.type(reason, "The financial guarantee is missing");
    await user.selectOptions(step, "Contacts");
    await user.click(within(form).getByRole("button", { name: "Reject" }));
    expect(onCommand).toHaveBeenCalledWith({
      action: "REJECT",
      reason: "The financial guarantee is missing",
      toStepId: "contacts",
    });
  });

  it("asks for a reason to fail or cancel a workflow", async () => {
    const user = userEvent.setup();
    const onCommand = renderBar(["FAIL", "CANCEL"]);
    await user.click(screen.getByRole("button", { name: "Mark as failed…" }));
    const form = screen.getByRole("form", { name: "Mark the workflow as failed" });
    await user.click(within(form).getByRole("button", { name: "Mark as failed" }));
    expect(onCommand).not.toHaveBeenCalled();
    await user.type(within(form).getByLabelText("Reason"), "Duplicate request");
    await user.click(within(form).getByRole("button", { name: "Mark as failed" }));
    expect(onCommand).toHaveBeenCalledWith({ action: "FAIL", reason: "Duplicate request" });
  });

  it("rolls back to a chosen step", async () => {
    const user = userEvent.setup();
    const onCommand = renderBar(["PAUSE", "ROLLBACK"]);
    await user.click(screen.getByRole("button", { name: "Roll back…" }));
    await user.selectOptions(screen.getByLabelText("Roll back to step"), "Company information");
    await user.click(screen.getByRole("button", { name: "Roll back" }));
    expect(onCommand).toHaveBeenCalledWith({ action: "ROLLBACK", toStepId: "company-info" });
  });

  it("shows the API's refusal of a field at that field", async () => {
    const user = userEvent.setup();
    renderBar(["REJECT"], vi.fn(), [{ path: ["reason"], message: "must not be blank" }]);
    await user.click(screen.getByRole("button", { name: "Reject…" }));
    const reason = screen.getByLabelText("Reason");
    expect(reason.getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByText("must not be blank")).toBeDefined();
  });
});
