import { describe, expect, it } from "vitest";
import { POLL_INTERVAL_MS, refreshMode } from "./liveRefresh";

describe("how the work queue stays current", () => {
  it("follows the live subscription while it works", () => {
    expect(refreshMode({ subscriptionsAvailable: true, failed: false })).toEqual({ kind: "live" });
  });

  it("polls every 15 s when the subscription failed (the WebSocket cannot connect)", () => {
    expect(refreshMode({ subscriptionsAvailable: true, failed: true })).toEqual({ kind: "polling", intervalMs: 15_000 });
    expect(POLL_INTERVAL_MS).toBe(15_000);
  });

  it("polls when the browser has no WebSocket at all", () => {
    expect(refreshMode({ subscriptionsAvailable: false, failed: false })).toEqual({ kind: "polling", intervalMs: POLL_INTERVAL_MS });
  });
});
