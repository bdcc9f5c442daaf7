import { useTranslation } from "react-i18next";
import { ScreenPlaceholder } from "../../components/ScreenPlaceholder";

export function WorkflowList() {
  const { t } = useTranslation("workflows");
  return <ScreenPlaceholder title={t("listTitle")} />;
}
