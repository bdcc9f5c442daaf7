import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";
import { App } from "./App";
import { Session, type SessionUser } from "./auth/session";
import { createI18n } from "./i18n/setup";
import { routes } from "./router";
import { fakeServer, graphqlError, json } from "./test/fakeServer";
import { marketOps, tenantAdmin, tenantUser } from "./test/users";

function openApp(path: string, user: SessionUser | null) {
  const server = fakeServer(() => new Response(null, { status: 204 }));
  const session = new Session({ fetch: server.fetch });
  if (user) session.signIn({ accessToken: "token", expiresAt: Date.now() + 3_600_000 }, user);
  else session.expire();
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  render(
    <App
      session={session}
      i18n={createI18n("en")}
      router={router}
      client={{ fetch: server.fetch, webSocketUrl: null }}
    />,
  );
  return { router, server, session };
}

function mainLinks(): string[] {
  const nav = screen.getByRole("navigation", { name: "Main" });
  return within(nav)
    .getAllByRole("link")
    .map((link) => link.textContent);
}

describe("the routes", () => {
  it("send a signed-out visitor to sign in, remembering where they were going", async () => {
    const { router } = openApp("/console/workflows?status=FAILED", null);
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeDefined();
    expect(router.state.location.pathname).toBe("/login");
    expect(router.state.location.search).toBe(`?next=${encodeURIComponent("/console/workflows?status=FAILED")}`);
  });

  it("lead market operations from / to the work queue, with the console's navigation", async () => {
    const { router } = openApp("/", marketOps);
    expect(await screen.findByRole("heading", { name: "Work queue" })).toBeDefined();
    expect(router.state.location.pathname).toBe("/console/work");
    expect(mainLinks()).toEqual(["Work queue", "Workflows", "Tenants", "Templates", "Operations", "Privacy", "Notifications"]);
    expect(screen.getByRole("banner").textContent).toContain("Olivia Ops");
  });

  it("lead a tenant's administrator to the portal, with its users", async () => {
    const { router } = openApp("/", tenantAdmin);
    expect(await screen.findByRole("heading", { name: "My workflows" })).toBeDefined();
    expect(router.state.location.pathname).toBe("/portal");
    expect(mainLinks()).toEqual(["My workflows", "Start", "Users", "Notifications"]);
  });

  it("send a tenant user who opens a console address to the portal", async () => {
    const { router } = openApp("/console/tenants", tenantUser);
    expect(await screen.findByRole("heading", { name: "My workflows" })).toBeDefined();
    expect(router.state.location.pathname).toBe("/portal");
    expect(mainLinks()).toEqual(["My workflows", "Start", "Notifications"]);
  });

  it("answer an unknown address with Not found", async () => {
    openApp("/no/such/screen", marketOps);
    expect(await screen.findByRole("heading", { name: "Not found" })).toBeDefined();
  });

  it("sign out: the server revokes the session, the app forgets it and shows sign-in", async () => {
    const user = userEvent.setup();
    const { router, server, session } = openApp("/console/work", marketOps);
    await user.click(await screen.findByRole("button", { name: "Sign out" }));
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeDefined();
    expect(router.state.location.pathname).toBe("/login");
    expect(server.to("/auth/logout")).toHaveLength(1);
    expect(session.accessToken).toBeNull();
  });

  it("speak the signed-in user's language, and switch on demand", async () => {
    const user = userEvent.setup();
    openApp("/portal", { ...tenantUser, locale: "nl" });
    expect(await screen.findByRole("heading", { name: "Mijn workflows" })).toBeDefined();
    await user.selectOptions(screen.getByRole("combobox", { name: "Taal" }), "fr");
    expect(await screen.findByRole("heading", { name: "Mes workflows" })).toBeDefined();
    await waitFor(() => {
      expect(document.documentElement.lang).toBe("fr");
    });
    localStorage.clear();
  });

  it("sign in with the form, then land where the visitor was going", async () => {
    const user = userEvent.setup();
    const server = fakeServer((request) => {
      const { operationName, variables } = request.body as { operationName: string; variables: { password: string } };
      // the screen landed on reads its own data: an empty list of templates
      if (operationName !== "Login") return json({ data: { templates: [] } });
      if (variables.password !== "right") return graphqlError("UNAUTHENTICATED", "invalid e-mail or password");
      return json({
        data: {
          login: {
            accessToken: "access",
            expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
            mfaRequired: false,
            mfaChallenge: null,
            mfaEnrolmentRequired: false,
            user: { ...marketOps, __typename: "User", tenant: null },
            __typename: "AuthPayload",
          },
        },
      });
    });
    const session = new Session({ fetch: server.fetch });
    session.expire();
    const router = createMemoryRouter(routes, { initialEntries: ["/console/templates"] });
    render(<App session={session} i18n={createI18n("en")} router={router} client={{ fetch: server.fetch, webSocketUrl: null }} />);

    await user.type(await screen.findByLabelText("E-mail"), "ops@tso.example");
    await user.type(screen.getByLabelText("Password"), "wrong");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect((await screen.findByRole("alert")).textContent).toBe("The e-mail address or the password is wrong.");

    await user.clear(screen.getByLabelText("Password"));
    await user.type(screen.getByLabelText("Password"), "right");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("heading", { name: "Templates" })).toBeDefined();
    expect(router.state.location.pathname).toBe("/console/templates");
    const logins = server.to("/graphql").filter((request) => (request.body as { operationName: string }).operationName === "Login");
    expect(logins.every((request) => request.headers.get("X-WFM-Session") === "cookie")).toBe(true);
  });
});
