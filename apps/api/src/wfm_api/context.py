"""What a GraphQL resolver can reach: the services, and this request's principal,
database session and loaders (created on first use, closed when the operation ends)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from starlette.requests import Request

from wfm_api.auth import AuthService, RequestIdentity
from wfm_api.loaders import Loaders
from wfm_integrations.subscriptions import WebhookService
from wfm_shared.principal import Principal
from wfm_shared.security import TokenCodec
from wfm_shared.settings import Settings
from wfm_storage.bootstrap import Storage
from wfm_storage.postgres import ScopedSession
from wfm_workflows.configuration import ConfigService
from wfm_workflows.operations import JobAdminService, NotificationService, TriggerService
from wfm_workflows.service import WorkflowService
from wfm_workflows.template_service import TemplateService

LOCALES = ("en", "fr", "nl")


@dataclass
class Services:
    """Built once per process by `create_app`."""

    settings: Settings
    storage: Storage
    codec: TokenCodec
    auth: AuthService
    workflows: WorkflowService
    templates: TemplateService
    configuration: ConfigService
    jobs: JobAdminService
    webhooks: WebhookService
    notifications: NotificationService
    triggers: TriggerService


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
    def __init__(self, services: Services, request: Request, identity: RequestIdentity) -> None:
        self.services = services
        self.request = request
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
