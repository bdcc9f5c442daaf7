/** The signed-in session, as OWASP advises for a single-page app: the access token lives in
 * this module's memory only (never Web Storage); the refresh token is an HttpOnly cookie
 * that the API sets when a sign-in request says `X-WFM-Session: cookie`, and that
 * `POST /auth/refresh` rotates. A reload therefore signs in again through that cookie.
 * (An API of another origin of the same site gets the cookie too; across sites the browser
 * keeps it back, and a reload asks to sign in again: see src/config.ts.) */

import type { ApiLocation } from "../config";

export const SESSION_HEADER_NAME = "X-WFM-Session";
/** Sent with every sign-in, refresh and sign-out: the refresh token goes in a cookie. */
export const SESSION_HEADERS: Readonly<Record<string, string>> = { [SESSION_HEADER_NAME]: "cookie" };

export const REFRESH_PATH = "/auth/refresh";
export const LOGOUT_PATH = "/auth/logout";

export interface SessionUser {
  id: string;
  email: string;
  displayName: string | null;
  role: string;
  locale: string;
  permissions: readonly string[];
  tenant: { id: string; companyName: string } | null;
}

export type SessionState =
  | { status: "restoring" }
  | { status: "signedOut" }
  | { status: "signedIn"; user: SessionUser };

export interface AccessGrant {
  accessToken: string;
  /** Epoch milliseconds */
  expiresAt: number;
}

export interface SessionOptions {
  fetch?: typeof fetch;
  /** Where the cookie routes answer (src/config.ts); this origin's `/auth/*` by default */
  api?: Pick<ApiLocation, "refreshUrl" | "logoutUrl" | "credentials">;
  now?: () => number;
  /** Refresh this long before the access token expires */
  refreshAheadMs?: number;
}

const SIGNED_OUT: SessionState = { status: "signedOut" };

export class Session {
  #state: SessionState = { status: "restoring" };
  #grant: AccessGrant | null = null;
  #listeners = new Set<() => void>();
  #grantListeners = new Set<(accessToken: string) => void>();
  #refreshing: Promise<boolean> | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  readonly #refreshAheadMs: number;
  readonly #refreshUrl: string;
  readonly #logoutUrl: string;
  /** How calls that carry the refresh cookie are sent: "include" when the API is another origin */
  readonly credentials: RequestCredentials;

  constructor(options: SessionOptions = {}) {
    this.#refreshUrl = options.api?.refreshUrl ?? REFRESH_PATH;
    this.#logoutUrl = options.api?.logoutUrl ?? LOGOUT_PATH;
    this.credentials = options.api?.credentials ?? "same-origin";
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#now = options.now ?? (() => Date.now());
    this.#refreshAheadMs = options.refreshAheadMs ?? 60_000;
  }

  get accessToken(): string | null {
    return this.#grant?.accessToken ?? null;
  }

  get state(): SessionState {
    return this.#state;
  }

  /** For `useSyncExternalStore` */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  readonly getSnapshot = (): SessionState => this.#state;

  /** Called with each new access token (a sign-in, a refresh); the live-updates socket
   * reconnects with it. */
  onAccessToken(listener: (accessToken: string) => void): () => void {
    this.#grantListeners.add(listener);
    return () => this.#grantListeners.delete(listener);
  }

  /** Whether the access token is missing or expires within the refresh margin. */
  expiresSoon(): boolean {
    return this.#grant === null || this.#grant.expiresAt - this.#now() <= this.#refreshAheadMs;
  }

  /** On app start: the refresh cookie of an earlier visit signs the user in again. */
  async restore(loadUser: () => Promise<SessionUser>): Promise<void> {
    if (!(await this.refresh())) {
      this.#end();
      return;
    }
    try {
      this.#setState({ status: "signedIn", user: await loadUser() });
    } catch {
      this.#end();
    }
  }

  /** After a sign-in mutation answered a session. */
  signIn(grant: AccessGrant, user: SessionUser): void {
    this.#setGrant(grant);
    this.#setState({ status: "signedIn", user });
  }

  /** A new access token by rotating the refresh cookie; concurrent callers share one
   * request. False when the server refuses (401) or has no cookie route (404): the
   * current token, if still valid, goes on until it expires. */
  refresh(): Promise<boolean> {
    this.#refreshing ??= this.#rotate().finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  /** The API refused the access token and no new one could be had: signed out. */
  expire(): void {
    this.#end();
  }

  /** Revoke the refresh token family and clear the cookie (best effort), then forget. */
  async signOut(): Promise<void> {
    try {
      await this.#fetch(this.#logoutUrl, {
        method: "POST",
        headers: { ...SESSION_HEADERS },
        credentials: this.credentials,
      });
    } catch {
      // offline: the cookie expires on its own; memory is cleared all the same
    }
    this.#end();
  }

  async #rotate(): Promise<boolean> {
    let response: Response;
    try {
      response = await this.#fetch(this.#refreshUrl, {
        method: "POST",
        headers: { ...SESSION_HEADERS },
        credentials: this.credentials,
      });
    } catch {
      return false;
    }
    if (!response.ok) return false;
    const body = (await response.json()) as { accessToken?: unknown; expiresIn?: unknown };
    if (typeof body.accessToken !== "string" || typeof body.expiresIn !== "number") return false;
    this.#setGrant({ accessToken: body.accessToken, expiresAt: this.#now() + body.expiresIn * 1000 });
    return true;
  }

  #setGrant(grant: AccessGrant): void {
    this.#grant = grant;
    for (const listener of this.#grantListeners) listener(grant.accessToken);
    clearTimeout(this.#timer);
    const delay = Math.max(grant.expiresAt - this.#now() - this.#refreshAheadMs, 0);
    this.#timer = setTimeout(() => {
      void this.refresh().then((renewed) => {
        // no cookie session (or it ended): sign out when the token itself expires
        if (!renewed && this.#grant === grant) {
          this.#timer = setTimeout(() => {
            this.#end();
          }, Math.max(grant.expiresAt - this.#now(), 0));
        }
      });
    }, delay);
  }

  #end(): void {
    clearTimeout(this.#timer);
    this.#grant = null;
    this.#setState(SIGNED_OUT);
  }

  #setState(state: SessionState): void {
    if (state === this.#state) return;
    this.#state = state;
    for (const listener of this.#listeners) listener();
  }
}
