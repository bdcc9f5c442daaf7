import { useState, type SubmitEvent } from "react";
import { useTranslation } from "react-i18next";
import { Navigate, useNavigate, useSearchParams } from "react-router";
import { useClient, type CombinedError } from "urql";
import { afterSignIn } from "../../auth/roles";
import { useSession, useSessionState } from "../../auth/SessionContext";
import { signInWithPassword, verifySecondFactor, type SignInOutcome } from "../../auth/signIn";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { hasErrorCode } from "../../graphql/errors";
import { LanguageSwitch } from "../../layout/LanguageSwitch";

type Step = { kind: "password" } | { kind: "secondFactor"; challenge: string } | { kind: "enrolmentRequired" };

function textOf(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}

/** Sign-in: e-mail and password, then a second factor's code when the account has one. */
export function Login() {
  const { t } = useTranslation(["auth", "common"]);
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

  if (state.status === "restoring") return <Loading />;
  if (state.status === "signedIn" && !busy) {
    return <Navigate to={afterSignIn(params.get("next"), state.user)} replace />;
  }

  async function attempt(signIn: () => Promise<SignInOutcome>, refusal: string) {
    setBusy(true);
    setError({ refusal: null, error: null });
    try {
      const outcome = await signIn();
      switch (outcome.kind) {
        case "signedIn":
          void navigate(afterSignIn(params.get("next"), outcome.user), { replace: true });
          break;
        case "mfaRequired":
          setStep({ kind: "secondFactor", challenge: outcome.challenge });
          break;
        case "enrolmentRequired":
          setStep({ kind: "enrolmentRequired" });
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
    const email = textOf(form, "email");
    const password = textOf(form, "password");
    void attempt(() => signInWithPassword(client, session, email, password), t("signIn.invalid"));
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
      <main id="main" className="login-card">
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
            <h1 id="mfa-title">{t("mfa.title")}</h1>
            <p>{t("mfa.intro")}</p>
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
            <button
              type="button"
              onClick={() => {
                setStep({ kind: "password" });
              }}
            >
              {t("mfa.restart")}
            </button>
          </form>
        )}
        {step.kind === "enrolmentRequired" && (
          <section aria-labelledby="enrol-title">
            <h1 id="enrol-title">{t("signIn.title")}</h1>
            <p role="alert">{t("enrolmentRequired")}</p>
            <button
              type="button"
              onClick={() => {
                setStep({ kind: "password" });
              }}
            >
              {t("mfa.restart")}
            </button>
          </section>
        )}
      </main>
    </div>
  );
}
