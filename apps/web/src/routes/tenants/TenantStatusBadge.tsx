import { useTranslation } from "react-i18next";

const KNOWN = ["pending", "active", "suspended", "terminated", "archived"] as const;
type Known = (typeof KNOWN)[number];

function isKnown(status: string): status is Known {
  return (KNOWN as readonly string[]).includes(status);
}

/** Words for a tenant's or a market role's status ("pending", "active", "suspended", ...). */
export function useStatusLabel(): (status: string) => string {
  const { t } = useTranslation("tenants");
  return (status) => (isKnown(status) ? t(`status.${status}`) : status);
}

/** A status as a badge: in words, coloured by what it means. */
export function TenantStatusBadge({ status }: { status: string }) {
  const label = useStatusLabel();
  return <span className={`badge tenant-status-${status}`}>{label(status)}</span>;
}
