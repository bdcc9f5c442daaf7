"""What a GraphQL resolver can reach: the services, and this request's principal,
database session and loaders (created on first use, closed when the operation ends)."""

from __future__ import annotations

import uuid

from starlette.requests import HTTPConnection
from starlette.responses import Response

from wfm_api.auth import AuthService, RequestIdentity
from wfm_api.loaders import Loaders
from wfm_bootstrap import Services
from wfm_shared.principal import Principal
from wfm_storage.postgres import ScopedSession

LOCALES = ("en", "fr", "nl")


def negotiate_locale(accept_language: str | None) -> str:
    """The first of en/fr/nl named in Accept-Language, by preference weight."""
    if not accept_language:
        return "en"
    choices: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        language = tag.split("-")[0].lower()
        if language in LOCALES and weight > 0:
            choices.append((-weight, position, language))
    return min(choices)[2] if choices else "en"


class RequestContext:
    def __init__(
        self,
        services: Services,
        auth: AuthService,
        request: HTTPConnection,  # a WebSocket's too (live updates)
        identity: RequestIdentity,
        response: Response | None = None,
    ) -> None:
        self.services = services  # built once per process by `create_app` (`bootstrap`)
        self.auth = auth
        self.request = request
        # what a resolver adds to the HTTP answer (a cookie); None outside plain HTTP
        self.response = response
        self.identity = identity
        self.request_id: str = request.headers.get("x-request-id") or uuid.uuid4().hex
        self.locale = negotiate_locale(request.headers.get("accept-language"))
        self._session: ScopedSession | None = None
        self._loaders: Loaders | None = None

    @property
    def principal(self) -> Principal:
        """The authenticated principal; raises UNAUTHENTICATED when there is none."""
        return self.identity.require()

    def authenticate(self) -> Principal:
        """Raise UNAUTHENTICATED before anything else looks at the request's arguments."""
        return self.identity.require()

    def authenticate_as(self, principal: Principal) -> None:
        """After login: resolve the rest of the response as the user who just logged in."""
        if self._session is None:
            self.identity = RequestIdentity(principal)

    @property
    def session(self) -> ScopedSession:
        if self._session is None:
            self._session = self.services.storage.db.session(self.principal)
        return self._session

    @property
    def loaders(self) -> Loaders:
        if self._loaders is None:
            self._loaders = Loaders(self.services.storage, self.session, self.principal)
        return self._loaders

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close(commit=True)
