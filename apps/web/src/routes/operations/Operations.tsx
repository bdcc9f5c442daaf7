import { useTranslation } from "react-i18next";
import { ScreenPlaceholder } from "../../components/ScreenPlaceholder";

export function Operations() {
  const { t } = useTranslation("operations");
  return <ScreenPlaceholder title={t("title")} />;
}
