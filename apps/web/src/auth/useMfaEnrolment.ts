import { useState } from "react";
import { useMutation, type CombinedError, type OperationContext } from "urql";
import { hasErrorCode } from "../graphql/errors";
import { BeginMfaEnrolmentMutation, ConfirmMfaEnrolmentMutation, normaliseCode, type PendingFactor } from "./mfa";

/** What an enrolment under way shows: a wait for the secret, the secret to scan, then the
 * recovery codes to store. */
export type EnrolmentView =
  | { stage: "starting" }
  | { stage: "pending"; factor: PendingFactor }
  | { stage: "confirmed"; recoveryCodes: readonly string[] };

/** The enrolment screen's props (src/routes/account/MfaEnrolment.tsx). */
export interface EnrolmentSteps {
  view: EnrolmentView;
  busy: boolean;
  /** The refusal of the last code (at its field) or anything else */
  error: CombinedError | null;
  onConfirm: (code: string) => void;
  /** The recovery codes were stored: the factor is on */
  onContinue: () => void;
  onCancel: () => void;
}

export interface MfaEnrolment {
  /** The enrolment screen's props from `begin` until it is done or cancelled; null before */
  steps: EnrolmentSteps | null;
  /** Why the last `begin` was refused (CONFLICT: a factor is on already, see isAlreadyOn) */
  refusal: CombinedError | null;
  /** Ask for a secret; `context` carries the enrolment-only token at sign-in (the session's
   * token otherwise). False when refused. */
  begin: (context?: Partial<OperationContext>) => Promise<boolean>;
}

export interface EnrolmentOutcomes {
  /** The factor is on and its recovery codes stored */
  onEnrolled?: () => void;
  onCancelled?: () => void;
}

/** Enrolling one's own second factor, on the Security page or while signing in:
 * `beginMfaEnrolment`, then `confirmMfaEnrolment` with the app's code, both with the same
 * context, then the recovery codes acknowledged as stored. */
export function useMfaEnrolment({ onEnrolled, onCancelled }: EnrolmentOutcomes = {}): MfaEnrolment {
  const [view, setView] = useState<EnrolmentView | null>(null);
  const [context, setContext] = useState<Partial<OperationContext> | undefined>(undefined);
  const [error, setError] = useState<CombinedError | null>(null);
  const [beginning, executeBegin] = useMutation(BeginMfaEnrolmentMutation);
  const [confirming, executeConfirm] = useMutation(ConfirmMfaEnrolmentMutation);

  async function begin(with_?: Partial<OperationContext>): Promise<boolean> {
    setError(null);
    setContext(with_);
    setView({ stage: "starting" });
    const result = await executeBegin({}, with_);
    if (result.error || !result.data) {
      setError(result.error ?? null);
      setView(null);
      return false;
    }
    setView({ stage: "pending", factor: result.data.beginMfaEnrolment });
    return true;
  }

  async function confirm(code: string): Promise<void> {
    setError(null);
    const result = await executeConfirm({ code: normaliseCode(code) }, context);
    if (result.error || !result.data) {
      setError(result.error ?? null);
      return;
    }
    setView({ stage: "confirmed", recoveryCodes: result.data.confirmMfaEnrolment.recoveryCodes });
  }

  // the enrolment-only token goes with the enrolment
  function end() {
    setView(null);
    setContext(undefined);
    setError(null);
  }

  const steps: EnrolmentSteps | null =
    view === null
      ? null
      : {
          view,
          busy: beginning.fetching || confirming.fetching,
          error,
          onConfirm: (code) => {
            void confirm(code);
          },
          onContinue: () => {
            end();
            onEnrolled?.();
          },
          onCancel: () => {
            end();
            onCancelled?.();
          },
        };
  return { steps, refusal: view === null ? error : null, begin };
}

/** A second factor on already: enrolling another needs it turned off first. */
export function isAlreadyOn(error: CombinedError | null): boolean {
  return hasErrorCode(error, "CONFLICT");
}
