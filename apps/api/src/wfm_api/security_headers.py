"""What a browser may do with what the API answers: security headers on every response.

An answer of the API is data, never a page: its Content-Security-Policy lets it load, run
and frame nothing. The GraphiQL page and its bundle set their own policy (GRAPHIQL_POLICY),
which lets the bundle run from the API's own origin and nothing else; so do the web app's
page and files (`web_policy`)."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DATA_POLICY = "default-src 'none'; frame-ancestors 'none'"
GRAPHIQL_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        # Monaco and GraphiQL add <style> elements as they draw; the page has one of its own
        "style-src 'self' 'unsafe-inline'",
        "font-src 'self' data:",
        "img-src 'self' data:",
        # Monaco's language workers: module workers from the bundle (blob: is its fallback)
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)

# The web app (wfm_api.web): its bundle from the API's own origin, nothing inline, and calls
# to the API alone. `web_policy` adds the WebSocket origin of WFM_PUBLIC_URL (subscriptions):
# browsers that predate CSP 3 do not count ws:/wss: of the page's own host as 'self'. Never
# the blanket `ws: wss:`, which would let a script talk to any host.
WEB_POLICY_DIRECTIVES = (
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
WEB_POLICY = "; ".join(WEB_POLICY_DIRECTIVES)


def web_policy(public_url: str) -> str:
    """WEB_POLICY, with the WebSocket origin of where people reach the API allowed too."""
    parts = urlsplit(public_url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return WEB_POLICY
    host = parts.netloc.rpartition("@")[2].lower()
    socket_origin = f"{'wss' if parts.scheme == 'https' else 'ws'}://{host}"
    return "; ".join(
        f"connect-src 'self' {socket_origin}" if directive == "connect-src 'self'" else directive
        for directive in WEB_POLICY_DIRECTIVES
    )


CONTENT_SECURITY_POLICY = b"content-security-policy"
# Every response has these; a response that sets one itself keeps its own.
DEFAULTS: tuple[tuple[bytes, bytes], ...] = (
    (CONTENT_SECURITY_POLICY, DATA_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
)


def with_security_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    present = {name.lower() for name, _ in headers}
    return [*headers, *((name, value) for name, value in DEFAULTS if name not in present)]


class SecurityHeaders:
    """Pure ASGI, like the API's other middleware: the headers are added as the response
    starts, whatever answered it (a route, a refusal, a static file)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = with_security_headers(list(message.get("headers", [])))
            await send(message)

        await self.app(scope, receive, send_with_headers)
