"""The composition root of the API process: `create_app(settings)`."""

from __future__ import annotations

import contextlib
import gc
import json
import re
import time
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import structlog
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from wfm_api.auth import AuthService, identify
from wfm_api.browser_session import browser_session_routes
from wfm_api.context import RequestContext
from wfm_api.cors import CrossOriginCalls
from wfm_api.files import FILES_PATH, UPLOAD_MAX_BODY_BYTES, UPLOAD_SECONDS, file_routes
from wfm_api.graphiql import ASSETS_PATH, GraphiQLPage, graphiql_assets
from wfm_api.health import healthz, readyz
from wfm_api.hooks import hook_routes
from wfm_api.instrumentation import RoundTripHeader
from wfm_api.limits import (
    BodyAllowance,
    BodyLimits,
    ClientAddress,
    ClientThrottle,
    LoginThrottle,
    current_client_address,
)
from wfm_api.live import LiveUpdates
from wfm_api.live_socket import (
    CONNECTION_INIT_SECONDS,
    LiveConnectionHandler,
    LiveContext,
    websocket_origins,
)
from wfm_api.refusals import http_error
from wfm_api.schema import build_schema
from wfm_api.security_headers import SecurityHeaders, with_security_headers
from wfm_api.web import WebApp
from wfm_bootstrap import Services, bootstrap
from wfm_shared.clock import Clock
from wfm_shared.logging import get_logger
from wfm_shared.settings import Settings
from wfm_storage.bootstrap import Storage

log = get_logger("wfm.api")


def build_auth(services: Services) -> AuthService:
    """Login, refresh and logout: the API's own service, on the platform's services."""
    settings, storage, clock = services.settings, services.storage, services.clock
    return AuthService(
        storage.db,
        storage.credentials,
        services.codec,
        clock,
        refresh_ttl=timedelta(seconds=settings.refresh_token_ttl_seconds),
        bcrypt_rounds=settings.bcrypt_rounds,
        throttle=LoginThrottle.from_settings(
            settings, ClientThrottle(storage.db, storage.throttle, clock)
        ),
        audit=services.audit,
        mfa=services.mfa,
    )


class GraphQLView(GraphQL):
    # live updates: subscriptions over graphql-transport-ws only (wfm_api.live_socket)
    graphql_transport_ws_handler_class = LiveConnectionHandler  # type: ignore[assignment]

    def __init__(self, app: Starlette, settings: Settings) -> None:
        super().__init__(
            build_schema(settings),
            graphql_ide="graphiql" if settings.graphiql_enabled else None,
            allow_queries_via_get=False,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(seconds=CONNECTION_INIT_SECONDS),
            max_subscriptions_per_connection=settings.live_max_subscriptions_per_connection,
            allowed_origins=websocket_origins(settings),
        )
        self._app = app
        self._graphiql = GraphiQLPage()

    async def render_graphql_ide(self, request: Request) -> Response:
        # strawberry's own page loads GraphiQL from a CDN: ours is bundled with the API
        return await self._graphiql.response()

    async def get_context(self, request: Request, response: Response) -> RequestContext:  # type: ignore[override]
        services: Services = self._app.state.services
        if isinstance(request, WebSocket):  # signed in by its connection_init message
            return LiveContext(services, self._app.state.auth, request, self._app.state.live)
        identity = identify(request, services.codec, self._app.state.auth.enrolment_codec)
        context = RequestContext(services, self._app.state.auth, request, identity, response)
        if identity.principal is not None:
            structlog.contextvars.bind_contextvars(
                user_id=str(identity.principal.user_id),
                tenant_id=str(identity.principal.tenant_id)
                if identity.principal.tenant_id
                else None,
                role=identity.principal.role,
            )
        return context

    async def on_ws_connect(self, context: RequestContext) -> None:  # type: ignore[override]
        assert isinstance(context, LiveContext)
        await context.sign_in()

    def decode_json(self, data: str | bytes) -> object:
        if isinstance(data, bytes):
            # json.loads would guess UTF-16 or UTF-32 from the bytes, and fail (500) on
            # anything that is no encoding at all
            try:
                data = data.decode("utf-8")
            except UnicodeDecodeError:
                raise HTTPException(400, "the request body must be JSON encoded in UTF-8") from None
        try:
            return json.loads(data, parse_constant=_not_json)
        except RecursionError:
            raise HTTPException(400, "the request body is nested too deeply") from None

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        """One operation per request: a JSON array (a batch) would multiply every per-request
        limit (depth, aliases, tokens, login attempts), so it is refused, as is any body that
        is not a JSON object. So is text no database can store (a NUL character, half of a
        surrogate pair): it would otherwise reach the event log first and fail later, in a
        projection or the worker."""
        if request.method == "POST" and "json" in (request.content_type or ""):
            body = self.parse_json(await request.get_body())
            if isinstance(body, list):
                raise HTTPException(
                    400, "batched operations are not supported: send one operation per request"
                )
            if not isinstance(body, dict):
                raise HTTPException(400, "the request body must be a JSON object")
            query = body.get("query")
            if _holds_unstorable_text(body) or (
                isinstance(query, str) and NUL_ESCAPE.search(query)
            ):
                raise HTTPException(
                    400, "text must be valid Unicode without NUL characters or lone surrogates"
                )
        return await super().parse_http_body(request)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """As strawberry's, but a refused request answers JSON with `extensions.code`."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope, receive))
        except HTTPException as error:
            response = http_error(error.status_code, error.reason)
        await response(scope, receive, send)


def _not_json(constant: str) -> object:
    # Python's decoder takes NaN and Infinity, which JSON does not have
    raise HTTPException(400, f"the request body is not JSON: {constant}")


# A NUL character written as a GraphQL string escape: \u0000 or \u{0} (the same six
# characters meant as text, in a block string, are refused too: the price of parsing once).
NUL_ESCAPE = re.compile(r"\\u(?:0000|\{0+\})")
UNSTORABLE_CHARACTERS = re.compile("[\x00\ud800-\udfff]")


def _holds_unstorable_text(value: object) -> bool:
    pending = [value]  # iterative: variables may nest as deep as the JSON decoder allows
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if UNSTORABLE_CHARACTERS.search(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


async def refused_request(request: Request, error: Exception) -> Response:
    """Starlette's own refusals (an unknown path, a method a route does not take, a file
    the bundle does not have) in the same JSON as the API's."""
    assert isinstance(error, StarletteHTTPException)
    if error.status_code in {204, 304}:  # no body allowed
        return Response(status_code=error.status_code, headers=error.headers)
    return http_error(error.status_code, error.detail, error.headers)


async def unhandled_error(request: Request, error: Exception) -> Response:
    """The last resort (the error is logged by the server): JSON without internals, with
    the same security headers as every other answer (it is sent outside the middleware)."""
    response = http_error(500, "internal error")
    response.raw_headers = with_security_headers(response.raw_headers)
    return response


# A request id a client sends is kept when it is short and plain; any other is replaced
# (it reaches every log line and the response headers).
CLIENT_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def request_id_of(headers: Headers) -> str:
    sent = headers.get("x-request-id")
    if sent is not None and CLIENT_REQUEST_ID.fullmatch(sent):
        return sent
    return uuid.uuid4().hex


class RequestLogging:
    """A request id on every log line and response; the client's address for the request.
    Pure ASGI: what it sets in the request's context is the context the app runs in (and it
    costs no task and no stream per request, as a BaseHTTPMiddleware would)."""

    def __init__(self, app: ASGIApp, client_address: ClientAddress) -> None:
        self.app = app
        self._client_address = client_address

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        request_id = request_id_of(headers)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        client = scope.get("client")
        current_client_address.set(
            self._client_address.of(client[0] if client else None, headers.get("x-forwarded-for"))
        )
        started = time.perf_counter()
        status = 500  # unless a response starts

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *(h for h in message.get("headers", []) if h[0].lower() != b"x-request-id"),
                    (b"x-request-id", request_id.encode("latin-1")),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                ms=round((time.perf_counter() - started) * 1000, 1),
            )


def create_app(
    settings: Settings,
    *,
    storage: Storage | None = None,
    clock: Clock | None = None,
    owns_process: bool = False,
) -> Starlette:
    """The API. With `storage` given (tests), the caller owns its lifetime. `owns_process`:
    the API is all this process runs (`wfm serve`)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # the storage is opened here unless given (then the caller closes it)
        services = await bootstrap(settings, storage=storage, clock=clock)
        app.state.services = services
        app.state.auth = build_auth(services)
        app.state.live = LiveUpdates(settings, services.clock)
        await app.state.live.start()
        if owns_process:
            # What lives as long as the process (modules, schema, templates, pools) leaves
            # the collector's sight: a full collection then walks only what requests made,
            # instead of pausing a request for ~50 ms every ten or so (measured in B1).
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            await app.state.live.stop()
            await services.close()

    middleware = [
        Middleware(SecurityHeaders),
        Middleware(RequestLogging, client_address=ClientAddress(settings.trusted_proxies)),
    ]
    if settings.cors_origins:  # before the body limits: a preflight has no body to limit
        middleware.append(Middleware(CrossOriginCalls, origins=settings.cors_origins))
    middleware.append(
        Middleware(
            BodyLimits,
            max_bytes=settings.max_body_bytes,
            timeout_seconds=settings.http_body_timeout_seconds,
            # a file streams to storage as it arrives; its step's own limit is the route's
            allowances={
                FILES_PATH: BodyAllowance(
                    max_bytes=max(UPLOAD_MAX_BODY_BYTES, settings.max_body_bytes),
                    timeout_seconds=max(UPLOAD_SECONDS, settings.http_body_timeout_seconds),
                )
            },
        )
    )
    if settings.expose_round_trips:
        middleware.insert(0, Middleware(RoundTripHeader))
    app = Starlette(
        lifespan=lifespan,
        middleware=middleware,
        exception_handlers={
            StarletteHTTPException: refused_request,
            Exception: unhandled_error,
        },
    )
    view = GraphQLView(app, settings)
    app.router.routes.extend(
        [
            Route("/graphql", view, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", view),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            *browser_session_routes(),
            *hook_routes(),  # webhook triggers: a vendor's system starts a workflow
            *file_routes(),  # attachments: upload, download
        ]
    )
    if settings.graphiql_enabled:
        app.router.routes.append(Mount(ASSETS_PATH, graphiql_assets(), name="graphiql-assets"))
    # what no route takes (not even with another method) is the web app's: its files, or
    # its page for the paths it routes in the browser
    app.router.default = WebApp.from_settings(settings)
    return app
