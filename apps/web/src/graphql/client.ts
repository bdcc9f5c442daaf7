import { authExchange } from "@urql/exchange-auth";
import { createClient as createWebSocketClient } from "graphql-ws";
import { Client, cacheExchange, fetchExchange, subscriptionExchange, type Exchange } from "urql";
import type { Session } from "../auth/session";
import { hasErrorCode } from "./errors";

export interface GraphqlClientOptions {
  /** Where the API answers GraphQL over HTTP; same origin by default */
  url?: string;
  /** ws:/wss: URL for subscriptions (graphql-ws); null: no subscriptions (tests) */
  webSocketUrl?: string | null;
  /** The active language, sent as Accept-Language */
  language: () => string;
  fetch?: typeof fetch;
}

export const GRAPHQL_PATH = "/graphql";

/** The same origin's GraphQL endpoint, as a WebSocket URL. */
export function sameOriginWebSocketUrl(location: Pick<Location, "protocol" | "host">): string {
  return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}${GRAPHQL_PATH}`;
}

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

function subscriptionsOver(webSocketUrl: string, session: Session): Exchange {
  const sockets = createWebSocketClient({
    url: webSocketUrl,
    lazy: true,
    connectionParams: () => {
      const token = session.accessToken;
      return token === null ? {} : { authorization: `Bearer ${token}` };
    },
  });
  return subscriptionExchange({
    forwardSubscription(request) {
      const input = { ...request, query: request.query ?? "" };
      return {
        subscribe(sink) {
          const unsubscribe = sockets.subscribe(input, sink);
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
  if (options.webSocketUrl) exchanges.push(subscriptionsOver(options.webSocketUrl, session));
  return new Client({
    url: options.url ?? GRAPHQL_PATH,
    exchanges,
    fetch: options.fetch,
    fetchOptions: () => ({
      headers: { "Accept-Language": options.language() },
      credentials: "same-origin",
    }),
    preferGetMethod: false,
  });
}
