import { useTranslation } from "react-i18next";
import { ScreenPlaceholder } from "../../components/ScreenPlaceholder";

export function MyWorkflows() {
  const { t } = useTranslation("portal");
  return <ScreenPlaceholder title={t("myWorkflows")} />;
}
