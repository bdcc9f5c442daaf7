import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { DataTable } from "../../components/DataTable";
import type { MarketRole } from "../../graphql/enums";
import { formatDateTime } from "../../i18n/format";
import { TemplateStatus } from "./TemplateStatus";

export interface TemplateVersion {
  id: string;
  version: number;
  marketRole: MarketRole | null;
  status: string;
  createdAt: string;
}

export interface VersionTableProps {
  templateKey: string;
  versions: readonly TemplateVersion[];
  /** The version shown on the page */
  shown: { version: number; marketRole: MarketRole | null } | null;
  /** Where a version is shown */
  linkTo: (version: TemplateVersion) => string;
  onDeprecate: (version: TemplateVersion) => void;
  /** The id of the version being deprecated */
  deprecating: string | null;
}

/** Every version of a template, each market role's, with a way to deprecate one. */
export function VersionTable({ templateKey, versions, shown, linkTo, onDeprecate, deprecating }: VersionTableProps) {
  const { t, i18n } = useTranslation("templates");
  const [confirming, setConfirming] = useState<string | null>(null);
  const roleName = (version: TemplateVersion) => version.marketRole ?? t("baseRole");
  const isShown = (version: TemplateVersion) =>
    shown !== null && shown.version === version.version && shown.marketRole === version.marketRole;
  return (
    <DataTable
      caption={t("versions.caption", { key: templateKey })}
      rows={versions}
      rowKey={(version) => version.id}
      emptyText={t("empty")}
      columns={[
        { key: "role", header: t("column.marketRole"), cell: roleName },
        { key: "version", header: t("column.version"), cell: (version) => t("versionLabel", { version: version.version }), align: "end" },
        { key: "status", header: t("column.status"), cell: (version) => <TemplateStatus status={version.status} /> },
        {
          key: "published",
          header: t("column.published"),
          cell: (version) => <time dateTime={version.createdAt}>{formatDateTime(version.createdAt, i18n.language)}</time>,
        },
        {
          key: "actions",
          header: t("column.actions"),
          cell: (version) => {
            const names = { role: roleName(version), version: version.version };
            return (
              <div className="row-actions">
                {isShown(version) ? (
                  <span aria-current="true" className="shown-marker">
                    {t("shown")}
                  </span>
                ) : (
                  <Link to={linkTo(version)} aria-label={t("open", { key: templateKey, ...names })}>
                    {t("view")}
                  </Link>
                )}
                {version.status === "active" &&
                  (deprecating === version.id ? (
                    <span role="status">{t("deprecate.busy")}</span>
                  ) : confirming === version.id ? (
                    <span className="confirm" role="group" aria-label={t("deprecate.buttonLabel", names)}>
                      <span>{t("deprecate.question", names)}</span>
                      <button
                        type="button"
                        className="danger"
                        onClick={() => {
                          setConfirming(null);
                          onDeprecate(version);
                        }}
                      >
                        {t("deprecate.confirm")}
                      </button>
                      <button
                        type="button"
                        onClick={() => {
                          setConfirming(null);
                        }}
                      >
                        {t("deprecate.cancel")}
                      </button>
                    </span>
                  ) : (
                    <button
                      type="button"
                      className="danger"
                      aria-label={t("deprecate.buttonLabel", names)}
                      onClick={() => {
                        setConfirming(version.id);
                      }}
                    >
                      {t("deprecate.button")}
                    </button>
                  ))}
              </div>
            );
          },
        },
      ]}
    />
  );
}
