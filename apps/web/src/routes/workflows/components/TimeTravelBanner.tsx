import { useTranslation } from "react-i18next";
import { formatDateTime } from "../../../i18n/format";

/** Says plainly that the page shows the past: "State as of event #12 — back to now". */
export function TimeTravelBanner({ seq, at, onBackToNow }: { seq: number; at?: string; onBackToNow: () => void }) {
  const { t, i18n } = useTranslation("workflows");
  return (
    <div className="time-travel-banner" role="status">
      <p>
        <strong>{t("timeTravel.asOf", { seq })}</strong>
        {at !== undefined && <> · {t("timeTravel.at", { when: formatDateTime(at, i18n.language) })}</>}
        {" — "}
        <button type="button" className="link-button" onClick={onBackToNow}>
          {t("timeTravel.backToNow")}
        </button>
      </p>
      <p className="time-travel-note">{t("timeTravel.readOnly")}</p>
    </div>
  );
}
