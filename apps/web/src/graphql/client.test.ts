import { describe, expect, it, vi } from "vitest";
import { MeQuery } from "../auth/me";
import { Session } from "../auth/session";
import { signInWithPassword } from "../auth/signIn";
import { fakeLiveApi } from "../test/fakeLiveApi";
import { fakeServer, graphqlError, json, type SentRequest } from "../test/fakeServer";
import { marketOps } from "../test/users";
import { createGraphqlClient } from "./client";
import { errorCodes } from "./errors";

const HOUR = 3_600_000;

function clientFor(session: Session, fetch: typeof globalThis.fetch) {
  return createGraphqlClient(session, { fetch, webSocketUrl: null, language: () => "fr" });
}

const bearer = (request: SentRequest) => request.headers.get("Authorization");

describe("the GraphQL client", () => {
  it("sends the access token and the active language with every operation", async () => {
    const server = fakeServer(() => json({ data: { me: marketOps } }));
    const session = new Session({ fetch: server.fetch });
    session.signIn({ accessToken: "token-1", expiresAt: Date.now() + HOUR }, marketOps);

    await clientFor(session, server.fetch).query(MeQuery, {}).toPromise();

    const [query] = server.to("/graphql");
    expect(query && bearer(query)).toBe("Bearer token-1");
    expect(query?.headers.get("Accept-Language")).toBe("fr");
  });

  it("refreshes the token once on UNAUTHENTICATED and retries the operation with the new one", async () => {
    const server = fakeServer((request) => {
      if (request.path === "/auth/refresh") return json({ accessToken: "renewed", expiresIn: 900 });
      return bearer(request) === "Bearer renewed"
        ? json({ data: { me: marketOps } })
        : graphqlError("UNAUTHENTICATED", "the session has ended; log in again");
    });
    const session = new Session({ fetch: server.fetch });
    session.signIn({ accessToken: "revoked", expiresAt: Date.now() + HOUR }, marketOps);

    const result = await clientFor(session, server.fetch).query(MeQuery, {}).toPromise();

    expect(result.error).toBeUndefined();
    expect(result.data?.me.email).toBe(marketOps.email);
    expect(server.sent.map((request) => [request.path, bearer(request)])).toEqual([
      ["/graphql", "Bearer revoked"],
      ["/auth/refresh", null],
      ["/graphql", "Bearer renewed"],
    ]);
  });

  it("retries only once, and ends the session when no new token can be had", async () => {
    const server = fakeServer((request) =>
      request.path === "/auth/refresh" ? json({}, 401) : graphqlError("UNAUTHENTICATED"),
    );
    const session = new Session({ fetch: server.fetch });
    session.signIn({ accessToken: "revoked", expiresAt: Date.now() + HOUR }, marketOps);

    const result = await clientFor(session, server.fetch).query(MeQuery, {}).toPromise();

    expect(errorCodes(result.error)).toEqual(["UNAUTHENTICATED"]);
    expect(server.to("/auth/refresh")).toHaveLength(1);
    expect(server.to("/graphql").length).toBeLessThanOrEqual(2);
    expect(session.state).toEqual({ status: "signedOut" });
  });

  it("refreshes before an operation when the token is about to expire", async () => {
    const server = fakeServer((request) =>
      request.path === "/auth/refresh"
        ? json({ accessToken: "renewed", expiresIn: 900 })
        : json({ data: { me: marketOps } }),
    );
    const session = new Session({ fetch: server.fetch });
    session.signIn({ accessToken: "ageing", expiresAt: Date.now() + 10_000 }, marketOps);

    await clientFor(session, server.fetch).query(MeQuery, {}).toPromise();

    expect(server.sent.map((request) => [request.path, bearer(request)])).toEqual([
      ["/auth/refresh", null],
      ["/graphql", "Bearer renewed"],
    ]);
  });
});

describe("the GraphQL client's subscriptions", () => {
  const QueueChanged = "subscription { workQueueChanged { at } }";

  function liveClient(session: Session, api: ReturnType<typeof fakeLiveApi>) {
    return createGraphqlClient(session, {
      fetch: fakeServer(() => json({})).fetch,
      webSocketUrl: "ws://app.test/graphql",
      language: () => "en",
      live: { webSocketImpl: api.WebSocket, retryDelayMs: 1 },
    });
  }

  it("go over the live socket, signed in with the access token", async () => {
    const api = fakeLiveApi();
    api.accept("token-1");
    const session = new Session();
    session.signIn({ accessToken: "token-1", expiresAt: Date.now() + HOUR }, marketOps);
    const seen: unknown[] = [];

    const subscription = liveClient(session, api)
      .subscription(QueueChanged, {})
      .subscribe((result) => seen.push(result.data));
    await vi.waitFor(() => {
      expect(api.subscriptions).toBe(1);
    });
    api.publish({ workQueueChanged: { at: "2026-05-04T10:00:00Z" } });

    await vi.waitFor(() => {
      expect(seen).toEqual([{ workQueueChanged: { at: "2026-05-04T10:00:00Z" } }]);
    });
    expect(api.connections[0]?.token).toBe("token-1");
    subscription.unsubscribe();
  });

  it("answer an error (the screen polls) when the socket cannot connect", async () => {
    const api = fakeLiveApi();
    api.blocked = true;
    const session = new Session();
    session.signIn({ accessToken: "token-1", expiresAt: Date.now() + HOUR }, marketOps);

    const result = await liveClient(session, api).subscription(QueueChanged, {}).toPromise();

    expect(result.error?.networkError?.message).toBe("live updates unavailable: the WebSocket could not connect");
  });
});

describe("signing in", () => {
  const signedIn = {
    accessToken: "access",
    expiresAt: new Date(Date.now() + HOUR).toISOString(),
    mfaRequired: false,
    mfaChallenge: null,
    mfaEnrolmentRequired: false,
    user: marketOps,
  };

  it("asks for the refresh token as a cookie and keeps the access token in memory only", async () => {
    const server = fakeServer(() => json({ data: { login: signedIn } }));
    const session = new Session({ fetch: server.fetch });

    const outcome = await signInWithPassword(clientFor(session, server.fetch), session, "ops@tso.example", "pw");

    expect(outcome).toEqual({ kind: "signedIn", user: marketOps });
    expect(session.accessToken).toBe("access");
    const [login] = server.to("/graphql");
    expect(login?.headers.get("X-WFM-Session")).toBe("cookie");
    expect(localStorage.length).toBe(0);
    expect(sessionStorage.length).toBe(0);
  });

  it("a wrong password is refused without any refresh attempt", async () => {
    const server = fakeServer(() => graphqlError("UNAUTHENTICATED", "invalid e-mail or password"));
    const session = new Session({ fetch: server.fetch });
    session.expire();

    const outcome = await signInWithPassword(clientFor(session, server.fetch), session, "ops@tso.example", "wrong");

    expect(outcome.kind).toBe("refused");
    expect(server.to("/auth/refresh")).toHaveLength(0);
    expect(server.to("/graphql")).toHaveLength(1);
    expect(session.state).toEqual({ status: "signedOut" });
  });

  it("a user with a second factor gets its challenge, not a session", async () => {
    const challenge = { ...signedIn, accessToken: null, expiresAt: null, user: null, mfaRequired: true, mfaChallenge: "chal" };
    const server = fakeServer(() => json({ data: { login: challenge } }));
    const session = new Session({ fetch: server.fetch });

    const outcome = await signInWithPassword(clientFor(session, server.fetch), session, "ops@tso.example", "pw");

    expect(outcome).toEqual({ kind: "mfaRequired", challenge: "chal" });
    expect(session.accessToken).toBeNull();
  });

  it("an enrolment-only token never becomes a session: it is handed to the enrolment", async () => {
    const enrol = { ...signedIn, accessToken: "enrolment-only", user: null, mfaEnrolmentRequired: true };
    const server = fakeServer(() => json({ data: { login: enrol } }));
    const session = new Session({ fetch: server.fetch });

    const outcome = await signInWithPassword(clientFor(session, server.fetch), session, "ops@tso.example", "pw");

    expect(outcome).toEqual({ kind: "enrolmentRequired", enrolmentToken: "enrolment-only" });
    expect(session.accessToken).toBeNull();
  });
});
