import { authExchange } from "@urql/exchange-auth";
import { Client, cacheExchange, fetchExchange, subscriptionExchange, type Exchange } from "urql";
import type { Session } from "../auth/session";
import { hasErrorCode } from "./errors";
import { createLiveSocket, type LiveSocket, type LiveSocketOptions } from "./liveSocket";

export interface GraphqlClientOptions {
  /** Where the API answers GraphQL over HTTP (src/config.ts); same origin by default */
  url?: string;
  /** ws:/wss: URL for subscriptions (graphql-ws); null: no subscriptions (tests) */
  webSocketUrl?: string | null;
  /** "include" when the API is another origin (src/config.ts); "same-origin" by default */
  credentials?: RequestCredentials;
  /** The active language, sent as Accept-Language */
  language: () => string;
  fetch?: typeof fetch;
  /** The live-updates socket's settings (tests: a WebSocket class, short waits) */
  live?: Omit<LiveSocketOptions, "url" | "session">;
}

export const GRAPHQL_PATH = "/graphql";

/** The access token on every operation; shortly before it expires, and once after an
 * UNAUTHENTICATED answer, a refresh by rotation, then the operation retried once. */
function sessionExchange(session: Session): Exchange {
  return authExchange((utils) =>
    Promise.resolve({
      addAuthToOperation(operation) {
        const token = session.accessToken;
        if (token === null || operation.context.signIn === true) return operation;
        return utils.appendHeaders(operation, { Authorization: `Bearer ${token}` });
      },
      willAuthError(operation) {
        return (
          operation.context.signIn !== true && session.accessToken !== null && session.expiresSoon()
        );
      },
      didAuthError(error, operation) {
        return operation.context.signIn !== true && hasErrorCode(error, "UNAUTHENTICATED");
      },
      async refreshAuth() {
        if (!(await session.refresh())) session.expire();
      },
    }),
  );
}

/** A failed socket as an Error (graphql-ws fails with the socket's close or error event). */
function transportError(failure: unknown): Error {
  if (failure instanceof Error) return failure;
  const code = typeof failure === "object" && failure !== null && "code" in failure ? failure.code : null;
  return new Error(
    typeof code === "number"
      ? `live updates unavailable: the WebSocket closed (${String(code)})`
      : "live updates unavailable: the WebSocket could not connect",
  );
}

function subscriptionsOver(sockets: LiveSocket): Exchange {
  return subscriptionExchange({
    forwardSubscription(request) {
      const input = { ...request, query: request.query ?? "" };
      return {
        subscribe(sink) {
          const unsubscribe = sockets.subscribe(input, {
            next: (result) => {
              sink.next(result);
            },
            error: (failure) => {
              sink.error(Array.isArray(failure) ? failure : transportError(failure));
            },
            complete: () => {
              sink.complete();
            },
          });
          return { unsubscribe };
        },
      };
    },
  });
}

/** The app's urql client. A new one is made for each signed-in user, so that no cached
 * answer outlives the session that fetched it. */
export function createGraphqlClient(session: Session, options: GraphqlClientOptions): Client {
  const exchanges = [cacheExchange, sessionExchange(session), fetchExchange];
  if (options.webSocketUrl) {
    const sockets = createLiveSocket({ ...options.live, url: options.webSocketUrl, session });
    exchanges.push(subscriptionsOver(sockets));
  }
  return new Client({
    url: options.url ?? GRAPHQL_PATH,
    exchanges,
    fetch: options.fetch,
    fetchOptions: () => ({
      headers: { "Accept-Language": options.language() },
      credentials: options.credentials ?? "same-origin",
    }),
    preferGetMethod: false,
  });
}
