import { useTranslation } from "react-i18next";
import { ScreenPlaceholder } from "../../components/ScreenPlaceholder";

export function TenantList() {
  const { t } = useTranslation("tenants");
  return <ScreenPlaceholder title={t("listTitle")} />;
}
