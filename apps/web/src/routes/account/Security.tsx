import { useState, type SubmitEvent } from "react";
import { useTranslation } from "react-i18next";
import { useMutation, useQuery } from "urql";
import { DisableMfaMutation, normaliseCode } from "../../auth/mfa";
import { useSession } from "../../auth/SessionContext";
import { sessionCookieContext } from "../../auth/signIn";
import { isAlreadyOn, useMfaEnrolment } from "../../auth/useMfaEnrolment";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { graphql } from "../../graphql";
import { fieldProblems, hasErrorCode } from "../../graphql/errors";
import { MfaEnrolment } from "./MfaEnrolment";
import "../../styles/account.css";

const ChangePasswordMutation = graphql(`
  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {
    changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {
      ...SessionPayloadFields
    }
  }
`);

const SecondFactorQuery = graphql(`
  query SecondFactor {
    me {
      id
      mfaEnabled
    }
  }
`);

/** Whether a second factor is on: as `me` said, or as this page's last change left it */
type Factor = "on" | "off";

function textOf(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}

/** The signed-in user's own security: the second factor (enrol, turn off) and the password. */
export function Security() {
  const { t } = useTranslation("account");
  const session = useSession();
  // read again each visit: a factor may have been turned on or off in another session
  const [me] = useQuery({ query: SecondFactorQuery, requestPolicy: "cache-and-network" });
  const [changed, setFactor] = useState<Factor | null>(null);
  const enrolment = useMfaEnrolment({
    onEnrolled: () => {
      setFactor("on");
    },
  });
  const [disabling, disableMfa] = useMutation(DisableMfaMutation);
  const [changing, changePassword] = useMutation(ChangePasswordMutation);
  const [passwordChanged, setPasswordChanged] = useState(false);

  async function submitDisable(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const result = await disableMfa({ code: normaliseCode(textOf(new FormData(form), "code")) });
    if (result.data?.disableMfa) {
      form.reset();
      setFactor("off");
    } else if (hasErrorCode(result.error, "CONFLICT")) {
      setFactor("off");
    }
  }

  async function submitPassword(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    setPasswordChanged(false);
    const result = await changePassword(
      { currentPassword: textOf(data, "currentPassword"), newPassword: textOf(data, "newPassword") },
      sessionCookieContext(session),
    );
    const payload = result.data?.changePassword;
    // every other session ended, and this one's old token with them: go on with the new one
    if (payload?.accessToken && payload.expiresAt && payload.user) {
      session.signIn({ accessToken: payload.accessToken, expiresAt: Date.parse(payload.expiresAt) }, payload.user);
      form.reset();
      setPasswordChanged(true);
    }
  }

  const enrolmentConflict = isAlreadyOn(enrolment.refusal);
  const told: Factor | null = me.data === undefined ? null : me.data.me.mfaEnabled ? "on" : "off";
  const known: Factor | null = enrolmentConflict ? "on" : (changed ?? told);
  const disableConflict = hasErrorCode(disabling.error, "CONFLICT");
  const disableCodeProblem = fieldProblems(disabling.error, ["code"]).length > 0;
  const passwordProblems = fieldProblems(changing.error);
  const problemAt = (field: string) => passwordProblems.find((problem) => problem.path[0] === field)?.message;
  const currentProblem = problemAt("currentPassword");
  const newProblem = problemAt("newPassword");

  return (
    <div className="security-page">
      <h1>{t("security.title")}</h1>
      <p>{t("security.intro")}</p>

      <section aria-labelledby="security-mfa-title">
        <h2 id="security-mfa-title">{t("security.mfaTitle")}</h2>
        {known === null ? (
          <>
            <ErrorMessage error={me.error} />
            {me.fetching && <Loading />}
          </>
        ) : (
          <p className="security-status" role="status">
            {known === "on" ? t("security.mfaOn") : t("security.mfaOff")}
          </p>
        )}
        {known === null ? null : enrolment.steps ? (
          <MfaEnrolment {...enrolment.steps} />
        ) : (
          <>
            {enrolmentConflict ? <p role="alert">{t("security.alreadyOn")}</p> : <ErrorMessage error={enrolment.refusal} />}
            {known === "off" && (
              <>
                <p>{t("security.enrolIntro")}</p>
                <button type="button" className="primary" onClick={() => void enrolment.begin()}>
                  {t("security.enrol")}
                </button>
              </>
            )}
          </>
        )}
      </section>

      {known === "on" && enrolment.steps === null && (
        <section aria-labelledby="security-disable-title">
          <h2 id="security-disable-title">{t("security.disableTitle")}</h2>
          <form onSubmit={(event) => void submitDisable(event)}>
            <p>{t("security.disableIntro")}</p>
            {disableConflict ? (
              <p role="alert">{t("security.notOn")}</p>
            ) : (
              !disableCodeProblem && <ErrorMessage error={disabling.error} />
            )}
            <div className="field">
              <label htmlFor="security-disable-code">{t("security.disableCode")}</label>
              <input
                id="security-disable-code"
                name="code"
                autoComplete="one-time-code"
                required
                aria-invalid={disableCodeProblem}
                aria-describedby={disableCodeProblem ? "security-disable-code-error" : undefined}
              />
              {disableCodeProblem && (
                <span id="security-disable-code-error" role="alert" className="field-error">
                  {t("enrolment.wrongCode")}
                </span>
              )}
            </div>
            <button type="submit" disabled={disabling.fetching}>
              {t("security.disableSubmit")}
            </button>
          </form>
        </section>
      )}

      <section aria-labelledby="security-password-title">
        <h2 id="security-password-title">{t("security.passwordTitle")}</h2>
        <form onSubmit={(event) => void submitPassword(event)}>
          <p>{t("security.passwordIntro")}</p>
          {passwordChanged && <p role="status">{t("security.passwordChanged")}</p>}
          {passwordProblems.length === 0 && <ErrorMessage error={changing.error} />}
          <div className="field">
            <label htmlFor="security-current-password">{t("security.currentPassword")}</label>
            <input
              id="security-current-password"
              name="currentPassword"
              type="password"
              autoComplete="current-password"
              required
              aria-invalid={currentProblem !== undefined}
              aria-describedby={currentProblem !== undefined ? "security-current-password-error" : undefined}
            />
            {currentProblem !== undefined && (
              <span id="security-current-password-error" role="alert" className="field-error">
                {currentProblem}
              </span>
            )}
          </div>
          <div className="field">
            <label htmlFor="security-new-password">{t("security.newPassword")}</label>
            <input
              id="security-new-password"
              name="newPassword"
              type="password"
              autoComplete="new-password"
              required
              aria-invalid={newProblem !== undefined}
              aria-describedby={newProblem !== undefined ? "security-new-password-error" : undefined}
            />
            {newProblem !== undefined && (
              <span id="security-new-password-error" role="alert" className="field-error">
                {newProblem}
              </span>
            )}
          </div>
          <button type="submit" className="primary" disabled={changing.fetching}>
            {t("security.passwordSubmit")}
          </button>
        </form>
      </section>
    </div>
  );
}
