"""A browser's session: the refresh token in an HttpOnly cookie, never within a script's reach.

As OWASP's guidance for single-page apps has it, the web app keeps its access token in
memory only, and its refresh token where no script can read it: a request that asks for
it with `X-WFM-Session: cookie` gets the refresh token of any sign-in (login, verifyMfa,
refreshToken, changePassword) as the cookie `wfm_refresh` instead of in the payload.
Without the header (the CLI, integrations, tests) nothing changes.

The cookie goes back only to `/auth` (Path), only from the API's own site
(SameSite=Strict), never to a script (HttpOnly), and only over TLS when the platform is
reached over https (`WFM_PUBLIC_URL`). Two routes use it:

- `POST /auth/refresh`: rotates the cookie's token (`AuthService.refresh`: a reused token
  revokes its family) and answers a new access token;
- `POST /auth/logout`: revokes the token's family and clears the cookie.

Both want the `X-WFM-Session: cookie` header too: a form or a link of another site cannot
send it, so it cannot make the browser spend its cookie (cross-site request forgery);
SameSite already keeps the cookie from such requests, the header holds where it does not."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from wfm_api.auth import AuthService
from wfm_api.errors import storage_unavailable
from wfm_shared.clock import Clock
from wfm_shared.errors import Unauthenticated
from wfm_shared.logging import get_logger
from wfm_shared.settings import Settings

log = get_logger("wfm.api")

SESSION_HEADER = "x-wfm-session"
COOKIE_SESSION = "cookie"
REFRESH_COOKIE = "wfm_refresh"
COOKIE_PATH = "/auth"
NO_STORE = {"cache-control": "no-store"}

Endpoint = Callable[[Request], Awaitable[Response]]


def wants_cookie(headers: Headers) -> bool:
    """The client is a browser that keeps its refresh token in the cookie."""
    return headers.get(SESSION_HEADER, "").strip().lower() == COOKIE_SESSION


class RefreshCookie:
    """How the refresh token is written to, and cleared from, a browser."""

    def __init__(self, *, secure: bool, max_age_seconds: int) -> None:
        self.secure = secure
        self.max_age_seconds = max_age_seconds  # the refresh token's own lifetime

    @classmethod
    def from_settings(cls, settings: Settings) -> RefreshCookie:
        return cls(
            secure=urlsplit(settings.public_url).scheme == "https",
            max_age_seconds=settings.refresh_token_ttl_seconds,
        )

    def keep(self, response: Response, refresh_token: str) -> None:
        response.set_cookie(
            REFRESH_COOKIE,
            refresh_token,
            max_age=self.max_age_seconds,
            path=COOKIE_PATH,
            secure=self.secure,
            httponly=True,
            samesite="strict",
        )

    def clear(self, response: Response) -> None:
        response.delete_cookie(
            REFRESH_COOKIE, path=COOKIE_PATH, secure=self.secure, httponly=True, samesite="strict"
        )


def refusal(
    status_code: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": code, "message": message},
        status_code=status_code,
        headers={**NO_STORE, **(headers or {})},
    )


def browser_route(handler: Endpoint) -> Endpoint:
    """A route of the browser's session: refused without the session header (403), and
    answering 503 while the storage is unavailable, as GraphQL does."""

    async def endpoint(request: Request) -> Response:
        if not wants_cookie(request.headers):
            return refusal(
                403,
                "FORBIDDEN",
                f"send the header '{SESSION_HEADER}: {COOKIE_SESSION}' with this request",
            )
        try:
            return await handler(request)
        except Exception as error:
            if not storage_unavailable(error):
                raise
            log.warning("storage_unavailable", error=repr(error))
            return refusal(503, "UNAVAILABLE", "a storage service is unavailable; retry later")

    return endpoint


@browser_route
async def refresh_session(request: Request) -> Response:
    """A new access token for the cookie's refresh token, which is rotated."""
    services = request.app.state.services
    auth: AuthService = request.app.state.auth
    clock: Clock = services.clock
    cookie = RefreshCookie.from_settings(services.settings)
    token = request.cookies.get(REFRESH_COOKIE)
    try:
        if not token:
            raise Unauthenticated("no session: log in")
        session = await auth.refresh(token)
    except Unauthenticated as error:
        response = refusal(401, error.code, error.message)
        cookie.clear(response)
        return response
    response = JSONResponse(
        {
            "accessToken": session.access_token,
            "expiresIn": max(0, round((session.expires_at - clock.now()).total_seconds())),
            "tokenType": "Bearer",
        },
        headers=NO_STORE,
    )
    cookie.keep(response, session.refresh_token)
    return response


@browser_route
async def end_session(request: Request) -> Response:
    """Revoke the cookie's refresh token and every token rotated with it; clear the cookie.
    No cookie, or one no longer valid: nothing to end, the same answer."""
    services = request.app.state.services
    auth: AuthService = request.app.state.auth
    token = request.cookies.get(REFRESH_COOKIE)
    if token:
        await auth.logout(token)
    response = Response(status_code=204, headers=NO_STORE)
    RefreshCookie.from_settings(services.settings).clear(response)
    return response


def browser_session_routes() -> list[Route]:
    return [
        Route("/auth/refresh", refresh_session, methods=["POST"]),
        Route("/auth/logout", end_session, methods=["POST"]),
    ]
