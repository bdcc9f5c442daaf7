/** Dates, times and durations in the active language, with Intl. */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export function formatDateTime(value: string | Date, language: string): string {
  return new Intl.DateTimeFormat(language, { dateStyle: "medium", timeStyle: "short" }).format(
    new Date(value),
  );
}

export function formatDate(value: string | Date, language: string): string {
  return new Intl.DateTimeFormat(language, { dateStyle: "medium" }).format(new Date(value));
}

type Unit = "day" | "hour" | "minute";

function largestUnit(milliseconds: number): [number, Unit] {
  const size = Math.abs(milliseconds);
  if (size >= DAY) return [Math.round(milliseconds / DAY), "day"];
  if (size >= HOUR) return [Math.round(milliseconds / HOUR), "hour"];
  return [Math.round(milliseconds / MINUTE), "minute"];
}

/** "in 3 hours", "2 days ago", "now": `milliseconds` from now (negative: past). */
export function formatRelative(milliseconds: number, language: string): string {
  const [amount, unit] = largestUnit(milliseconds);
  return new Intl.RelativeTimeFormat(language, { numeric: "auto" }).format(amount, unit);
}

/** "3 hours", "1 minute": the size of a span of time. */
export function formatDuration(milliseconds: number, language: string): string {
  const [amount, unit] = largestUnit(Math.max(Math.abs(milliseconds), MINUTE));
  return new Intl.NumberFormat(language, { style: "unit", unit, unitDisplay: "long" }).format(
    Math.abs(amount),
  );
}
