import { useEffect } from "react";

export const POLLING_INTERVAL_MS = 15_000;

/** While the live feed is down (`liveFailed`), refresh every `intervalMs` instead. */
export function usePollingFallback(liveFailed: boolean, refresh: () => void, intervalMs = POLLING_INTERVAL_MS): void {
  useEffect(() => {
    if (!liveFailed) return;
    const timer = setInterval(refresh, intervalMs);
    return () => {
      clearInterval(timer);
    };
  }, [liveFailed, refresh, intervalMs]);
}

/** The API's `Locale` for an app language. */
export function localeOf(language: string): "EN" | "FR" | "NL" {
  const primary = language.slice(0, 2).toLowerCase();
  return primary === "fr" ? "FR" : primary === "nl" ? "NL" : "EN";
}
