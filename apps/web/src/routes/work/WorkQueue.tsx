import { useTranslation } from "react-i18next";
import { ScreenPlaceholder } from "../../components/ScreenPlaceholder";

export function WorkQueue() {
  const { t } = useTranslation("work");
  return <ScreenPlaceholder title={t("title")} />;
}
