/** A stand-in for the API's HTTP side in unit tests: it answers each request with the
 * function given and keeps what was sent. (The browser tests run against the real API.) */

export interface SentRequest {
  path: string;
  method: string;
  headers: Headers;
  credentials: RequestCredentials | undefined;
  body: unknown;
}

export interface FakeServer {
  fetch: typeof fetch;
  sent: SentRequest[];
  /** The requests sent to one path */
  to(path: string): SentRequest[];
}

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

export function graphqlError(code: string, message = code.toLowerCase()): Response {
  return json({ data: null, errors: [{ message, extensions: { code } }] });
}

export function fakeServer(answer: (request: SentRequest) => Response | Promise<Response>): FakeServer {
  const sent: SentRequest[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const body = typeof init?.body === "string" ? (JSON.parse(init.body) as unknown) : null;
    const request: SentRequest = {
      path: new URL(url, "http://app.test").pathname,
      method: init?.method ?? "GET",
      headers: new Headers(init?.headers),
      credentials: init?.credentials,
      body,
    };
    sent.push(request);
    return answer(request);
  };
  return { fetch, sent, to: (path) => sent.filter((request) => request.path === path) };
}
