import { useState, type SubmitEvent } from "react";
import { useTranslation } from "react-i18next";
import { Navigate, useNavigate, useSearchParams } from "react-router";
import { useClient, type CombinedError } from "urql";
import { afterSignIn } from "../../auth/roles";
import { useSession, useSessionState } from "../../auth/SessionContext";
import { enrolmentTokenContext } from "../../auth/mfa";
import { useMfaEnrolment } from "../../auth/useMfaEnrolment";
import { signInWithPassword, verifySecondFactor, type SignInOutcome } from "../../auth/signIn";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { hasErrorCode } from "../../graphql/errors";
import { LanguageSwitch } from "../../layout/LanguageSwitch";
import { MfaEnrolment } from "../account/MfaEnrolment";

/** The password kept in memory only while a required second factor is enrolled: the
 * enrolment-only token opens no session, so the page signs in again once it is done. */
interface Credentials {
  email: string;
  password: string;
}

type Step =
  | { kind: "password" }
  | { kind: "secondFactor"; challenge: string; afterEnrolment: boolean }
  | { kind: "enrol"; credentials: Credentials };

function textOf(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}

/** Sign-in: e-mail and password, then a second factor's code when the account has one;
 * a user who must have one and has none enrols it here first, then signs in with it. */
export function Login() {
  const { t, i18n } = useTranslation(["auth", "common", "account"]);
  const session = useSession();
  const state = useSessionState();
  const client = useClient();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [step, setStep] = useState<Step>({ kind: "password" });
  const [error, setError] = useState<{ refusal: string | null; error: CombinedError | null }>({
    refusal: null,
    error: null,
  });
  const [busy, setBusy] = useState(false);
  const enrolment = useMfaEnrolment({
    onEnrolled: () => {
      if (step.kind === "enrol") signInAfterEnrolment(step.credentials);
    },
    onCancelled: restart,
  });

  if (state.status === "restoring") return <Loading />;
  if (state.status === "signedIn" && !busy) {
    return <Navigate to={afterSignIn(params.get("next"), state.user)} replace />;
  }

  async function attempt(
    signIn: () => Promise<SignInOutcome>,
    refusal: string,
    { credentials, afterEnrolment = false }: { credentials?: Credentials; afterEnrolment?: boolean } = {},
  ) {
    setBusy(true);
    setError({ refusal: null, error: null });
    try {
      const outcome = await signIn();
      switch (outcome.kind) {
        case "signedIn":
          void navigate(afterSignIn(params.get("next"), outcome.user), { replace: true });
          break;
        case "mfaRequired":
          setStep({ kind: "secondFactor", challenge: outcome.challenge, afterEnrolment });
          break;
        case "enrolmentRequired":
          // enrolled with the token this login answered, then signed in again with the password
          if (credentials) {
            setStep({ kind: "enrol", credentials });
            await enrolment.begin(enrolmentTokenContext(outcome.enrolmentToken, i18n.language));
          }
          break;
        case "refused":
          // a wrong password or code is UNAUTHENTICATED: said here in the sign-in's words
          setError(
            hasErrorCode(outcome.error, "UNAUTHENTICATED")
              ? { refusal, error: null }
              : { refusal: null, error: outcome.error },
          );
          break;
      }
    } finally {
      setBusy(false);
    }
  }

  function submitPassword(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const credentials = { email: textOf(form, "email"), password: textOf(form, "password") };
    void attempt(
      () => signInWithPassword(client, session, credentials.email, credentials.password),
      t("signIn.invalid"),
      { credentials },
    );
  }

  /** Enrolled and the recovery codes stored: sign in again, now with the second factor
   * (the password is forgotten with the enrolment step). */
  function signInAfterEnrolment(credentials: Credentials) {
    void attempt(() => signInWithPassword(client, session, credentials.email, credentials.password), t("signIn.invalid"), {
      credentials,
      afterEnrolment: true,
    });
  }

  function restart() {
    setError({ refusal: null, error: null });
    setStep({ kind: "password" });
  }

  function submitCode(challenge: string) {
    return (event: SubmitEvent<HTMLFormElement>) => {
      event.preventDefault();
      const code = textOf(new FormData(event.currentTarget), "code").trim();
      void attempt(() => verifySecondFactor(client, session, challenge, code), t("mfa.invalid"));
    };
  }

  const problems = (
    <>
      {error.refusal !== null && (
        <p role="alert" className="error-message">
          {error.refusal}
        </p>
      )}
      <ErrorMessage error={error.error} />
    </>
  );

  return (
    <div className="login-page">
      <header className="login-header">
        <span className="product">{t("common:product")}</span>
        <LanguageSwitch />
      </header>
      <main id="main" className={step.kind === "enrol" ? "login-card login-card-enrolment" : "login-card"}>
        {step.kind === "password" && (
          <form onSubmit={submitPassword} aria-labelledby="login-title">
            <h1 id="login-title">{t("signIn.title")}</h1>
            {problems}
            <div className="field">
              <label htmlFor="login-email">{t("signIn.email")}</label>
              <input id="login-email" name="email" type="email" autoComplete="username" required />
            </div>
            <div className="field">
              <label htmlFor="login-password">{t("signIn.password")}</label>
              <input
                id="login-password"
                name="password"
                type="password"
                autoComplete="current-password"
                required
              />
            </div>
            <button type="submit" className="primary" disabled={busy}>
              {busy ? t("signIn.submitting") : t("signIn.submit")}
            </button>
          </form>
        )}
        {step.kind === "secondFactor" && (
          <form onSubmit={submitCode(step.challenge)} aria-labelledby="mfa-title">
            <h1 id="mfa-title">{step.afterEnrolment ? t("account:signInAgain.title") : t("mfa.title")}</h1>
            <p>{step.afterEnrolment ? t("account:signInAgain.intro") : t("mfa.intro")}</p>
            {problems}
            <div className="field">
              <label htmlFor="login-code">{t("mfa.code")}</label>
              <input
                id="login-code"
                name="code"
                inputMode="numeric"
                autoComplete="one-time-code"
                required
              />
            </div>
            <button type="submit" className="primary" disabled={busy}>
              {t("mfa.submit")}
            </button>{" "}
            <button type="button" onClick={restart}>
              {t("mfa.restart")}
            </button>
          </form>
        )}
        {step.kind === "enrol" && (
          <section aria-labelledby="enrol-title">
            <h1 id="enrol-title">{t("account:enrolment.title")}</h1>
            <p>{t("account:enrolment.requiredIntro")}</p>
            {problems}
            {enrolment.steps ? (
              <MfaEnrolment {...enrolment.steps} />
            ) : (
              <>
                <ErrorMessage error={enrolment.refusal} />
                <button type="button" onClick={restart}>
                  {t("mfa.restart")}
                </button>
              </>
            )}
          </section>
        )}
      </main>
    </div>
  );
}
