import type { Client, CombinedError, OperationContext } from "urql";
import { graphql } from "../graphql";
import { SESSION_HEADERS, type Session, type SessionUser } from "./session";

export const SessionPayloadFields = graphql(`
  fragment SessionPayloadFields on AuthPayload {
    accessToken
    expiresAt
    mfaRequired
    mfaChallenge
    mfaEnrolmentRequired
    user {
      ...SessionUserFields
    }
  }
`);

export const LoginMutation = graphql(`
  mutation Login($email: String!, $password: String!) {
    login(email: $email, password: $password) {
      ...SessionPayloadFields
    }
  }
`);

export const VerifyMfaMutation = graphql(`
  mutation VerifyMfa($challenge: String!, $code: String!) {
    verifyMfa(challenge: $challenge, code: $code) {
      ...SessionPayloadFields
    }
  }
`);

/** Every mutation that answers a session (login, verifyMfa, changePassword) is sent with
 * this context: the API then keeps the refresh token in an HttpOnly cookie. The auth
 * exchange leaves these alone (their UNAUTHENTICATED means a wrong password). The session
 * says whether the cookie crosses to another origin (`credentials`). */
export function sessionCookieContext(session: Pick<Session, "credentials">): Partial<OperationContext> {
  return {
    fetchOptions: { headers: { ...SESSION_HEADERS }, credentials: session.credentials },
    requestPolicy: "network-only",
    signIn: true,
  };
}

export type SignInOutcome =
  | { kind: "signedIn"; user: SessionUser }
  | { kind: "mfaRequired"; challenge: string }
  /** No session: a second factor must be enrolled first, with `enrolmentToken` (an access
   * token that beginMfaEnrolment and confirmMfaEnrolment alone accept), then sign in again */
  | { kind: "enrolmentRequired"; enrolmentToken: string }
  | { kind: "refused"; error: CombinedError };

interface SessionPayload {
  accessToken: string | null;
  expiresAt: string | null;
  mfaRequired: boolean;
  mfaChallenge: string | null;
  mfaEnrolmentRequired: boolean;
  user: SessionUser | null;
}

function settle(session: Session, payload: SessionPayload): SignInOutcome {
  if (payload.mfaRequired && payload.mfaChallenge) {
    return { kind: "mfaRequired", challenge: payload.mfaChallenge };
  }
  if (!payload.accessToken) throw new Error("the API answered a sign-in with neither a challenge nor a token");
  // its token is good for enrolling a second factor alone: never kept as a session
  if (payload.mfaEnrolmentRequired) return { kind: "enrolmentRequired", enrolmentToken: payload.accessToken };
  if (!payload.expiresAt || !payload.user) throw new Error("the API answered a session without its expiry or user");
  const grant = { accessToken: payload.accessToken, expiresAt: Date.parse(payload.expiresAt) };
  session.signIn(grant, payload.user);
  return { kind: "signedIn", user: payload.user };
}

export async function signInWithPassword(
  client: Client,
  session: Session,
  email: string,
  password: string,
): Promise<SignInOutcome> {
  const result = await client
    .mutation(LoginMutation, { email, password }, sessionCookieContext(session))
    .toPromise();
  if (result.error) return { kind: "refused", error: result.error };
  if (!result.data) throw new Error("the API answered login with nothing");
  return settle(session, result.data.login);
}

export async function verifySecondFactor(
  client: Client,
  session: Session,
  challenge: string,
  code: string,
): Promise<SignInOutcome> {
  const result = await client
    .mutation(VerifyMfaMutation, { challenge, code }, sessionCookieContext(session))
    .toPromise();
  if (result.error) return { kind: "refused", error: result.error };
  if (!result.data) throw new Error("the API answered verifyMfa with nothing");
  return settle(session, result.data.verifyMfa);
}
