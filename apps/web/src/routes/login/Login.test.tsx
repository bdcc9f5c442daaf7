import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";
import { App } from "../../App";
import { Session } from "../../auth/session";
import { createI18n } from "../../i18n/setup";
import { routes } from "../../router";
import { fakeServer, graphqlError, json, type SentRequest } from "../../test/fakeServer";
import { marketOps } from "../../test/users";

const SECRET = "JBSWY3DPEHPK3PXP";
const RECOVERY_CODES = ["ABCD-EFGH-IJKL-MNOP", "QRST-UVWX-YZAB-CDEF"];

interface Operation {
  operationName: string;
  variables: Record<string, string>;
}

function operationOf(request: SentRequest): Operation {
  return request.body as Operation;
}

function payload(fields: Partial<Record<string, unknown>>) {
  return {
    accessToken: null,
    expiresAt: null,
    mfaRequired: false,
    mfaChallenge: null,
    mfaEnrolmentRequired: false,
    user: null,
    __typename: "AuthPayload",
    ...fields,
  };
}

/** The API for a market-operations user who must enrol a second factor: the first login
 * answers an enrolment-only token; once enrolled, a login asks for a code. */
function apiRequiringEnrolment() {
  let enrolled = false;
  return fakeServer((request) => {
    if (request.path !== "/graphql") return new Response(null, { status: 204 });
    const { operationName, variables } = operationOf(request);
    const bearer = request.headers.get("Authorization");
    switch (operationName) {
      case "Login":
        if (variables.password !== "right") return graphqlError("UNAUTHENTICATED");
        return json({
          data: {
            login: enrolled
              ? payload({ mfaRequired: true, mfaChallenge: "challenge-1" })
              : payload({ accessToken: "enrolment-only", mfaEnrolmentRequired: true, expiresAt: new Date(Date.now() + 600_000).toISOString() }),
          },
        });
      case "BeginMfaEnrolment":
        if (bearer !== "Bearer enrolment-only") return graphqlError("UNAUTHENTICATED");
        return json({
          data: {
            beginMfaEnrolment: {
              provisioningUri: `otpauth://totp/Workflow%20Manager:ops?secret=${SECRET}`,
              secret: SECRET,
              __typename: "MfaEnrolmentPayload",
            },
          },
        });
      case "ConfirmMfaEnrolment":
        if (bearer !== "Bearer enrolment-only") return graphqlError("UNAUTHENTICATED");
        enrolled = true;
        return json({ data: { confirmMfaEnrolment: { recoveryCodes: RECOVERY_CODES, __typename: "MfaConfirmation" } } });
      case "VerifyMfa":
        return json({
          data: {
            verifyMfa: payload({
              accessToken: "session",
              expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
              user: { ...marketOps, __typename: "User", tenant: null },
            }),
          },
        });
      default:
        // the screen landed on reads its own data: an empty list of templates
        return json({ data: { templates: [] } });
    }
  });
}

describe("signing in with a second factor to enrol first", () => {
  // a whole sign-in, typed key by key: longer than a test's usual 5 s on a busy machine
  it("enrols with the token the login answered, then signs in with a code", { timeout: 30_000 }, async () => {
    const user = userEvent.setup();
    const server = apiRequiringEnrolment();
    const session = new Session({ fetch: server.fetch });
    session.expire();
    const router = createMemoryRouter(routes, { initialEntries: ["/login?next=%2Fconsole%2Ftemplates"] });
    render(<App session={session} i18n={createI18n("en")} router={router} client={{ fetch: server.fetch, webSocketUrl: null }} />);
    const sent = () => server.to("/graphql").map((request) => operationOf(request).operationName);

    await user.type(await screen.findByLabelText("E-mail"), "ops@tso.example");
    await user.type(screen.getByLabelText("Password"), "right");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByLabelText("Secret")).toBeDefined();
    // one login: its enrolment-only token went with the enrolment, and opened no session
    expect(sent()).toEqual(["Login", "BeginMfaEnrolment"]);
    expect(session.accessToken).toBeNull();

    await user.type(screen.getByLabelText("Code from the app"), "123456");
    await user.click(screen.getByRole("button", { name: "Turn the second factor on" }));
    await user.click(await screen.findByRole("checkbox", { name: "I have stored my recovery codes" }));
    await user.click(screen.getByRole("button", { name: "Continue" }));

    // signed in again with the password kept for that moment, now with a code
    expect(await screen.findByRole("heading", { name: "Sign in with your second factor" })).toBeDefined();
    await user.type(screen.getByLabelText("Code", { exact: true }), "654321");
    await user.click(screen.getByRole("button", { name: "Verify" }));
    // the screen is loaded with its route: give it time on a busy machine
    expect(await screen.findByRole("heading", { name: "Templates" }, { timeout: 10_000 })).toBeDefined();
    expect(sent().slice(0, 5)).toEqual(["Login", "BeginMfaEnrolment", "ConfirmMfaEnrolment", "Login", "VerifyMfa"]);
    expect(session.accessToken).toBe("session");
  });

  it("starts again from the password when the enrolment is cancelled", async () => {
    const user = userEvent.setup();
    const server = apiRequiringEnrolment();
    const session = new Session({ fetch: server.fetch });
    session.expire();
    const router = createMemoryRouter(routes, { initialEntries: ["/login"] });
    render(<App session={session} i18n={createI18n("en")} router={router} client={{ fetch: server.fetch, webSocketUrl: null }} />);

    await user.type(await screen.findByLabelText("E-mail"), "ops@tso.example");
    await user.type(screen.getByLabelText("Password"), "right");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    await user.click(await screen.findByRole("button", { name: "Cancel" }));
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeDefined();
    expect(screen.queryByLabelText("Secret")).toBeNull();
  });
});
