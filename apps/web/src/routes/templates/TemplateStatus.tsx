import { useTranslation } from "react-i18next";

/** A template version's status (active, deprecated) in words, marked by what it means. */
export function TemplateStatus({ status }: { status: string }) {
  const { t } = useTranslation("templates");
  const known = status === "active" || status === "deprecated";
  return (
    <span className={`badge template-${known ? status : "other"}`}>
      {known ? t(`templateStatus.${status}`) : status}
    </span>
  );
}
