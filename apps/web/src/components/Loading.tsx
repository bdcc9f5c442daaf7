import { useTranslation } from "react-i18next";

/** A polite "Loading…" that screen readers announce. */
export function Loading({ label }: { label?: string }) {
  const { t } = useTranslation();
  return (
    <p role="status" className="loading">
      {label ?? t("loading")}
    </p>
  );
}
