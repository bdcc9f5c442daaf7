import { useTranslation } from "react-i18next";
import type { Expectation } from "../expectation";

/** "Your turn: Contacts", "Waiting for market operations: Technical review", a rejection's reason. */
export function ExpectationText({ expectation }: { expectation: Expectation }) {
  const { t } = useTranslation("portal");
  switch (expectation.kind) {
    case "us":
    case "marketOps":
    case "platform":
      return <span className={`expectation expectation-${expectation.kind}`}>{t(`expected.${expectation.kind}`, { step: expectation.step })}</span>;
    case "rejected":
      return (
        <span className="expectation expectation-rejected">
          {t("expected.rejected", { step: expectation.step })}
          <br />
          <small>{t("expected.rejectedReason", { reason: expectation.reason })}</small>
        </span>
      );
    default:
      return <span className={`expectation expectation-${expectation.kind}`}>{t(`expected.${expectation.kind}`)}</span>;
  }
}
