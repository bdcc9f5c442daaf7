"""The composition root of the API process: `create_app(settings)`."""

from __future__ import annotations

import contextlib
import gc
import re
import time
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import structlog
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData

from wfm_api.auth import AuthService, identify
from wfm_api.context import RequestContext, Services
from wfm_api.graphiql import ASSETS_PATH, GraphiQLAssets, GraphiQLPage
from wfm_api.health import healthz, readyz
from wfm_api.instrumentation import RoundTripHeader
from wfm_api.limits import BodySizeLimit, ClientAddress, LoginThrottle, current_client_address
from wfm_api.schema import build_schema
from wfm_integrations.subscriptions import WebhookService
from wfm_shared.clock import Clock, SystemClock
from wfm_shared.logging import get_logger
from wfm_shared.security import TokenCodec
from wfm_shared.settings import Settings
from wfm_storage.bootstrap import Storage
from wfm_workflows.configuration import ConfigService
from wfm_workflows.extensions import load_catalog
from wfm_workflows.operations import JobAdminService, NotificationService, TriggerService
from wfm_workflows.service import WorkflowService
from wfm_workflows.template_service import TemplateService

log = get_logger("wfm.api")

# What a refused HTTP request answers in `extensions.code`, by status.
HTTP_ERROR_CODES = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
}


def build_services(settings: Settings, storage: Storage, clock: Clock) -> Services:
    codec = TokenCodec.from_settings(settings)
    return Services(
        settings=settings,
        storage=storage,
        codec=codec,
        auth=AuthService(
            storage,
            codec,
            clock,
            refresh_ttl=timedelta(seconds=settings.refresh_token_ttl_seconds),
            bcrypt_rounds=settings.bcrypt_rounds,
            throttle=LoginThrottle.from_settings(settings, clock),
        ),
        workflows=WorkflowService(storage, clock),
        templates=TemplateService(storage),
        configuration=ConfigService(storage),
        jobs=JobAdminService(storage),
        webhooks=WebhookService(storage),
        notifications=NotificationService(storage, clock),
        triggers=TriggerService(storage),
    )


class GraphQLView(GraphQL):  # type: ignore[type-arg]
    def __init__(self, app: Starlette, settings: Settings) -> None:
        super().__init__(
            build_schema(settings),
            graphql_ide="graphiql" if settings.graphiql_enabled else None,
            allow_queries_via_get=False,
        )
        self._app = app
        self._graphiql = GraphiQLPage()

    async def render_graphql_ide(self, request: Request) -> Response:
        # strawberry's own page loads GraphiQL from a CDN: ours is bundled with the API
        return await self._graphiql.response()

    async def get_context(self, request: Request, response: Response) -> RequestContext:  # type: ignore[override]
        services: Services = self._app.state.services
        identity = identify(request, services.codec)
        context = RequestContext(services, request, identity)
        if identity.principal is not None:
            structlog.contextvars.bind_contextvars(
                user_id=str(identity.principal.user_id),
                tenant_id=str(identity.principal.tenant_id)
                if identity.principal.tenant_id
                else None,
                role=identity.principal.role,
            )
        return context

    def decode_json(self, data: str | bytes) -> object:
        try:
            return super().decode_json(data)
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


def http_error(status_code: int, message: str) -> JSONResponse:
    code = HTTP_ERROR_CODES.get(status_code, "BAD_REQUEST")
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status_code
    )


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
        request_id = headers.get("x-request-id") or uuid.uuid4().hex
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
        load_catalog()  # extensions register their validators, gates and step types first
        owned = storage is None
        opened = storage or await Storage.open(settings)
        app.state.services = build_services(settings, opened, clock or SystemClock())
        if owns_process:
            # What lives as long as the process (modules, schema, templates, pools) leaves
            # the collector's sight: a full collection then walks only what requests made,
            # instead of pausing a request for ~50 ms every ten or so (measured in B1).
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            if owned:
                await opened.close()

    middleware = [
        Middleware(RequestLogging, client_address=ClientAddress(settings.trusted_proxies)),
        Middleware(BodySizeLimit, max_bytes=settings.max_body_bytes),
    ]
    if settings.expose_round_trips:
        middleware.insert(0, Middleware(RoundTripHeader))
    app = Starlette(lifespan=lifespan, middleware=middleware)
    view = GraphQLView(app, settings)
    app.router.routes.extend(
        [
            Route("/graphql", view, methods=["GET", "POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
        ]
    )
    if settings.graphiql_enabled:
        app.router.routes.append(Mount(ASSETS_PATH, GraphiQLAssets(), name="graphiql-assets"))
    return app
