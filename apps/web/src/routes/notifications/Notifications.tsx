import { useTranslation } from "react-i18next";
import { ScreenPlaceholder } from "../../components/ScreenPlaceholder";

export function Notifications() {
  const { t } = useTranslation();
  return <ScreenPlaceholder title={t("notifications.title")} />;
}
