import { describe, expect, it } from "vitest";
import { Session } from "./auth/session";
import { signInWithPassword } from "./auth/signIn";
import { apiLocation, InvalidConfig, loadApiLocation } from "./config";
import { createGraphqlClient } from "./graphql/client";
import { fakeServer, json, type SentRequest } from "./test/fakeServer";
import { marketOps } from "./test/users";

const page = { origin: "https://app.example.test" };

describe("where the API answers", () => {
  it("is the page's own origin when there is no config.json (404)", async () => {
    const server = fakeServer(() => new Response("not found", { status: 404 }));

    const api = await loadApiLocation(page, server.fetch);

    expect(server.to("/config.json")).toHaveLength(1);
    expect(api).toEqual({
      graphqlUrl: "/graphql",
      webSocketUrl: "wss://app.example.test/graphql",
      refreshUrl: "/auth/refresh",
      logoutUrl: "/auth/logout",
      filesUrl: "/files",
      credentials: "same-origin",
    });
  });

  it("is the page's own origin when the API serves the app (its page answers /config.json)", async () => {
    const server = fakeServer(
      () => new Response("<!doctype html>", { headers: { "content-type": "text/html" } }),
    );

    const api = await loadApiLocation({ origin: "http://127.0.0.1:8000" }, server.fetch);

    expect(api.graphqlUrl).toBe("/graphql");
    expect(api.webSocketUrl).toBe("ws://127.0.0.1:8000/graphql");
    expect(api.credentials).toBe("same-origin");
  });

  it("is the page's own origin when config.json cannot be fetched", async () => {
    const api = await loadApiLocation(page, () => Promise.reject(new TypeError("offline")));

    expect(api.graphqlUrl).toBe("/graphql");
  });

  it("is the apiUrl of config.json: every call goes there, with the cookie", async () => {
    const server = fakeServer(() => json({ apiUrl: "https://api.example.test" }));

    const api = await loadApiLocation(page, server.fetch);

    expect(api).toEqual({
      graphqlUrl: "https://api.example.test/graphql",
      webSocketUrl: "wss://api.example.test/graphql",
      refreshUrl: "https://api.example.test/auth/refresh",
      logoutUrl: "https://api.example.test/auth/logout",
      filesUrl: "https://api.example.test/files",
      credentials: "include",
    });
  });

  it("opens the live socket with ws: for an http: API, and keeps a path prefix", () => {
    const api = apiLocation("http://127.0.0.1:8000/wfm/", page);

    expect(api.graphqlUrl).toBe("http://127.0.0.1:8000/wfm/graphql");
    expect(api.webSocketUrl).toBe("ws://127.0.0.1:8000/wfm/graphql");
    expect(api.refreshUrl).toBe("http://127.0.0.1:8000/wfm/auth/refresh");
  });

  it("treats an apiUrl of the page's own origin as same origin", () => {
    const api = apiLocation("https://app.example.test", page);

    expect(api.graphqlUrl).toBe("/graphql");
    expect(api.credentials).toBe("same-origin");
  });

  it("refuses an apiUrl that is not an http(s) URL", async () => {
    for (const apiUrl of ["api.example.test", "ftp://api.example.test", 42]) {
      const server = fakeServer(() => json({ apiUrl }));

      await expect(loadApiLocation(page, server.fetch)).rejects.toThrow(InvalidConfig);
    }
  });
});

describe("an API of another origin", () => {
  const api = apiLocation("https://api.example.test", page);
  const signedIn = {
    login: {
      accessToken: "token-1",
      expiresAt: new Date(Date.now() + 900_000).toISOString(),
      mfaRequired: false,
      mfaChallenge: null,
      mfaEnrolmentRequired: false,
      user: marketOps,
    },
  };
  const sentTo = (server: { sent: SentRequest[] }) =>
    server.sent.map((request) => [request.path, request.credentials]);

  it("gets the sign-in, the refresh and the sign-out with the cookie (credentials: include)", async () => {
    const urls: string[] = [];
    const server = fakeServer((request) =>
      request.path === "/auth/refresh"
        ? json({ accessToken: "token-2", expiresIn: 900 })
        : request.path === "/auth/logout"
          ? new Response(null, { status: 204 })
          : json({ data: signedIn }),
    );
    const fetchApi: typeof fetch = (input, init) => {
      urls.push(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
      return server.fetch(input, init);
    };
    const session = new Session({ fetch: fetchApi, api });
    const client = createGraphqlClient(session, {
      url: api.graphqlUrl,
      webSocketUrl: null,
      credentials: api.credentials,
      fetch: fetchApi,
      language: () => "en",
    });

    const outcome = await signInWithPassword(client, session, marketOps.email, "pw");
    await session.refresh();
    await session.signOut();

    expect(outcome.kind).toBe("signedIn");
    expect(urls).toEqual([
      "https://api.example.test/graphql",
      "https://api.example.test/auth/refresh",
      "https://api.example.test/auth/logout",
    ]);
    expect(sentTo(server)).toEqual([
      ["/graphql", "include"],
      ["/auth/refresh", "include"],
      ["/auth/logout", "include"],
    ]);
    expect(server.to("/graphql")[0]?.headers.get("X-WFM-Session")).toBe("cookie");
  });
});
