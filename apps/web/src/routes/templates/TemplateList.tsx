import { useTranslation } from "react-i18next";
import { ScreenPlaceholder } from "../../components/ScreenPlaceholder";

export function TemplateList() {
  const { t } = useTranslation("templates");
  return <ScreenPlaceholder title={t("listTitle")} />;
}
