import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { MarketRole } from "../../../graphql/enums";
import type { RoleUnavailable } from "../roleOffering";

export interface TemplateChoice {
  key: string;
  name: string;
  description: string | null;
}

export interface RoleChoiceProps {
  available: readonly MarketRole[];
  unavailable: readonly RoleUnavailable[];
  role: MarketRole | null;
  onRole: (role: MarketRole) => void;
  templates: readonly TemplateChoice[] | null;
  templateKey: string | null;
  onTemplate: (key: string) => void;
  busy: boolean;
  onStart: () => void;
}

/** The market roles a tenant may apply for (radio buttons), the templates of the chosen one,
 * and why the other roles are not offered. */
export function RoleChoice(props: RoleChoiceProps) {
  const { t } = useTranslation("portal");
  const { available, unavailable, role, templates, templateKey, busy } = props;
  return (
    <>
      {available.length === 0 ? (
        <p className="notice">{t("startForm.noRoles")}</p>
      ) : (
        <form
          className="start-form"
          onSubmit={(event) => {
            event.preventDefault();
            props.onStart();
          }}
        >
          <fieldset>
            <legend>{t("startForm.chooseRole")}</legend>
            {available.map((option) => (
              <label key={option} className="choice">
                <input
                  type="radio"
                  name="marketRole"
                  value={option}
                  checked={role === option}
                  onChange={() => {
                    props.onRole(option);
                  }}
                />
                {t(`roles.${option}`)}
              </label>
            ))}
          </fieldset>
          {role !== null && templates !== null && (
            <fieldset>
              <legend>{t("startForm.chooseTemplate")}</legend>
              {templates.length === 0 ? (
                <p>{t("startForm.noTemplates")}</p>
              ) : (
                templates.map((template) => (
                  <label key={template.key} className="choice">
                    <input
                      type="radio"
                      name="templateKey"
                      value={template.key}
                      checked={templateKey === template.key}
                      onChange={() => {
                        props.onTemplate(template.key);
                      }}
                    />
                    <span>
                      <strong>{template.name}</strong>
                      {template.description && <span className="choice-description">{template.description}</span>}
                    </span>
                  </label>
                ))
              )}
            </fieldset>
          )}
          <div className="form-actions">
            <button className="primary" type="submit" disabled={busy || role === null || templateKey === null}>
              {busy ? t("startForm.starting") : t("startForm.submit")}
            </button>
          </div>
        </form>
      )}
      {unavailable.length > 0 && (
        <div className="table-scroll">
          <table className="data-table">
            <caption>{t("startForm.unavailableCaption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("startForm.unavailableRole")}</th>
                <th scope="col">{t("startForm.unavailableWhy")}</th>
              </tr>
            </thead>
            <tbody>
              {unavailable.map((entry) => (
                <tr key={entry.role}>
                  <td>{t(`roles.${entry.role}`)}</td>
                  <td>
                    {entry.reason === "held" ? (
                      t("startForm.held", { status: roleStatusText(entry.status, t) })
                    ) : (
                      <>
                        {t("startForm.underWay")} — <Link to={`/portal/workflows/${entry.workflowId}`}>{t("startForm.openExisting")}</Link>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

const ROLE_STATUSES = ["pending", "active", "suspended", "terminated"] as const;

export function roleStatusText(status: string, t: ReturnType<typeof useTranslation<"portal">>["t"]): string {
  const known = ROLE_STATUSES.find((candidate) => candidate === status);
  return known ? t(`roleStatus.${known}`) : status;
}
