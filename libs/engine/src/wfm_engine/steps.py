"""Step handlers: one protocol (validate / complete / compensate) behind every step type
(system-step runners, which carry system steps out, are in `runners`).

Human steps (`form`, `approval`) complete through the API. System steps (`api_call`,
`notification`, `webhook`, `delay`) are carried out by the platform, which completes them
through the same command path with the result it obtained: a runner (looked up by step
type in a `SystemStepRunnerRegistry`) when the step becomes current, or a timer (`delay`).
Their configuration is validated here, when the template is loaded."""

from __future__ import annotations

import builtins
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field, HttpUrl, field_validator
from pydantic import ValidationError as PydanticValidationError

from wfm_engine.definitions import DefinitionModel, StepDefinition
from wfm_engine.durations import Deadline, Duration
from wfm_engine.expressions import ActionExpressions
from wfm_engine.state import StepState
from wfm_shared.errors import FieldError
from wfm_shared.limits import FILE_MAX_BYTES


@dataclass(frozen=True)
class StepCompletion:
    """What completing a step records: its data, and the workflow variables it sets."""

    data: Mapping[str, Any]
    variables: Mapping[str, Any] = field(default_factory=dict)


class CompensationFailed(Exception):
    """A step's effect could not be undone; the rollback stops and the workflow fails."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class StepHandler(Protocol):
    type: str
    system: bool

    def config_problems(self, step: StepDefinition) -> list[FieldError]: ...

    def input_problems(self, step: StepDefinition, data: Mapping[str, Any]) -> list[FieldError]: ...

    def complete(self, step: StepDefinition, data: Mapping[str, Any]) -> StepCompletion: ...

    async def compensate(self, step: StepDefinition, recorded: StepState) -> Mapping[str, Any]: ...


def _model_problems(model: type[BaseModel], value: Mapping[str, Any], *at: str) -> list[FieldError]:
    try:
        model.model_validate(value)
    except PydanticValidationError as error:
        return [FieldError((*at, *e["loc"]), e["msg"]) for e in error.errors()]
    return []


class _NoConfig(DefinitionModel):
    pass


# a media type as the platform names what it reads from a file's bytes: `application/pdf`
MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9.+-]{0,99}/[a-z0-9][a-z0-9.+-]{0,99}")


class Attachments(DefinitionModel):
    """The files a form step takes (`POST /files`): the types read from their bytes that it
    allows, and the largest it takes (at most the platform's FILE_MAX_BYTES)."""

    content_types: list[str] = Field(alias="contentTypes", min_length=1, max_length=50)
    max_bytes: int = Field(alias="maxBytes", gt=0, le=FILE_MAX_BYTES, strict=True)

    @field_validator("content_types")
    @classmethod
    def _media_types(cls, value: list[str]) -> list[str]:
        for content_type in value:
            if not MEDIA_TYPE.fullmatch(content_type):
                raise ValueError(
                    f"{content_type!r} is not a media type in lower case, like application/pdf"
                )
        if len(set(value)) != len(value):
            raise ValueError("names a media type twice")
        return value


class FormConfig(DefinitionModel):
    # document types the `allRequiredDocumentsPresent` gate expects in this step's data
    required_documents: list[str] = Field(default_factory=list, alias="requiredDocuments")
    # files it takes; None: none
    attachments: Attachments | None = None


def form_attachments(step: StepDefinition) -> Attachments | None:
    """The files a step takes: only a form step takes any."""
    if step.type != "form":
        return None
    return FormConfig.model_validate(step.config).attachments


class BaseHandler:
    type = ""
    system = False
    config_model: builtins.type[BaseModel] = _NoConfig
    compensation_model: builtins.type[BaseModel] | None = None
    # the fields of `config` that take `{{ ... }}` expressions (see `wfm_engine.expressions`)
    expressions: ActionExpressions | None = None

    def config_problems(self, step: StepDefinition) -> list[FieldError]:
        problems = _model_problems(self.config_model, step.config, "config")
        if step.compensation is not None:
            if self.compensation_model is None:
                problems.append(
                    FieldError(("compensation",), f"{self.type} steps take no compensation")
                )
            else:
                problems += _model_problems(
                    self.compensation_model, step.compensation, "compensation"
                )
        return problems

    def input_problems(self, step: StepDefinition, data: Mapping[str, Any]) -> list[FieldError]:
        return step.form().errors(data)

    def complete(self, step: StepDefinition, data: Mapping[str, Any]) -> StepCompletion:
        return StepCompletion(data=dict(data))

    async def compensate(self, step: StepDefinition, recorded: StepState) -> Mapping[str, Any]:
        # Nothing outside the workflow to undo: the step's data is discarded.
        return {"discarded": bool(recorded.data)}


class FormHandler(BaseHandler):
    type = "form"
    config_model = FormConfig


class ApprovalDecision(DefinitionModel):
    decision: Literal["approve", "reject"]
    comment: str | None = Field(default=None, max_length=2000)


class ApprovalConfig(DefinitionModel):
    deadline: Deadline | None = None


class ApprovalHandler(BaseHandler):
    """A human decision; the approver is recorded as the step's `completedBy`."""

    type = "approval"
    config_model = ApprovalConfig

    def input_problems(self, step: StepDefinition, data: Mapping[str, Any]) -> list[FieldError]:
        problems = _model_problems(ApprovalDecision, data)
        return problems or step.form().errors(data)


# -- system steps -------------------------------------------------------------------


class HttpRequest(DefinitionModel):
    url: HttpUrl
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = "POST"
    headers: dict[str, str] = Field(default_factory=dict)
    # added to the url's own query
    query: dict[str, str] = Field(default_factory=dict)
    body: dict[str, Any] | None = None
    timeout_seconds: float = Field(default=10.0, gt=0, le=120, alias="timeoutSeconds")


class ApiCallConfig(HttpRequest):
    # variable name -> dotted path into the result {"status": ..., "body": ...}
    response_mapping: dict[str, str] = Field(default_factory=dict, alias="responseMapping")
    retry_on_status: list[int] = Field(
        default_factory=lambda: [408, 429, 500, 502, 503, 504], alias="retryOnStatus"
    )


class ApiCallResult(DefinitionModel):
    status: int = Field(ge=100, le=599)
    body: Any = None
    attempts: int = Field(default=1, ge=1)
    # the request as rendered and sent, the tenant's secrets in it written [secret:NAME]
    request: dict[str, Any] | None = None


def resolve_path(value: Any, path: str) -> Any:
    """`body.account.id` in {"body": {"account": {"id": 7}}} -> 7; KeyError when absent."""
    current = value
    for part in path.split("."):
        if isinstance(current, Mapping) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            raise KeyError(path)
    return current


# an api_call's request: the peer receives the secrets it names, nothing records them
API_CALL_EXPRESSIONS = ActionExpressions(
    {"url": "url", "headers": "header", "query": "text", "body": "json"}, secrets=True
)
# a notification's texts and a webhook's payload are stored as sent: no secrets
NOTIFICATION_EXPRESSIONS = ActionExpressions({"subject": "text", "body": "text"})
WEBHOOK_EXPRESSIONS = ActionExpressions({"payload": "json"})


class ApiCallHandler(BaseHandler):
    type = "api_call"
    system = True
    config_model = ApiCallConfig
    compensation_model = HttpRequest
    expressions = API_CALL_EXPRESSIONS

    def input_problems(self, step: StepDefinition, data: Mapping[str, Any]) -> list[FieldError]:
        problems = _model_problems(ApiCallResult, data)
        if problems:
            return problems
        config = ApiCallConfig.model_validate(step.config)
        for variable, path in config.response_mapping.items():
            try:
                resolve_path(data, path)
            except KeyError:
                problems.append(
                    FieldError(
                        tuple(path.split(".")), f"absent from the response (maps to {variable})"
                    )
                )
        return problems

    def complete(self, step: StepDefinition, data: Mapping[str, Any]) -> StepCompletion:
        config = ApiCallConfig.model_validate(step.config)
        variables = {
            name: resolve_path(data, path) for name, path in config.response_mapping.items()
        }
        return StepCompletion(data=dict(data), variables=variables)

    async def compensate(self, step: StepDefinition, recorded: StepState) -> Mapping[str, Any]:
        # Recorded on the STEP_COMPENSATED event; the worker sends it (send_compensation).
        if step.compensation is None:
            return {"discarded": True}
        return {
            "request": HttpRequest.model_validate(step.compensation).model_dump(
                mode="json", by_alias=True
            )
        }


class LocalizedText(DefinitionModel):
    en: str = Field(min_length=1)
    fr: str = Field(min_length=1)
    nl: str = Field(min_length=1)


class NotificationConfig(DefinitionModel):
    channel: Literal["email", "in_app"] = "email"
    # "role:market_ops", "contact:primary" (a contact of the contacts step), "email:a@b.example"
    to: list[str] = Field(min_length=1)
    subject: LocalizedText
    body: LocalizedText

    @field_validator("to")
    @classmethod
    def _recipients(cls, value: list[str]) -> list[str]:
        for recipient in value:
            kind, _, target = recipient.partition(":")
            if kind not in ("role", "contact", "email") or not target:
                raise ValueError(
                    f"{recipient!r} is not role:<role>, contact:<role> or email:<address>"
                )
        return value


class NotificationResult(DefinitionModel):
    delivered_to: list[str] = Field(alias="deliveredTo")


class NotificationHandler(BaseHandler):
    type = "notification"
    system = True
    config_model = NotificationConfig
    expressions = NOTIFICATION_EXPRESSIONS

    def input_problems(self, step: StepDefinition, data: Mapping[str, Any]) -> list[FieldError]:
        return _model_problems(NotificationResult, data)


class WebhookConfig(DefinitionModel):
    event_type: str = Field(pattern=r"^[a-z][a-z0-9_.-]{1,100}$", alias="eventType")
    include_steps: list[str] = Field(default_factory=list, alias="includeSteps")
    # sent as the message's `data.payload`, its `{{ ... }}` expressions rendered
    payload: dict[str, Any] | None = None


class WebhookResult(DefinitionModel):
    delivery_id: str = Field(alias="deliveryId", min_length=1)
    status_code: int | None = Field(default=None, alias="statusCode")


class WebhookHandler(BaseHandler):
    type = "webhook"
    system = True
    config_model = WebhookConfig
    expressions = WEBHOOK_EXPRESSIONS

    def input_problems(self, step: StepDefinition, data: Mapping[str, Any]) -> list[FieldError]:
        return _model_problems(WebhookResult, data)


class DelayConfig(DefinitionModel):
    duration: Duration


class DelayResult(DefinitionModel):
    resumed_at: str = Field(alias="resumedAt")


class DelayHandler(BaseHandler):
    type = "delay"
    system = True
    config_model = DelayConfig

    def input_problems(self, step: StepDefinition, data: Mapping[str, Any]) -> list[FieldError]:
        return _model_problems(DelayResult, data)


class StepHandlerRegistry:
    """Step types by name; extensions register their own handlers."""

    def __init__(self, handlers: Iterable[StepHandler] = ()) -> None:
        self._handlers: dict[str, StepHandler] = {}
        for handler in handlers:
            self.register(handler)

    def copy(self) -> StepHandlerRegistry:
        """A registry of its own with the same handlers (extensions add to the copy)."""
        return StepHandlerRegistry(self._handlers.values())

    def register(self, handler: StepHandler) -> StepHandler:
        if handler.type in self._handlers:
            raise ValueError(f"step type {handler.type!r} is already registered")
        self._handlers[handler.type] = handler
        return handler

    def unregister(self, step_type: str) -> None:
        self._handlers.pop(step_type, None)

    def get(self, step_type: str) -> StepHandler:
        return self._handlers[step_type]

    def __contains__(self, step_type: object) -> bool:
        return step_type in self._handlers

    def types(self) -> list[str]:
        return sorted(self._handlers)


STEP_HANDLERS = StepHandlerRegistry(
    [
        FormHandler(),
        ApprovalHandler(),
        ApiCallHandler(),
        NotificationHandler(),
        WebhookHandler(),
        DelayHandler(),
    ]
)
