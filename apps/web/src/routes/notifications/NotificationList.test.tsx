import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { renderScreen } from "../../test/render";
import { NotificationList, type NotificationItem } from "./NotificationList";

const NOW = Date.parse("2026-03-02T12:00:00Z");

const assigned: NotificationItem = {
  id: "n1",
  subject: "Assigned to you: Company information of Flanders Flex NV",
  body: "Olivia Ops assigned you Company information.",
  workflowId: "w1",
  read: false,
  createdAt: "2026-03-02T11:55:00Z",
};
const welcome: NotificationItem = {
  id: "n2",
  subject: "Welcome",
  body: "Your account is ready.",
  workflowId: null,
  read: true,
  createdAt: "2026-03-01T12:00:00Z",
};

function list(onMarkRead = vi.fn(), marking: ReadonlySet<string> = new Set(), language: "en" | "nl" = "en") {
  renderScreen(
    <NotificationList
      notifications={[assigned, welcome]}
      workflowPath={(id) => `/portal/workflows/${id}`}
      onMarkRead={onMarkRead}
      marking={marking}
      emptyText="No notifications."
      now={NOW}
    />,
    { language },
  );
  return onMarkRead;
}

describe("notifications", () => {
  it("say in words which are unread, and link to the workflow a notification names", () => {
    list();
    const items = within(screen.getByRole("list", { name: "Your notifications, newest first" })).getAllByRole("listitem");
    expect(items[0]?.textContent).toContain("Unread");
    expect(items[0]?.textContent).toContain("5 minutes ago");
    expect(within(items[0] as HTMLElement).getByRole("link", { name: "Open the workflow" }).getAttribute("href")).toBe(
      "/portal/workflows/w1",
    );
    expect(items[1]?.textContent).toContain("Read");
    expect(within(items[1] as HTMLElement).queryByRole("link")).toBeNull();
    expect(within(items[1] as HTMLElement).queryByRole("button")).toBeNull();
  });

  it("marks one read", async () => {
    const user = userEvent.setup();
    const onMarkRead = list();
    await user.click(screen.getByRole("button", { name: "Mark “Assigned to you: Company information of Flanders Flex NV” read" }));
    expect(onMarkRead).toHaveBeenCalledWith(["n1"]);
  });

  it("is not marked twice while marking", () => {
    list(vi.fn(), new Set(["n1"]));
    const button = screen.getByRole("button", { name: /Assigned to you/ });
    expect(button).toHaveProperty("disabled", true);
    expect(button.textContent).toBe("Marking…");
  });

  it("speaks the user's language", () => {
    list(vi.fn(), new Set(), "nl");
    expect(screen.getByRole("list", { name: "Uw meldingen, nieuwste eerst" })).toBeDefined();
    expect(screen.getByText("Ongelezen")).toBeDefined();
  });
});
