"""The composition root of the API process: `create_app(settings)`."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

import structlog
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL

from wfm_api.auth import AuthService, identify
from wfm_api.context import RequestContext, Services
from wfm_api.health import healthz, readyz
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
MAX_BODY_BYTES = 1024 * 1024


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


class RequestLogging(BaseHTTPMiddleware):
    """A request id on every log line and response; oversized bodies refused up front."""

    async def dispatch(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            return JSONResponse(
                {
                    "errors": [
                        {
                            "message": "request body too large",
                            "extensions": {"code": "PAYLOAD_TOO_LARGE"},
                        }
                    ]
                },
                status_code=413,
                headers={"x-request-id": request_id},
            )
        started = time.perf_counter()
        response = await call_next(request)
        response.headers["x-request-id"] = request_id
        log.info(
            "request",
            method=request.method,
            path=request.url.path,
            status=response.status_code,
            ms=round((time.perf_counter() - started) * 1000, 1),
        )
        return response


def create_app(
    settings: Settings, *, storage: Storage | None = None, clock: Clock | None = None
) -> Starlette:
    """The API. With `storage` given (tests), the caller owns its lifetime."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        load_catalog()  # extensions register their validators, gates and step types first
        owned = storage is None
        opened = storage or await Storage.open(settings)
        app.state.services = build_services(settings, opened, clock or SystemClock())
        try:
            yield
        finally:
            if owned:
                await opened.close()

    app = Starlette(
        lifespan=lifespan,
        middleware=[Middleware(RequestLogging)],
    )
    view = GraphQLView(app, settings)
    app.router.routes.extend(
        [
            Route("/graphql", view, methods=["GET", "POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
        ]
    )
    return app
