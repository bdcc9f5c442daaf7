import { useTranslation } from "react-i18next";
import { ScreenPlaceholder } from "../../components/ScreenPlaceholder";

export function TenantUsers() {
  const { t } = useTranslation("portal");
  return <ScreenPlaceholder title={t("users")} />;
}
