/** One's own second factor (TOTP): enrolling one, turning it off. Enrolling works with the
 * session's access token, or, at sign-in, with the enrolment-only token that `login`
 * answers with `mfaEnrolmentRequired` (good for these two mutations alone, never kept as a
 * session: it lives in the sign-in page's memory until the enrolment is done). */
import type { OperationContext } from "urql";
import { graphql } from "../graphql";

export const BeginMfaEnrolmentMutation = graphql(`
  mutation BeginMfaEnrolment {
    beginMfaEnrolment {
      provisioningUri
      secret
    }
  }
`);

export const ConfirmMfaEnrolmentMutation = graphql(`
  mutation ConfirmMfaEnrolment($code: String!) {
    confirmMfaEnrolment(code: $code) {
      recoveryCodes
    }
  }
`);

export const DisableMfaMutation = graphql(`
  mutation DisableMfa($code: String!) {
    disableMfa(code: $code)
  }
`);

/** What a pending second factor shows: the QR code's URI and the same secret as text. */
export interface PendingFactor {
  provisioningUri: string;
  secret: string;
}

/** The context of an enrolment mutation sent with the enrolment-only token: the session's
 * auth exchange leaves it alone (`signIn`), the token goes in its own header. */
export function enrolmentTokenContext(accessToken: string, language: string): Partial<OperationContext> {
  return {
    fetchOptions: { headers: { Authorization: `Bearer ${accessToken}`, "Accept-Language": language } },
    requestPolicy: "network-only",
    signIn: true,
  };
}

/** A one-time code as typed: spaces (apps show "123 456") taken out. */
export function normaliseCode(typed: string): string {
  return typed.replace(/\s+/g, "");
}
