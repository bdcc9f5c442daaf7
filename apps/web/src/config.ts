/** Where the API answers, read once when the app starts: one build for every deployment.
 *
 * The app asks its own origin for `/config.json`. Without one (a 404, or the API serving
 * the app itself, which answers that path with the page), the API is this origin: every
 * call goes to `/graphql`, `/auth/*` and `/files` here. `{"apiUrl": "https://api.example.test"}`
 * sends them to that origin instead (its `WFM_CORS_ORIGINS` must list this app's origin),
 * with `credentials: "include"` so the refresh cookie travels between the two origins of
 * one site; across sites the browser keeps that `SameSite=Strict` cookie back, and a
 * reload asks to sign in again. */

export const CONFIG_PATH = "/config.json";
export const FILES_PATH = "/files";

export interface ApiLocation {
  /** GraphQL over HTTP */
  graphqlUrl: string;
  /** The graphql-ws socket (ws: or wss:) */
  webSocketUrl: string;
  refreshUrl: string;
  logoutUrl: string;
  /** Attachments: `POST` uploads here; a file's `downloadUrl` (`/files/<id>`) is under the same API */
  filesUrl: string;
  /** "include" when the API is another origin, so that its cookie is sent and kept */
  credentials: RequestCredentials;
}

export class InvalidConfig extends Error {
  override name = "InvalidConfig";
}

type PageLocation = Pick<Location, "origin">;

/** The API's endpoints: at `apiUrl` (an http: or https: URL, a path prefix allowed), or at
 * the page's own origin when it is null. */
export function apiLocation(apiUrl: string | null, page: PageLocation): ApiLocation {
  const base = apiUrl === null ? new URL(page.origin) : parseApiUrl(apiUrl);
  const path = base.pathname.replace(/\/+$/, "");
  const sameOrigin = base.origin === page.origin;
  // same origin: paths alone (the Vite dev server proxies them to the API)
  const http = sameOrigin ? path : base.origin + path;
  const socket = `${base.protocol === "https:" ? "wss:" : "ws:"}//${base.host}${path}`;
  return {
    graphqlUrl: `${http}/graphql`,
    webSocketUrl: `${socket}/graphql`,
    refreshUrl: `${http}/auth/refresh`,
    logoutUrl: `${http}/auth/logout`,
    filesUrl: `${http}/files`,
    credentials: sameOrigin ? "same-origin" : "include",
  };
}

function parseApiUrl(apiUrl: string): URL {
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw new InvalidConfig(`config.json: apiUrl is not a URL: ${apiUrl}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InvalidConfig(`config.json: apiUrl must be an http: or https: URL, not ${apiUrl}`);
  }
  if (url.search !== "" || url.hash !== "") {
    throw new InvalidConfig(`config.json: apiUrl takes no query or fragment: ${apiUrl}`);
  }
  return url;
}

/** The `apiUrl` of the page origin's `config.json`, or null when there is none. */
export async function readApiUrl(fetchConfig: typeof fetch): Promise<string | null> {
  let response: Response;
  try {
    response = await fetchConfig(CONFIG_PATH, { cache: "no-store", credentials: "same-origin" });
  } catch {
    return null; // unreachable: the calls to this origin will say so
  }
  // a 404, or the API's own page for any unknown path: no configuration
  const type = response.headers.get("content-type") ?? "";
  if (!response.ok || !type.includes("json")) return null;
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new InvalidConfig("config.json is not JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new InvalidConfig("config.json must be an object");
  }
  const apiUrl = (body as { apiUrl?: unknown }).apiUrl;
  if (apiUrl === undefined || apiUrl === null || apiUrl === "") return null;
  if (typeof apiUrl !== "string") throw new InvalidConfig("config.json: apiUrl must be a string");
  return apiUrl;
}

/** Where the API answers, from the page's `config.json`. */
export async function loadApiLocation(
  page: PageLocation,
  fetchConfig: typeof fetch = (input, init) => globalThis.fetch(input, init),
): Promise<ApiLocation> {
  return apiLocation(await readApiUrl(fetchConfig), page);
}
