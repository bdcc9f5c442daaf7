import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { Locale } from "../../../graphql/enums";
import type { FieldProblem } from "../../../graphql/errors";

export interface Invitation {
  email: string;
  role: "tenant_user" | "tenant_admin";
  locale: Locale;
}

export interface InviteFormProps {
  busy: boolean;
  defaultLocale: Locale;
  /** The API's problems with the last invitation, by field (`input.email`...) */
  problems: readonly FieldProblem[];
  onInvite: (invitation: Invitation) => void;
}

const LOCALES: readonly Locale[] = ["EN", "FR", "NL"];

function problemAt(problems: readonly FieldProblem[], field: string): string | null {
  const found = problems.find((problem) => problem.path[problem.path.length - 1] === field);
  return found ? found.message : null;
}

/** E-mail, role and language of a person to invite to the tenant. */
export function InviteForm({ busy, defaultLocale, problems, onInvite }: InviteFormProps) {
  const { t } = useTranslation("portal");
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Invitation["role"]>("tenant_user");
  const [locale, setLocale] = useState<Locale>(defaultLocale);
  const emailProblem = problemAt(problems, "email");
  return (
    <form
      className="invite-form"
      aria-labelledby="invite-title"
      onSubmit={(event) => {
        event.preventDefault();
        onInvite({ email: email.trim(), role, locale });
      }}
    >
      <h2 id="invite-title">{t("usersPage.inviteTitle")}</h2>
      <div className="field">
        <label htmlFor="invite-email">{t("usersPage.inviteEmail")}</label>
        <input
          id="invite-email"
          type="email"
          required
          autoComplete="off"
          value={email}
          aria-invalid={emailProblem !== null}
          aria-describedby={emailProblem ? "invite-email-problem" : undefined}
          onChange={(event) => {
            setEmail(event.target.value);
          }}
        />
        {emailProblem && (
          <p id="invite-email-problem" className="field-problem">
            {emailProblem}
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor="invite-role">{t("usersPage.inviteRole")}</label>
        <select
          id="invite-role"
          value={role}
          onChange={(event) => {
            setRole(event.target.value === "tenant_admin" ? "tenant_admin" : "tenant_user");
          }}
        >
          <option value="tenant_user">{t("usersPage.roleNames.tenant_user")}</option>
          <option value="tenant_admin">{t("usersPage.roleNames.tenant_admin")}</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="invite-locale">{t("usersPage.inviteLocale")}</label>
        <select
          id="invite-locale"
          value={locale}
          onChange={(event) => {
            setLocale(LOCALES.find((candidate) => candidate === event.target.value) ?? "EN");
          }}
        >
          {LOCALES.map((option) => (
            <option key={option} value={option}>
              {t(`usersPage.locales.${option}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="form-actions">
        <button className="primary" type="submit" disabled={busy}>
          {busy ? t("usersPage.inviting") : t("usersPage.invite")}
        </button>
      </div>
    </form>
  );
}
