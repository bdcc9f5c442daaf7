import { useEffect } from "react";

export const POLLING_INTERVAL_MS = 15_000;
/** While the live feed is down, it is subscribed again this often: it comes back as soon as
 * the WebSocket connects again (a proxy let it through, the API is back). */
export const RESUBSCRIBE_INTERVAL_MS = 30_000;

export interface PollingFallbackOptions {
  /** Subscribe again (urql's `useSubscription` second value) */
  resubscribe?: () => void;
  intervalMs?: number;
  resubscribeMs?: number;
}

/** While `failed`, `resubscribe` every `everyMs`; stops once the feed works again. */
export function useResubscription(failed: boolean, resubscribe: (() => void) | undefined, everyMs = RESUBSCRIBE_INTERVAL_MS): void {
  useEffect(() => {
    if (!failed || resubscribe === undefined) return;
    const timer = setInterval(() => {
      resubscribe();
    }, everyMs);
    return () => {
      clearInterval(timer);
    };
  }, [failed, resubscribe, everyMs]);
}

/** While the live feed is down (`liveFailed`), refresh every `intervalMs` instead, and try
 * the feed again every `resubscribeMs`: polling lasts only as long as the feed is down. */
export function usePollingFallback(liveFailed: boolean, refresh: () => void, options: PollingFallbackOptions = {}): void {
  const { resubscribe, intervalMs = POLLING_INTERVAL_MS, resubscribeMs = RESUBSCRIBE_INTERVAL_MS } = options;
  useEffect(() => {
    if (!liveFailed) return;
    const timer = setInterval(refresh, intervalMs);
    return () => {
      clearInterval(timer);
    };
  }, [liveFailed, refresh, intervalMs]);
  useResubscription(liveFailed, resubscribe, resubscribeMs);
}

/** The API's `Locale` for an app language. */
export function localeOf(language: string): "EN" | "FR" | "NL" {
  const primary = language.slice(0, 2).toLowerCase();
  return primary === "fr" ? "FR" : primary === "nl" ? "NL" : "EN";
}
