/** A stand-in for the API's live-updates WebSocket in unit tests: the graphql-transport-ws
 * protocol as the API speaks it (the token in `connection_init`, 4403 for a refused one, a
 * subscription ended with UNAUTHENTICATED once its connection's token has expired), in
 * memory. Its `WebSocket` class goes to graphql-ws as `webSocketImpl`. (The browser tests
 * run against the real API.) */

interface Message {
  type: string;
  id?: string;
  payload?: unknown;
}

interface CloseEventLike {
  code: number;
  reason: string;
  wasClean: boolean;
}

export interface FakeConnection {
  /** The access token its `connection_init` carried, once it came */
  token: string | null;
  readyState: number;
  closedWith: number | null;
}

export interface FakeLiveApi {
  WebSocket: unknown;
  /** Every socket opened, in order */
  connections: FakeConnection[];
  /** Tokens the API accepts (and their expiry: `expire(token)`) */
  accept(token: string): void;
  expire(token: string): void;
  /** A proxy that refuses every WebSocket handshake */
  blocked: boolean;
  /** A change: sent to every live subscription (UNAUTHENTICATED where the token expired) */
  publish(data: Record<string, unknown>): void;
  /** The subscriptions open now */
  readonly subscriptions: number;
}

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

export function fakeLiveApi(): FakeLiveApi {
  const valid = new Set<string>();
  const expired = new Set<string>();
  const open = new Map<string, { socket: FakeWebSocket; id: string }>();
  const connections: FakeConnection[] = [];
  let nextKey = 0;

  class FakeWebSocket implements FakeConnection {
    static readonly CONNECTING = CONNECTING;
    static readonly OPEN = OPEN;
    static readonly CLOSING = CLOSING;
    static readonly CLOSED = CLOSED;

    readyState = CONNECTING;
    token: string | null = null;
    closedWith: number | null = null;
    onopen: (() => void) | null = null;
    onclose: ((event: CloseEventLike) => void) | null = null;
    onerror: ((event: unknown) => void) | null = null;
    onmessage: ((event: { data: string }) => void) | null = null;
    readonly #key = String(nextKey++);

    constructor() {
      connections.push(this);
      setTimeout(() => {
        if (this.readyState !== CONNECTING) return;
        if (api.blocked) {
          this.onerror?.({ type: "error" });
          this.#closed(1006, "");
          return;
        }
        this.readyState = OPEN;
        this.onopen?.();
      }, 0);
    }

    send(data: string): void {
      if (this.readyState !== OPEN) return;
      const message = JSON.parse(data) as Message;
      if (message.type === "connection_init") {
        const payload = (message.payload ?? {}) as { authorization?: string };
        const token = payload.authorization?.replace(/^Bearer /, "") ?? null;
        this.token = token;
        if (token === null || !valid.has(token) || expired.has(token)) this.#serverCloses(4403, "Forbidden");
        else this.#reply({ type: "connection_ack" });
      } else if (message.type === "subscribe" && message.id !== undefined) {
        open.set(`${this.#key}:${message.id}`, { socket: this, id: message.id });
      } else if (message.type === "complete" && message.id !== undefined) {
        open.delete(`${this.#key}:${message.id}`);
      } else if (message.type === "ping") {
        this.#reply({ type: "pong" });
      }
    }

    close(code = 1000, reason = ""): void {
      if (this.readyState >= CLOSING) return;
      this.readyState = CLOSING;
      setTimeout(() => {
        this.#closed(code, reason);
      }, 0);
    }

    /** The API's side of a subscription: a result, or the end of it. */
    deliver(id: string, data: Record<string, unknown>): void {
      if (this.token !== null && expired.has(this.token)) {
        const errors = [{ message: "the access token has expired", extensions: { code: "UNAUTHENTICATED" } }];
        this.#reply({ type: "next", id, payload: { data: null, errors } });
        this.#reply({ type: "complete", id });
        open.delete(`${this.#key}:${id}`);
      } else {
        this.#reply({ type: "next", id, payload: { data } });
      }
    }

    #reply(message: Message): void {
      const data = JSON.stringify(message);
      setTimeout(() => {
        if (this.readyState === OPEN) this.onmessage?.({ data });
      }, 0);
    }

    #serverCloses(code: number, reason: string): void {
      this.readyState = CLOSING;
      setTimeout(() => {
        this.#closed(code, reason);
      }, 0);
    }

    #closed(code: number, reason: string): void {
      if (this.readyState === CLOSED) return;
      this.readyState = CLOSED;
      this.closedWith = code;
      for (const [key, subscription] of open) if (subscription.socket === this) open.delete(key);
      this.onclose?.({ code, reason, wasClean: code !== 1006 });
    }
  }

  const api: FakeLiveApi = {
    WebSocket: FakeWebSocket,
    connections,
    blocked: false,
    accept(token) {
      valid.add(token);
    },
    expire(token) {
      expired.add(token);
    },
    publish(data) {
      for (const { socket, id } of [...open.values()]) socket.deliver(id, data);
    },
    get subscriptions() {
      return open.size;
    },
  };
  return api;
}
