import { useTranslation } from "react-i18next";
import { formatDateTime, formatDuration, formatRelative } from "../i18n/format";
import { useNow } from "./useNow";

/** An SLA: "Due in 3 hours", or "Overdue by 2 days" (marked as such). */
export function Countdown({ dueAt, now }: { dueAt: string; now?: number }) {
  const { t, i18n } = useTranslation();
  const ticking = useNow();
  const remaining = Date.parse(dueAt) - (now ?? ticking);
  const overdue = remaining < 0;
  return (
    <time
      dateTime={dueAt}
      title={formatDateTime(dueAt, i18n.language)}
      className={overdue ? "countdown overdue" : "countdown"}
    >
      {overdue
        ? t("time.overdueBy", { duration: formatDuration(remaining, i18n.language) })
        : t("time.dueIn", { relative: formatRelative(remaining, i18n.language) })}
    </time>
  );
}
