import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";
import { App } from "../../App";
import { Session } from "../../auth/session";
import { createI18n } from "../../i18n/setup";
import { routes } from "../../router";
import { fakeServer, graphqlError, json, type FakeServer } from "../../test/fakeServer";
import { marketOps } from "../../test/users";

/** The API of a signed-in user; `factorOn`: a second factor is on already (`told`: what `me`
 * says of it, unless another session changed it since). */
function api({ factorOn, told = factorOn }: { factorOn: boolean; told?: boolean }): FakeServer {
  let on = factorOn;
  return fakeServer((request) => {
    if (request.path !== "/graphql") return new Response(null, { status: 204 });
    const { operationName } = request.body as { operationName: string };
    if (request.headers.get("Authorization") !== "Bearer token") return graphqlError("UNAUTHENTICATED");
    switch (operationName) {
      case "SecondFactor":
        return json({ data: { me: { id: marketOps.id, mfaEnabled: told, __typename: "User" } } });
      case "BeginMfaEnrolment":
        if (on) return graphqlError("CONFLICT", "a second factor is on already");
        return json({
          data: {
            beginMfaEnrolment: {
              provisioningUri: "otpauth://totp/Workflow%20Manager:ops?secret=JBSWY3DPEHPK3PXP",
              secret: "JBSWY3DPEHPK3PXP",
              __typename: "MfaEnrolmentPayload",
            },
          },
        });
      case "ConfirmMfaEnrolment":
        on = true;
        return json({ data: { confirmMfaEnrolment: { recoveryCodes: ["ABCD-EFGH-IJKL-MNOP"], __typename: "MfaConfirmation" } } });
      case "DisableMfa":
        if (!on) return graphqlError("CONFLICT", "no second factor is on");
        if ((request.body as { variables: { code: string } }).variables.code !== "123456") {
          return json({ data: null, errors: [{ message: "wrong code", extensions: { code: "VALIDATION_FAILED", fields: [{ path: ["code"], message: "wrong code" }] } }] });
        }
        on = false;
        return json({ data: { disableMfa: true } });
      default:
        return json({ data: null, errors: [{ message: `unexpected ${operationName}` }] });
    }
  });
}

async function openSecurity(server: FakeServer) {
  const session = new Session({ fetch: server.fetch });
  session.signIn({ accessToken: "token", expiresAt: Date.now() + 3_600_000 }, marketOps);
  const router = createMemoryRouter(routes, { initialEntries: ["/account/security"] });
  render(<App session={session} i18n={createI18n("en")} router={router} client={{ fetch: server.fetch, webSocketUrl: null }} />);
  // the screen is loaded with its route: give it time on a busy machine
  await screen.findByRole("heading", { level: 1, name: "Security" }, { timeout: 10_000 });
}

const ON = "A second factor is on: signing in asks for a code of your authenticator app.";
const OFF = "No second factor is on: signing in asks for your password alone.";

describe("the Security page", () => {
  it("says when no second factor is on, and offers to turn one on", { timeout: 30_000 }, async () => {
    await openSecurity(api({ factorOn: false }));
    expect(await screen.findByText(OFF)).toBeDefined();
    expect(screen.getByRole("button", { name: "Turn on" })).toBeDefined();
    expect(screen.queryByRole("button", { name: "Turn off" })).toBeNull();
  });

  it("says when a second factor is on, and turns it off with a code", { timeout: 30_000 }, async () => {
    const user = userEvent.setup();
    await openSecurity(api({ factorOn: true }));
    expect(await screen.findByText(ON)).toBeDefined();
    expect(screen.queryByRole("button", { name: "Turn on" })).toBeNull();
    await user.type(screen.getByLabelText("Code"), "123456");
    await user.click(screen.getByRole("button", { name: "Turn off" }));
    expect(await screen.findByText(OFF)).toBeDefined();
    expect(screen.getByRole("button", { name: "Turn on" })).toBeDefined();
    expect(screen.queryByRole("button", { name: "Turn off" })).toBeNull();
  });

  it("adds an authenticator app with the session's token, then says the factor is on", { timeout: 30_000 }, async () => {
    const user = userEvent.setup();
    await openSecurity(api({ factorOn: false }));
    await user.click(await screen.findByRole("button", { name: "Turn on" }));
    await user.type(await screen.findByLabelText("Code from the app"), "123456");
    await user.click(screen.getByRole("button", { name: "Turn the second factor on" }));
    await user.click(await screen.findByRole("checkbox", { name: "I have stored my recovery codes" }));
    await user.click(screen.getByRole("button", { name: "Continue" }));
    expect(screen.getByText(ON)).toBeDefined();
    expect(screen.queryByRole("button", { name: "Turn on" })).toBeNull();
    expect(screen.getByRole("heading", { name: "Turn the second factor off" })).toBeDefined();
  });

  it("says when a second factor was turned on in another session meanwhile", { timeout: 30_000 }, async () => {
    const user = userEvent.setup();
    await openSecurity(api({ factorOn: true, told: false }));
    await user.click(await screen.findByRole("button", { name: "Turn on" }));
    expect(
      await screen.findByText("A second factor is already on. Turn it off first to add another authenticator app."),
    ).toBeDefined();
    expect(screen.getByText(ON)).toBeDefined();
    expect(screen.queryByRole("button", { name: "Turn on" })).toBeNull();
  });

  it("goes back to where it was when the enrolment is cancelled", { timeout: 30_000 }, async () => {
    const user = userEvent.setup();
    await openSecurity(api({ factorOn: false }));
    await user.click(await screen.findByRole("button", { name: "Turn on" }));
    await user.click(await screen.findByRole("button", { name: "Cancel" }));
    expect(screen.queryByLabelText("Secret")).toBeNull();
    expect(screen.getByRole("button", { name: "Turn on" })).toBeDefined();
  });
});
