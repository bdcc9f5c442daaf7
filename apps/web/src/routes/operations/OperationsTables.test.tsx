import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { renderScreen } from "../../test/render";
import { DeliveriesTable, type DeliveryRow } from "./DeliveriesTable";
import { JobsTable, type JobRow } from "./JobsTable";

const NOW = Date.parse("2026-03-02T12:00:00Z");

const heldJob: JobRow = {
  id: "42",
  entrypoint: "deliver_webhook",
  status: "FAILED",
  attempts: 5,
  lastError: "ConnectError: cannot resolve hooks.example",
  updatedAt: "2026-03-02T10:00:00Z",
};
const queuedJob: JobRow = { ...heldJob, id: "43", status: "QUEUED", attempts: 1, lastError: null };

describe("held jobs", () => {
  it("shows each job's entry point, attempts, last error and since when", () => {
    renderScreen(<JobsTable jobs={[heldJob]} retrying={new Set()} onRetry={vi.fn()} now={NOW} />);
    const row = within(screen.getByRole("table", { name: "Background jobs, newest first" })).getAllByRole("row")[1];
    expect(row?.textContent).toContain("deliver_webhook");
    expect(row?.textContent).toContain("Held as failed");
    expect(row?.textContent).toContain("ConnectError: cannot resolve hooks.example");
    expect(row?.textContent).toContain("2 hours ago");
  });

  it("retries a job held as failed", async () => {
    const user = userEvent.setup();
    const onRetry = vi.fn();
    renderScreen(<JobsTable jobs={[heldJob, queuedJob]} retrying={new Set()} onRetry={onRetry} now={NOW} />);
    await user.click(screen.getByRole("button", { name: "Retry job 42" }));
    expect(onRetry).toHaveBeenCalledWith(heldJob);
  });

  it("offers no retry for a job that is not held as failed", () => {
    renderScreen(<JobsTable jobs={[queuedJob]} retrying={new Set()} onRetry={vi.fn()} now={NOW} />);
    const retry = screen.getByRole("button", { name: "Retry job 43" });
    expect(retry).toHaveProperty("disabled", true);
    expect(retry.getAttribute("title")).toBe("Only a job held as failed can be retried");
  });

  it("cannot be retried twice while the retry is on its way", () => {
    renderScreen(<JobsTable jobs={[heldJob]} retrying={new Set(["42"])} onRetry={vi.fn()} now={NOW} />);
    const retry = screen.getByRole("button", { name: "Retry job 42" });
    expect(retry).toHaveProperty("disabled", true);
    expect(retry.textContent).toBe("Retrying…");
  });
});

const failedDelivery: DeliveryRow = {
  id: "d1",
  subscriptionId: "s1",
  eventType: "workflow.approved",
  status: "FAILED",
  attemptCount: 2,
  lastStatusCode: 503,
  lastError: null,
  lastAttemptAt: "2026-03-02T11:30:00Z",
  attempts: [
    { attempt: 1, statusCode: null, error: "ConnectError: refused", durationMs: 12 },
    { attempt: 2, statusCode: 503, error: null, durationMs: 80 },
  ],
};
const pendingDelivery: DeliveryRow = { ...failedDelivery, id: "d2", status: "PENDING", attempts: [], attemptCount: 0, lastStatusCode: null, lastAttemptAt: null };
const subscriptions = new Map([["s1", { url: "https://hooks.flanders-flex.example/wfm", tenant: "Flanders Flex NV" }]]);

describe("webhook deliveries", () => {
  it("show where they go, their last response and every attempt", () => {
    renderScreen(
      <DeliveriesTable deliveries={[failedDelivery]} subscriptions={subscriptions} replaying={new Set()} onReplay={vi.fn()} now={NOW} />,
    );
    const row = within(screen.getByRole("table", { name: "Webhook deliveries, newest first" })).getAllByRole("row")[1];
    expect(row?.textContent).toContain("https://hooks.flanders-flex.example/wfm");
    expect(row?.textContent).toContain("Flanders Flex NV");
    expect(row?.textContent).toContain("HTTP 503");
    const attempts = within(row as HTMLElement).getAllByRole("listitem").map((item) => item.textContent);
    expect(attempts).toEqual(["#1: ConnectError: refused in 12 ms", "#2: HTTP 503 in 80 ms"]);
  });

  it("count their attempts, one in the singular", () => {
    const once: DeliveryRow = { ...failedDelivery, id: "d3", attemptCount: 1, attempts: failedDelivery.attempts.slice(0, 1) };
    renderScreen(
      <DeliveriesTable deliveries={[failedDelivery, once]} subscriptions={subscriptions} replaying={new Set()} onReplay={vi.fn()} now={NOW} />,
    );
    expect(screen.getByText("2 attempts")).toBeDefined();
    expect(screen.getByText("1 attempt")).toBeDefined();
  });

  it("replay a failed delivery", async () => {
    const user = userEvent.setup();
    const onReplay = vi.fn();
    renderScreen(
      <DeliveriesTable deliveries={[failedDelivery]} subscriptions={subscriptions} replaying={new Set()} onReplay={onReplay} now={NOW} />,
    );
    await user.click(screen.getByRole("button", { name: "Replay delivery workflow.approved to https://hooks.flanders-flex.example/wfm" }));
    expect(onReplay).toHaveBeenCalledWith(failedDelivery);
  });

  it("are not replayed while pending or while a replay is on its way", () => {
    renderScreen(
      <DeliveriesTable
        deliveries={[failedDelivery, pendingDelivery]}
        subscriptions={new Map()}
        replaying={new Set(["d1"])}
        onReplay={vi.fn()}
        now={NOW}
      />,
    );
    const buttons = screen.getAllByRole("button", { name: "Replay delivery workflow.approved to s1" });
    expect(buttons.map((button) => [button.textContent, (button as HTMLButtonElement).disabled])).toEqual([
      ["Replaying…", true],
      ["Replay", true],
    ]);
    expect(screen.getAllByText("Subscription s1")).toHaveLength(2);
  });
});
