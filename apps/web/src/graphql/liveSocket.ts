/** The live-updates socket: GraphQL subscriptions over graphql-ws (graphql-transport-ws),
 * always signed in with the session's current access token.
 *
 * - Each connection sends the access token of the moment in `connection_init` (renewed
 *   first when it is about to expire).
 * - A new access token (the session refreshed it) reconnects the socket with it; the
 *   subscriptions carry on over the new connection.
 * - A refused connection (4403) is retried once the token is renewed; a subscription the
 *   API ends with UNAUTHENTICATED (its token expired) is subscribed again with a fresh
 *   one. Only when no new token can be had does it fail with the API's answer.
 * - A socket that cannot connect (a proxy that blocks WebSockets, the API gone) is tried a
 *   few times, then its subscriptions fail: the screens poll, and subscribe again later. */

import { createClient, type FormattedExecutionResult, type Sink, type SubscribePayload } from "graphql-ws";

/** graphql-transport-ws "Forbidden": the API refused the connection's access token */
export const REFUSED = 4403;

/** What the socket needs of the session (src/auth/session.ts) */
export interface LiveSession {
  readonly accessToken: string | null;
  expiresSoon(): boolean;
  refresh(): Promise<boolean>;
  onAccessToken(listener: (accessToken: string) => void): () => void;
}

export interface LiveSocketOptions {
  url: string;
  session: LiveSession;
  /** The WebSocket class (tests); the browser's by default */
  webSocketImpl?: unknown;
  /** Reconnections tried after a failed or lost connection before the subscriptions fail */
  retryAttempts?: number;
  /** The wait before the first reconnection; doubled each time */
  retryDelayMs?: number;
  /** A connection not acknowledged by then is given up (a proxy that holds it open) */
  connectTimeoutMs?: number;
  /** A ping this often keeps idle proxies from closing the socket */
  keepAliveMs?: number;
}

export interface LiveSocket {
  /** Like graphql-ws's `subscribe`; returns the unsubscribe function */
  subscribe(payload: SubscribePayload, sink: Sink<LiveResult>): () => void;
  dispose(): void;
}

/** A subscription's result as the socket receives it */
export type LiveResult = FormattedExecutionResult;

type Errors = readonly { extensions?: Record<string, unknown> }[];

function isUnauthenticated(errors: unknown): boolean {
  return (
    Array.isArray(errors) &&
    (errors as Errors).some((error) => error.extensions?.code === "UNAUTHENTICATED")
  );
}

function closeCodeOf(event: unknown): number | null {
  return typeof event === "object" && event !== null && "code" in event && typeof event.code === "number"
    ? event.code
    : null;
}

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function createLiveSocket(options: LiveSocketOptions): LiveSocket {
  const { session, retryDelayMs = 1_000, connectTimeoutMs = 10_000 } = options;
  // the token sent by the connection being made, or made last
  let sentToken: string | null = null;
  // the token of the acknowledged connection, while it is open
  let openWith: string | null = null;
  // the token the API refused (4403): renewed before the next attempt
  let refusedToken: string | null = null;
  // a reconnection asked for (a new token): made at once, without the back-off
  let restarting = false;
  let connectTimer: ReturnType<typeof setTimeout> | undefined;
  let stopWatchingToken: (() => void) | null = null;

  const sockets = createClient({
    url: options.url,
    lazy: true,
    webSocketImpl: options.webSocketImpl,
    keepAlive: options.keepAliveMs ?? 30_000,
    retryAttempts: options.retryAttempts ?? 2,
    // a refused handshake comes as an error event, not a close: worth another try too
    shouldRetry: () => true,
    retryWait: async (retries) => {
      if (refusedToken !== null && refusedToken === session.accessToken) await session.refresh();
      refusedToken = null;
      if (restarting) {
        restarting = false;
        return;
      }
      await wait(retryDelayMs * 2 ** retries);
    },
    connectionParams: async () => {
      if (session.accessToken !== null && session.expiresSoon()) await session.refresh();
      sentToken = session.accessToken;
      return sentToken === null ? {} : { authorization: `Bearer ${sentToken}` };
    },
    on: {
      connecting: () => {
        clearTimeout(connectTimer);
        connectTimer = setTimeout(() => {
          sockets.terminate();
        }, connectTimeoutMs);
      },
      connected: () => {
        clearTimeout(connectTimer);
        openWith = sentToken;
        restarting = false;
        stopWatchingToken ??= session.onAccessToken(reconnectIfStale);
      },
      closed: (event) => {
        clearTimeout(connectTimer);
        openWith = null;
        stopWatchingToken?.();
        stopWatchingToken = null;
        if (closeCodeOf(event) === REFUSED) refusedToken = sentToken;
      },
    },
  });

  /** The open connection was made with an older token than the session's: make a new one
   * (graphql-ws subscribes everything again over it). */
  function reconnectIfStale(): void {
    if (openWith === null || openWith === session.accessToken) return;
    restarting = true;
    sockets.terminate();
  }

  /** A token other than `refused`, if one can be had. */
  async function renewedAfter(refused: string | null): Promise<boolean> {
    if (session.accessToken === null) return false;
    if (session.accessToken === refused && !(await session.refresh())) return false;
    return session.accessToken !== refused;
  }

  function subscribe(payload: SubscribePayload, sink: Sink<LiveResult>): () => void {
    let unsubscribe: () => void = () => undefined;
    let ended = false;
    // renewed once since the last result: another UNAUTHENTICATED is the API's answer
    let renewed = false;

    async function renewOrFail(answer: () => void): Promise<void> {
      const refused = openWith ?? sentToken;
      unsubscribe();
      if (!renewed && (await renewedAfter(refused))) {
        if (ended) return;
        renewed = true;
        reconnectIfStale();
        start();
        return;
      }
      if (!ended) answer();
    }

    function start(): void {
      let superseded = false;
      unsubscribe = sockets.subscribe<Record<string, unknown>, Record<string, unknown>>(payload, {
        next(result) {
          if (superseded) return;
          if (isUnauthenticated(result.errors)) {
            // the API ends the subscription after this: not its end for the screen
            superseded = true;
            void renewOrFail(() => {
              sink.next(result);
              sink.complete();
            });
            return;
          }
          renewed = false;
          sink.next(result);
        },
        error(error) {
          if (superseded) return;
          if (isUnauthenticated(error)) {
            superseded = true;
            void renewOrFail(() => {
              sink.error(error);
            });
            return;
          }
          sink.error(error);
        },
        complete() {
          if (!superseded) sink.complete();
        },
      });
    }

    start();
    return () => {
      ended = true;
      unsubscribe();
    };
  }

  return {
    subscribe,
    dispose() {
      clearTimeout(connectTimer);
      stopWatchingToken?.();
      void sockets.dispose();
    },
  };
}
