import { useTranslation } from "react-i18next";
import { formatDateTime, formatRelative } from "../i18n/format";
import { useNow } from "./useNow";

/** "3 hours ago", the exact date and time on hover and in `dateTime`. */
export function RelativeTime({ value, now }: { value: string; now?: number }) {
  const { i18n } = useTranslation();
  const ticking = useNow();
  const reference = now ?? ticking;
  return (
    <time dateTime={value} title={formatDateTime(value, i18n.language)}>
      {formatRelative(Date.parse(value) - reference, i18n.language)}
    </time>
  );
}
