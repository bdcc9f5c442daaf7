import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { NavLink } from "react-router";
import { TENANT_ADMIN, isMarketOps } from "../auth/roles";
import type { SessionUser } from "../auth/session";

interface Link {
  to: string;
  label: string;
  /** Active on this path only, not below it */
  end?: boolean;
}

function linksFor(user: SessionUser, t: TFunction): Link[] {
  if (isMarketOps(user)) {
    return [
      { to: "/console/work", label: t("nav.workQueue") },
      { to: "/console/workflows", label: t("nav.workflows") },
      { to: "/console/tenants", label: t("nav.tenants") },
      { to: "/console/templates", label: t("nav.templates") },
      { to: "/console/operations", label: t("nav.operations") },
      { to: "/console/data-subjects", label: t("nav.privacy") },
      { to: "/notifications", label: t("nav.notifications") },
    ];
  }
  return [
    { to: "/portal", label: t("nav.myWorkflows"), end: true },
    { to: "/portal/start", label: t("nav.start") },
    ...(user.role === TENANT_ADMIN ? [{ to: "/portal/users", label: t("nav.users") }] : []),
    { to: "/notifications", label: t("nav.notifications") },
  ];
}

/** The screens of the user's side: the console (market operations) or the portal. */
export function Navigation({ user }: { user: SessionUser }) {
  const { t } = useTranslation();
  return (
    <nav aria-label={t("nav.label")} className="main-nav">
      <ul>
        {linksFor(user, t).map((link) => (
          <li key={link.to}>
            <NavLink to={link.to} end={link.end}>
              {link.label}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
