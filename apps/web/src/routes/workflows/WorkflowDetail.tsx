import { useTranslation } from "react-i18next";
import { useParams } from "react-router";
import { ScreenPlaceholder } from "../../components/ScreenPlaceholder";

export function WorkflowDetail() {
  const { t } = useTranslation("workflows");
  const { id } = useParams();
  return <ScreenPlaceholder title={`${t("detailTitle")} ${id ?? ""}`} />;
}
