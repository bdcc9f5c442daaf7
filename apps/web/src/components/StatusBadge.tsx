import { useTranslation } from "react-i18next";
import type { WorkflowStatus } from "../graphql/enums";

/** A workflow's status in words, coloured by what it asks of people. */
export function StatusBadge({ status }: { status: WorkflowStatus }) {
  const { t } = useTranslation();
  return <span className={`badge status-${status.toLowerCase().replaceAll("_", "-")}`}>{t(`status.${status}`)}</span>;
}
