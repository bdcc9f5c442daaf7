"""The live-updates WebSocket: GraphQL subscriptions over the graphql-transport-ws protocol
(the graphql-ws library's), on the same /graphql path.

- Authentication: the `connection_init` message's payload carries
  `{"authorization": "Bearer <access token>"}` (a browser cannot set a WebSocket's headers).
  A missing or invalid token, an enrolment session's, or a session that has ended closes
  the connection with 4403; a user past `live_max_connections_per_user` in this process
  gets 4429. Each new subscription checks the token again (expiry), and every read checks
  the session (`begin_statement`), so a signed-out user's subscriptions end.
- Only subscriptions run over the socket: queries and mutations go over HTTP, through the
  same limits, logs and throttles as always.
- Each operation has database scopes of its own (`OperationScope`): a read-only session and
  loaders for one event, released before the subscription waits for the next, so an idle
  subscription holds no pooled connection."""

from __future__ import annotations

import contextlib
from contextvars import ContextVar
from typing import Any
from urllib.parse import urlsplit

from starlette.websockets import WebSocket
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ConnectionInitMessage

from wfm_api.auth import AuthService, RequestIdentity, identify_bearer
from wfm_api.context import RequestContext
from wfm_api.live import LiveUpdates, TooManyLiveConnections
from wfm_api.loaders import Loaders
from wfm_bootstrap import Services
from wfm_shared.errors import Unauthenticated
from wfm_shared.logging import get_logger
from wfm_shared.principal import Principal
from wfm_shared.settings import Settings
from wfm_storage.postgres import ScopedSession

log = get_logger("wfm.live")

# graphql-transport-ws close codes (the protocol's own: 4403 Forbidden; 4429 is its "too
# many" code, used here for connections past the per-user limit)
REFUSED = 4403
TOO_MANY_CONNECTIONS = 4429
# a connection that has not said who it is by then is closed (4408)
CONNECTION_INIT_SECONDS = 10


def websocket_origins(settings: Settings) -> list[str]:
    """The origins whose pages may open the socket besides the API's own (the Host it was
    reached at): the web apps allowed by WFM_CORS_ORIGINS, and the public URL's."""
    public = urlsplit(settings.public_url)
    own = [f"{public.scheme}://{public.netloc}"] if public.scheme and public.netloc else []
    return [*own, *settings.cors_origins]


class OperationScope:
    """One operation's read-only database session and loaders, opened on first use and
    released (`release`) between the events of a subscription."""

    def __init__(self, services: Services, principal: Principal) -> None:
        self._services = services
        self._principal = principal
        self._session: ScopedSession | None = None
        self._loaders: Loaders | None = None

    @property
    def session(self) -> ScopedSession:
        if self._session is None:
            self._session = self._services.storage.db.session(self._principal)
        return self._session

    @property
    def loaders(self) -> Loaders:
        if self._loaders is None:
            self._loaders = Loaders(self._services.storage, self.session, self._principal)
        return self._loaders

    async def release(self) -> None:
        session, self._session, self._loaders = self._session, None, None
        if session is not None:
            await session.close(commit=True)


# The scope of the operation running in this task: set when it starts (`begin_operation`),
# so that the field resolvers graphql-core runs in tasks of their own see the same one.
_operation_scope: ContextVar[OperationScope | None] = ContextVar("wfm_operation", default=None)


class LiveContext(RequestContext):
    """A WebSocket connection's context, shared by its subscriptions: who signed in, and,
    per operation, its database scope."""

    def __init__(
        self, services: Services, auth: AuthService, websocket: WebSocket, live: LiveUpdates
    ) -> None:
        super().__init__(services, auth, websocket, RequestIdentity(None))
        self.live = live
        self.connection_params: dict[str, Any] = {}  # the connection_init payload
        self._token: str | None = None
        self._held = contextlib.ExitStack()

    async def sign_in(self) -> None:
        """Authenticate from the connection_init payload, or refuse the connection."""
        header = self.connection_params.get("authorization")
        identity = identify_bearer(header if isinstance(header, str) else None, self.services.codec)
        principal = identity.principal
        if principal is None:
            log.info("live_connection_refused", reason="no valid access token")
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED"})
        try:
            await self._check_session(principal)
        except Unauthenticated:
            log.info("live_connection_refused", reason="session ended")
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED"}) from None
        self._held.enter_context(self.live.connection_of(principal.user_id))
        assert isinstance(header, str)
        self._token = header.partition(" ")[2].strip()
        self.identity = RequestIdentity(principal)
        log.info("live_connection_opened", user_id=str(principal.user_id), role=principal.role)

    async def _check_session(self, principal: Principal) -> None:
        session = self.services.storage.db.session(principal)
        try:
            await session.fetchval("SELECT 1")  # its transaction checks the session
        finally:
            await session.close()

    def live_principal(self) -> Principal:
        """The signed-in principal, its access token checked again (it may have expired
        since the connection was made): UNAUTHENTICATED otherwise."""
        if self._token is None:
            raise Unauthenticated("authentication required")
        principal = self.services.codec.verify(self._token)
        if principal != self.identity.principal:
            raise Unauthenticated("authentication required")
        return principal

    def begin_operation(self) -> None:
        _operation_scope.set(OperationScope(self.services, self.principal))

    def _scope(self) -> OperationScope:
        scope = _operation_scope.get()
        if scope is None:
            raise RuntimeError("no operation scope: begin_operation was not called")
        return scope

    @property
    def session(self) -> ScopedSession:
        return self._scope().session

    @property
    def loaders(self) -> Loaders:
        return self._scope().loaders

    async def release(self) -> None:
        """Give the operation's connection back (before waiting for the next event)."""
        await self._scope().release()

    async def close(self) -> None:
        """The operation ended (the schema's RequestLifecycle calls this)."""
        scope = _operation_scope.get()
        if scope is not None:
            await scope.release()

    def end(self) -> None:
        """The connection closed."""
        if self.identity.principal is not None:
            log.info("live_connection_closed", user_id=str(self.identity.principal.user_id))
        self._held.close()


class LiveConnectionHandler(BaseGraphQLTransportWSHandler[LiveContext, None]):
    """Strawberry's graphql-transport-ws handler, with the per-user connection limit
    closing the connection with its own code, and the connection's hold released at the
    end."""

    async def handle(self) -> None:
        try:
            await super().handle()
        finally:
            if isinstance(self.context, LiveContext):
                self.context.end()

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        try:
            await super().handle_connection_init(message)
        except TooManyLiveConnections as refused:
            log.info("live_connection_refused", reason=refused.message)
            await self.websocket.close(code=TOO_MANY_CONNECTIONS, reason=refused.message)
