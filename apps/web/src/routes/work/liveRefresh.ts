/** How the queue stays current: re-queried on each `workQueueChanged` signal while the
 * subscription lives; when it fails (the WebSocket cannot connect, a proxy blocks it, the
 * server ends it), polled every 15 s, and the subscription tried again every 30 s until
 * it works again. */

export const POLL_INTERVAL_MS = 15_000;
export const RESUBSCRIBE_AFTER_MS = 30_000;

export interface LiveFeed {
  /** The app has a subscription transport at all (none in unit tests, say) */
  subscriptionsAvailable: boolean;
  /** The subscription failed, and no signal has come since it was tried again */
  failed: boolean;
}

export type RefreshMode = { kind: "live" } | { kind: "polling"; intervalMs: number };

export function refreshMode(feed: LiveFeed): RefreshMode {
  if (!feed.subscriptionsAvailable || feed.failed) return { kind: "polling", intervalMs: POLL_INTERVAL_MS };
  return { kind: "live" };
}
