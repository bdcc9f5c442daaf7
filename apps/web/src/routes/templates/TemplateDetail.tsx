import { useTranslation } from "react-i18next";
import { useParams } from "react-router";
import { ScreenPlaceholder } from "../../components/ScreenPlaceholder";

export function TemplateDetail() {
  const { t } = useTranslation("templates");
  const { key = "" } = useParams();
  return <ScreenPlaceholder title={t("detailTitle", { key })} />;
}
