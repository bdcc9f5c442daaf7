"""Cross-origin calls from a web app hosted elsewhere (`WFM_CORS_ORIGINS`; off by default).

Only the named origins (never `*`: the settings refuse it, since credentials are allowed),
only for the API's calls (`/graphql`, `/auth/*`), only what the web app sends. With no
origin configured the API answers no CORS header at all, and a preflight is not allowed:
browsers then keep other sites' scripts from reading its answers.

A separately hosted app is on another site: the refresh cookie (SameSite=Strict,
`wfm_api.browser_session`) never reaches the API from it, so such an app keeps its tokens
in memory and signs in again when the page is reloaded."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

CORS_PATHS = ("/graphql", "/auth")
ALLOWED_METHODS = ("GET", "POST")
ALLOWED_HEADERS = (
    "authorization",
    "content-type",
    "x-wfm-session",
    "x-request-id",
    "accept-language",
)
# what a script of an allowed origin may read besides the safelisted headers
EXPOSED_HEADERS = ("x-request-id",)


def takes_cross_origin_calls(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in CORS_PATHS)


class CrossOriginCalls:
    """Pure ASGI: Starlette's CORSMiddleware for the API's call paths, nothing elsewhere."""

    def __init__(self, app: ASGIApp, origins: Sequence[str]) -> None:
        self.app = app
        self._cors = CORSMiddleware(
            app,
            allow_origins=list(origins),
            allow_methods=list(ALLOWED_METHODS),
            allow_headers=list(ALLOWED_HEADERS),
            allow_credentials=True,
            expose_headers=list(EXPOSED_HEADERS),
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and takes_cross_origin_calls(scope["path"]):
            await self._cors(scope, receive, send)
            return
        await self.app(scope, receive, send)
