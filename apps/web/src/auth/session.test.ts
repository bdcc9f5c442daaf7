import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeServer, json } from "../test/fakeServer";
import { marketOps } from "../test/users";
import { Session } from "./session";

const MINUTE = 60_000;

afterEach(() => {
  vi.useRealTimers();
});

describe("restoring the session when the app starts", () => {
  it("signs the user in again with the refresh cookie of an earlier visit", async () => {
    const server = fakeServer(() => json({ accessToken: "fresh", expiresIn: 900 }));
    const session = new Session({ fetch: server.fetch });

    await session.restore(() => Promise.resolve(marketOps));

    expect(session.state).toEqual({ status: "signedIn", user: marketOps });
    expect(session.accessToken).toBe("fresh");
    const [refresh] = server.to("/auth/refresh");
    expect(refresh?.method).toBe("POST");
    expect(refresh?.headers.get("X-WFM-Session")).toBe("cookie");
    expect(refresh?.credentials).toBe("same-origin");
  });

  it("is signed out when the server has no session for this browser (401)", async () => {
    const server = fakeServer(() => json({ error: "no session" }, 401));
    const session = new Session({ fetch: server.fetch });
    const loadUser = vi.fn(() => Promise.resolve(marketOps));

    await session.restore(loadUser);

    expect(session.state).toEqual({ status: "signedOut" });
    expect(session.accessToken).toBeNull();
    expect(loadUser).not.toHaveBeenCalled();
  });

  it("treats an API without the cookie routes (404) like a refused refresh", async () => {
    const server = fakeServer(() => new Response("not found", { status: 404 }));
    const session = new Session({ fetch: server.fetch });

    await session.restore(() => Promise.resolve(marketOps));

    expect(session.state).toEqual({ status: "signedOut" });
  });

  it("is signed out when the API cannot be reached", async () => {
    const session = new Session({ fetch: () => Promise.reject(new TypeError("offline")) });

    await session.restore(() => Promise.resolve(marketOps));

    expect(session.state).toEqual({ status: "signedOut" });
  });
});

describe("keeping the access token fresh", () => {
  it("rotates the refresh cookie a minute before the access token expires", async () => {
    vi.useFakeTimers();
    let issued = 0;
    const server = fakeServer(() => json({ accessToken: `rotated-${String(++issued)}`, expiresIn: 300 }));
    const session = new Session({ fetch: server.fetch });
    session.signIn({ accessToken: "first", expiresAt: Date.now() + 5 * MINUTE }, marketOps);

    await vi.advanceTimersByTimeAsync(3 * MINUTE);
    expect(server.to("/auth/refresh")).toHaveLength(0);
    expect(session.accessToken).toBe("first");

    await vi.advanceTimersByTimeAsync(1 * MINUTE + 1000);
    expect(server.to("/auth/refresh")).toHaveLength(1);
    expect(session.accessToken).toBe("rotated-1");
    expect(session.state.status).toBe("signedIn");
  });

  it("shares one refresh between callers asking at the same time", async () => {
    const server = fakeServer(() => json({ accessToken: "shared", expiresIn: 900 }));
    const session = new Session({ fetch: server.fetch });

    const answers = await Promise.all([session.refresh(), session.refresh(), session.refresh()]);

    expect(answers).toEqual([true, true, true]);
    expect(server.to("/auth/refresh")).toHaveLength(1);
  });

  it("without a cookie session, keeps the token until it expires, then signs out", async () => {
    vi.useFakeTimers();
    const server = fakeServer(() => new Response("not found", { status: 404 }));
    const session = new Session({ fetch: server.fetch });
    session.signIn({ accessToken: "only", expiresAt: Date.now() + 3 * MINUTE }, marketOps);

    await vi.advanceTimersByTimeAsync(2 * MINUTE + 1000);
    expect(server.to("/auth/refresh")).toHaveLength(1);
    expect(session.state.status).toBe("signedIn");
    expect(session.accessToken).toBe("only");

    await vi.advanceTimersByTimeAsync(1 * MINUTE);
    expect(session.state).toEqual({ status: "signedOut" });
    expect(session.accessToken).toBeNull();
  });
});

describe("signing out", () => {
  it("revokes the cookie session on the server and forgets the token", async () => {
    const server = fakeServer(() => new Response(null, { status: 204 }));
    const session = new Session({ fetch: server.fetch });
    session.signIn({ accessToken: "secret", expiresAt: Date.now() + 10 * MINUTE }, marketOps);
    const changes = vi.fn();
    session.subscribe(changes);

    await session.signOut();

    const [logout] = server.to("/auth/logout");
    expect(logout?.method).toBe("POST");
    expect(logout?.headers.get("X-WFM-Session")).toBe("cookie");
    expect(session.accessToken).toBeNull();
    expect(session.state).toEqual({ status: "signedOut" });
    expect(changes).toHaveBeenCalled();
  });

  it("forgets the token even when the server cannot be reached", async () => {
    const session = new Session({ fetch: () => Promise.reject(new TypeError("offline")) });
    session.signIn({ accessToken: "secret", expiresAt: Date.now() + 10 * MINUTE }, marketOps);

    await session.signOut();

    expect(session.accessToken).toBeNull();
    expect(session.state).toEqual({ status: "signedOut" });
  });
});
