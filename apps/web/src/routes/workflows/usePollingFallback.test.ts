import { renderHook } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { POLLING_INTERVAL_MS, RESUBSCRIBE_INTERVAL_MS, usePollingFallback } from "./usePollingFallback";

describe("the polling fallback of a live screen", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function screen(failed: boolean) {
    const refresh = vi.fn();
    const resubscribe = vi.fn();
    const hook = renderHook(({ liveFailed }) => {
      usePollingFallback(liveFailed, refresh, { resubscribe });
    }, { initialProps: { liveFailed: failed } });
    return {
      refresh,
      resubscribe,
      liveAgain: () => {
        hook.rerender({ liveFailed: false });
      },
    };
  }

  it("neither polls nor subscribes again while the live feed works", () => {
    const { refresh, resubscribe } = screen(false);
    vi.advanceTimersByTime(5 * RESUBSCRIBE_INTERVAL_MS);
    expect(refresh).not.toHaveBeenCalled();
    expect(resubscribe).not.toHaveBeenCalled();
  });

  it("polls every 15 s while the feed is down, and tries the feed again every 30 s", () => {
    const { refresh, resubscribe } = screen(true);
    vi.advanceTimersByTime(60_000);
    expect(POLLING_INTERVAL_MS).toBe(15_000);
    expect(refresh).toHaveBeenCalledTimes(4);
    expect(resubscribe).toHaveBeenCalledTimes(2);
  });

  it("stops polling once the feed works again", () => {
    const { refresh, resubscribe, liveAgain } = screen(true);
    vi.advanceTimersByTime(RESUBSCRIBE_INTERVAL_MS);
    liveAgain();
    vi.advanceTimersByTime(5 * RESUBSCRIBE_INTERVAL_MS);
    expect(refresh).toHaveBeenCalledTimes(2);
    expect(resubscribe).toHaveBeenCalledTimes(1);
  });
});
