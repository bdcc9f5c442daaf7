import { useState } from "react";
import { useMutation, type CombinedError, type OperationContext } from "urql";
import { hasErrorCode } from "../graphql/errors";
import { BeginMfaEnrolmentMutation, ConfirmMfaEnrolmentMutation, normaliseCode, type PendingFactor } from "./mfa";

/** Where an enrolment stands: a secret to scan, then the recovery codes to store. */
export type EnrolmentStage =
  | { stage: "idle" }
  | { stage: "starting" }
  | { stage: "pending"; factor: PendingFactor }
  | { stage: "confirmed"; recoveryCodes: readonly string[] };

export interface MfaEnrolment {
  state: EnrolmentStage;
  error: CombinedError | null;
  busy: boolean;
  /** Ask for a secret; `context` carries the enrolment-only token at sign-in. False when
   * refused (CONFLICT: a factor is on already; see `error`). */
  begin: (context?: Partial<OperationContext>) => Promise<boolean>;
  /** Turn the pending factor on with the app's current code. */
  confirm: (code: string) => Promise<void>;
  reset: () => void;
}

/** Enrolling one's own second factor: `beginMfaEnrolment`, then `confirmMfaEnrolment`,
 * both with the same context (the session's token, or the enrolment-only token). */
export function useMfaEnrolment(): MfaEnrolment {
  const [state, setState] = useState<EnrolmentStage>({ stage: "idle" });
  const [context, setContext] = useState<Partial<OperationContext> | undefined>(undefined);
  const [error, setError] = useState<CombinedError | null>(null);
  const [beginning, executeBegin] = useMutation(BeginMfaEnrolmentMutation);
  const [confirming, executeConfirm] = useMutation(ConfirmMfaEnrolmentMutation);

  async function begin(with_?: Partial<OperationContext>): Promise<boolean> {
    setError(null);
    setContext(with_);
    setState({ stage: "starting" });
    const result = await executeBegin({}, with_);
    if (result.error || !result.data) {
      setError(result.error ?? null);
      setState({ stage: "idle" });
      return false;
    }
    setState({ stage: "pending", factor: result.data.beginMfaEnrolment });
    return true;
  }

  async function confirm(code: string): Promise<void> {
    setError(null);
    const result = await executeConfirm({ code: normaliseCode(code) }, context);
    if (result.error || !result.data) {
      setError(result.error ?? null);
      return;
    }
    setState({ stage: "confirmed", recoveryCodes: result.data.confirmMfaEnrolment.recoveryCodes });
  }

  function reset() {
    setState({ stage: "idle" });
    setContext(undefined);
    setError(null);
  }

  return { state, error, busy: beginning.fetching || confirming.fetching, begin, confirm, reset };
}

/** A second factor on already: enrolling another needs it turned off first. */
export function isAlreadyOn(error: CombinedError | null): boolean {
  return hasErrorCode(error, "CONFLICT");
}
