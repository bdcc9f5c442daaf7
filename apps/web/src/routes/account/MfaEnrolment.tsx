import { useState, type SubmitEvent } from "react";
import { useTranslation } from "react-i18next";
import type { CombinedError } from "urql";
import type { PendingFactor } from "../../auth/mfa";
import type { EnrolmentSteps } from "../../auth/useMfaEnrolment";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { QrCode } from "../../components/QrCode";
import { fieldProblems } from "../../graphql/errors";
import "../../styles/account.css";

export type { EnrolmentView } from "../../auth/useMfaEnrolment";

/** As useMfaEnrolment gives them; cancelling is optional here */
export type MfaEnrolmentProps = Omit<EnrolmentSteps, "onCancel"> & { onCancel?: () => void };

/** Enrolling an authenticator app: its secret as a QR code and as text, the first code,
 * then the recovery codes, which must be acknowledged as stored before going on. */
export function MfaEnrolment({ view, busy, error, onConfirm, onContinue, onCancel }: MfaEnrolmentProps) {
  switch (view.stage) {
    case "starting":
      return <Loading />;
    case "pending":
      return <SecretStep factor={view.factor} busy={busy} error={error} onConfirm={onConfirm} onCancel={onCancel} />;
    case "confirmed":
      return <RecoveryCodesStep recoveryCodes={view.recoveryCodes} onContinue={onContinue} />;
  }
}

/** The secret as apps print it, "ABCD EFGH …": easier to copy by eye (apps ignore spaces). */
export function groupsOfFour(secret: string): string {
  return (secret.match(/.{1,4}/g) ?? []).join(" ");
}

function SecretStep({
  factor,
  busy,
  error,
  onConfirm,
  onCancel,
}: {
  factor: PendingFactor;
  busy: boolean;
  error: CombinedError | null;
  onConfirm: (code: string) => void;
  onCancel?: () => void;
}) {
  const { t } = useTranslation("account");
  const codeProblem = fieldProblems(error, ["code"]).length > 0;
  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const code = new FormData(event.currentTarget).get("code");
    onConfirm(typeof code === "string" ? code : "");
  }
  return (
    <form onSubmit={submit} className="mfa-enrolment" aria-label={t("enrolment.title")}>
      <p>{t("enrolment.scan")}</p>
      <QrCode value={factor.provisioningUri} label={t("enrolment.qrLabel")} />
      <p>{t("enrolment.manual")}</p>
      <p>
        <code className="mfa-secret" aria-label={t("enrolment.secretLabel")}>
          {groupsOfFour(factor.secret)}
        </code>
      </p>
      {!codeProblem && <ErrorMessage error={error} />}
      <div className="field">
        <label htmlFor="mfa-enrolment-code">{t("enrolment.code")}</label>
        <input
          id="mfa-enrolment-code"
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          required
          aria-describedby={codeProblem ? "mfa-enrolment-code-hint mfa-enrolment-code-error" : "mfa-enrolment-code-hint"}
          aria-invalid={codeProblem}
        />
        <span id="mfa-enrolment-code-hint" className="field-hint">
          {t("enrolment.codeHint")}
        </span>
        {codeProblem && (
          <span id="mfa-enrolment-code-error" role="alert" className="field-error">
            {t("enrolment.wrongCode")}
          </span>
        )}
      </div>
      <button type="submit" className="primary" disabled={busy}>
        {busy ? t("enrolment.confirming") : t("enrolment.confirm")}
      </button>
      {onCancel && (
        <>
          {" "}
          <button type="button" onClick={onCancel}>
            {t("enrolment.cancel")}
          </button>
        </>
      )}
    </form>
  );
}

function RecoveryCodesStep({ recoveryCodes, onContinue }: { recoveryCodes: readonly string[]; onContinue: () => void }) {
  const { t } = useTranslation("account");
  const [stored, setStored] = useState(false);
  return (
    <section className="mfa-recovery" aria-labelledby="mfa-recovery-title">
      <h2 id="mfa-recovery-title">{t("enrolment.recoveryTitle")}</h2>
      <p role="alert" className="mfa-store-now">
        {t("enrolment.recoveryIntro")}
      </p>
      <ul aria-label={t("enrolment.recoveryListLabel")} className="mfa-recovery-codes">
        {recoveryCodes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <div className="field field-checkbox">
        <label>
          <input
            type="checkbox"
            checked={stored}
            onChange={(event) => {
              setStored(event.currentTarget.checked);
            }}
          />
          {t("enrolment.stored")}
        </label>
      </div>
      <button type="button" className="primary" disabled={!stored} onClick={onContinue}>
        {t("enrolment.continue")}
      </button>
    </section>
  );
}
