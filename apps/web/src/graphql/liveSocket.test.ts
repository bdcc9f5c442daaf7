import { afterEach, describe, expect, it, vi } from "vitest";
import { Session } from "../auth/session";
import { fakeLiveApi, type FakeLiveApi } from "../test/fakeLiveApi";
import { fakeServer, json } from "../test/fakeServer";
import { marketOps } from "../test/users";
import { createLiveSocket, type LiveResult, type LiveSocket } from "./liveSocket";

const HOUR = 3_600_000;
const QUEUE = { query: "subscription { workQueueChanged { at } }" };

interface Received {
  results: LiveResult[];
  errors: unknown[];
  completed: boolean;
}

/** A signed-in session whose refreshes answer `renewed-1`, `renewed-2`... (or 401). */
function signedIn(token: string, { refreshes = true } = {}) {
  let renewals = 0;
  const server = fakeServer(() => (refreshes ? json({ accessToken: `renewed-${String(++renewals)}`, expiresIn: 900 }) : json({}, 401)));
  const session = new Session({ fetch: server.fetch });
  session.signIn({ accessToken: token, expiresAt: Date.now() + HOUR }, marketOps);
  return { session, refreshes: () => server.to("/auth/refresh").length };
}

const opened: LiveSocket[] = [];

function liveSocket(api: FakeLiveApi, session: Session): LiveSocket {
  const socket = createLiveSocket({ url: "ws://app.test/graphql", session, webSocketImpl: api.WebSocket, retryDelayMs: 1 });
  opened.push(socket);
  return socket;
}

function follow(socket: LiveSocket): Received {
  const received: Received = { results: [], errors: [], completed: false };
  socket.subscribe(QUEUE, {
    next: (result) => received.results.push(result),
    error: (error) => received.errors.push(error),
    complete: () => {
      received.completed = true;
    },
  });
  return received;
}

const change = (n: number) => ({ workQueueChanged: { at: `2026-05-04T10:0${String(n)}:00Z` } });

afterEach(() => {
  for (const socket of opened.splice(0)) socket.dispose();
});

describe("the live-updates socket", () => {
  it("signs in with the session's access token and passes on each change", async () => {
    const api = fakeLiveApi();
    api.accept("token-1");
    const { session } = signedIn("token-1");

    const received = follow(liveSocket(api, session));
    await vi.waitFor(() => {
      expect(api.subscriptions).toBe(1);
    });
    api.publish(change(1));

    await vi.waitFor(() => {
      expect(received.results).toEqual([{ data: change(1) }]);
    });
    expect(api.connections.map((connection) => connection.token)).toEqual(["token-1"]);
  });

  it("reconnects with the new token when the session refreshes it, and the subscription carries on", async () => {
    const api = fakeLiveApi();
    api.accept("token-1");
    api.accept("renewed-1");
    const { session } = signedIn("token-1");
    const received = follow(liveSocket(api, session));
    await vi.waitFor(() => {
      expect(api.subscriptions).toBe(1);
    });

    await session.refresh();
    await vi.waitFor(() => {
      expect(api.connections.map((connection) => connection.token)).toEqual(["token-1", "renewed-1"]);
      expect(api.subscriptions).toBe(1);
    });
    api.expire("token-1");
    api.publish(change(2));

    await vi.waitFor(() => {
      expect(received.results).toEqual([{ data: change(2) }]);
    });
    expect(api.connections[0]?.closedWith).not.toBeNull();
    expect(received.errors).toEqual([]);
    expect(received.completed).toBe(false);
  });

  it("subscribes again with a renewed token when the API ends a subscription as UNAUTHENTICATED", async () => {
    const api = fakeLiveApi();
    api.accept("token-1");
    api.accept("renewed-1");
    const { session, refreshes } = signedIn("token-1");
    const received = follow(liveSocket(api, session));
    await vi.waitFor(() => {
      expect(api.subscriptions).toBe(1);
    });

    api.expire("token-1"); // the connection's token expired before the session renewed it
    api.publish(change(3));
    await vi.waitFor(() => {
      expect(api.connections.map((connection) => connection.token)).toEqual(["token-1", "renewed-1"]);
      expect(api.subscriptions).toBe(1);
    });
    api.publish(change(4));

    await vi.waitFor(() => {
      expect(received.results).toEqual([{ data: change(4) }]);
    });
    expect(refreshes()).toBe(1);
    expect(received.errors).toEqual([]);
    expect(received.completed).toBe(false);
  });

  it("tries a refused connection (4403) again with a renewed token", async () => {
    const api = fakeLiveApi();
    api.accept("renewed-1");
    const { session } = signedIn("revoked");

    const received = follow(liveSocket(api, session));
    await vi.waitFor(() => {
      expect(api.subscriptions).toBe(1);
    });
    api.publish(change(5));

    await vi.waitFor(() => {
      expect(received.results).toEqual([{ data: change(5) }]);
    });
    expect(api.connections.map((connection) => [connection.token, connection.closedWith])).toEqual([
      ["revoked", 4403],
      ["renewed-1", null],
    ]);
  });

  it("passes the API's UNAUTHENTICATED on when no new token can be had", async () => {
    const api = fakeLiveApi();
    api.accept("token-1");
    const { session } = signedIn("token-1", { refreshes: false });
    const received = follow(liveSocket(api, session));
    await vi.waitFor(() => {
      expect(api.subscriptions).toBe(1);
    });

    api.expire("token-1");
    api.publish(change(6));

    await vi.waitFor(() => {
      expect(received.completed).toBe(true);
    });
    expect(received.results).toEqual([
      { data: null, errors: [{ message: "the access token has expired", extensions: { code: "UNAUTHENTICATED" } }] },
    ]);
    expect(api.connections).toHaveLength(1);
  });

  it("fails its subscriptions after a few attempts when WebSockets are blocked, so that screens poll", async () => {
    const api = fakeLiveApi();
    api.blocked = true;
    api.accept("token-1");
    const { session } = signedIn("token-1");

    const received = follow(liveSocket(api, session));

    await vi.waitFor(() => {
      expect(received.errors).toHaveLength(1);
    });
    expect(api.connections).toHaveLength(3); // the first attempt and two more
    expect(received.results).toEqual([]);

    // a screen subscribes again later: once the proxy lets it through, it is live
    api.blocked = false;
    const again = follow(opened[0] as LiveSocket);
    await vi.waitFor(() => {
      expect(api.subscriptions).toBe(1);
    });
    api.publish(change(7));
    await vi.waitFor(() => {
      expect(again.results).toEqual([{ data: change(7) }]);
    });
  });
});
