import { useTranslation } from "react-i18next";
import { ScreenPlaceholder } from "../../components/ScreenPlaceholder";

export function StartWorkflow() {
  const { t } = useTranslation("portal");
  return <ScreenPlaceholder title={t("start")} />;
}
