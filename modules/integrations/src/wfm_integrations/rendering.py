"""A system step's configuration rendered for one run (`wfm_engine.expressions`): over the
workflow as its conditions see it ({steps, variables, tenant, trigger, config}), the item of
a forEach under its name (`SystemStepRun.expression_context`), the tenant's secrets the step
names — opened for this run, and only those — and any name its runner adds
(`context.with_names(...)`).

Whatever a run records or reports — its result, its failure, a retry's reason, an error that
escapes it — goes through `ActionContext.redact` (or `redacting`): each secret's value, in
every spelling a request gives it (as is, percent-encoded, JSON-escaped), is written
`[secret:NAME]`. The peer receives the value; the workflow's data, its events, the job queue,
the logs and the audit trail do not."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar
from urllib.parse import quote, quote_plus

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from wfm_engine import SystemStepRun
from wfm_engine.expressions import (
    SECRETS,
    ActionExpressions,
    LiteralWriter,
    RenderingFailed,
    render_config,
    secret_names,
)
from wfm_engine.steps import HttpRequest
from wfm_integrations.secrets import SecretService
from wfm_shared.retries import RetryLater
from wfm_shared.sealing import SealedWithUnknownKey

Model = TypeVar("Model", bound=BaseModel)
Value = TypeVar("Value")


class ActionFailed(Exception):
    """The step cannot run with this data (a secret not set, a placeholder that cannot be
    rendered): it fails with `reason`, which holds no secret."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ActionContext:
    """What one run of a step renders its configuration with."""

    values: Mapping[str, Any]
    secrets: Mapping[str, str] = field(default_factory=dict)

    def with_names(self, **names: Any) -> ActionContext:
        """This context with more names (a forEach's `item`)."""
        return replace(self, values={**self.values, **names})

    def render(
        self,
        config: Mapping[str, Any],
        expressions: ActionExpressions,
        model: type[Model],
        *,
        literal: LiteralWriter | None = None,
    ) -> Model:
        """`config` rendered and read as `model`; ActionFailed saying where and why not."""
        values = {**self.values, SECRETS: dict(self.secrets)}
        try:
            rendered = render_config(config, expressions, values, literal=literal)
        except RenderingFailed as failed:
            raise ActionFailed(self.redact(failed.reason)) from None
        try:
            return model.model_validate(rendered)
        except PydanticValidationError as error:
            problems = "; ".join(
                f"{'.'.join(map(str, ('config', *e['loc'])))}: {e['msg']}" for e in error.errors()
            )
            raise ActionFailed(self.redact(f"rendered, it is not valid: {problems}")) from None

    def redact(self, value: Value) -> Value:
        """`value` (text, or JSON at any depth) with every secret's value written
        `[secret:NAME]`."""
        if not self.secrets:
            return value
        return _redacted(value, _spellings(self.secrets))  # type: ignore[no-any-return]

    @contextmanager
    def redacting(self) -> Iterator[None]:
        """Errors that leave the block say what they said, without the secrets: a retry's
        reason (the job's error, the logs) and anything unexpected."""
        try:
            yield
        except RetryLater as later:
            reason = self.redact(later.reason)
            if reason == later.reason:
                raise
            raise type(later)(reason, later.delay) from None
        except Exception as error:
            text = str(error)
            redacted = self.redact(text)
            if redacted == text:
                raise
            try:
                replacement = type(error)(redacted)
            except Exception:
                replacement = RuntimeError(redacted)
            raise replacement from None


def _spellings(secrets: Mapping[str, str]) -> list[tuple[str, str]]:
    """(spelling, its mark) for every secret, longest first (a value that holds another
    secret's value is replaced whole)."""
    found: dict[str, str] = {}
    for name, value in secrets.items():
        mark = f"[secret:{name}]"
        for spelling in (
            value,
            quote(value, safe=""),
            quote(value),
            quote_plus(value),
            json.dumps(value)[1:-1],
            json.dumps(value, ensure_ascii=False)[1:-1],
            repr(value)[1:-1],
        ):
            if spelling:
                found.setdefault(spelling, mark)
    return sorted(found.items(), key=lambda pair: -len(pair[0]))


def _redacted(value: Any, spellings: list[tuple[str, str]]) -> Any:
    if isinstance(value, str):
        for spelling, mark in spellings:
            if spelling in value:
                value = value.replace(spelling, mark)
        return value
    if isinstance(value, Mapping):
        return {_redacted(k, spellings): _redacted(v, spellings) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(item, spellings) for item in value]
    return value


class ActionRenderer:
    """Builds each run's `ActionContext`, opening the secrets the step names."""

    def __init__(self, secrets: SecretService) -> None:
        self._secrets = secrets

    async def context(
        self, run: SystemStepRun, expressions: ActionExpressions, **names: Any
    ) -> ActionContext:
        """The context of `run`; ActionFailed when a secret it names is not set (in the
        workflow's tenant: another tenant's secret of that name is never looked at)."""
        values = {**run.expression_context(), **names}
        wanted = secret_names(run.step.config, expressions)
        if not wanted:
            return ActionContext(values)
        try:
            revealed = await self._secrets.reveal(uuid.UUID(run.state.tenant_id), wanted)
        except SealedWithUnknownKey:
            raise ActionFailed(
                "a secret the step names cannot be opened: it was sealed under a key the "
                "keyring no longer holds"
            ) from None
        missing = sorted(wanted - revealed.keys())
        if missing:
            names_ = ", ".join(missing)
            raise ActionFailed(
                f"secret {names_} is not set"
                if len(missing) == 1
                else f"secrets {names_} are not set"
            )
        return ActionContext(values, revealed)


def sent_request(request: HttpRequest) -> dict[str, Any]:
    """An api_call's request as its step records it (to be redacted with the rest)."""
    return {
        "method": request.method,
        "url": str(request.url),
        "headers": dict(request.headers),
        "query": dict(request.query),
        "body": request.body,
    }
