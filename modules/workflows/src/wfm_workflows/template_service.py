"""Templates as a product: publish (next version), import (as numbered), deprecate, read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from wfm_engine import (
    STEP_HANDLERS,
    Registries,
    StepHandlerRegistry,
    TemplateInvalid,
    WorkflowTemplate,
)
from wfm_engine.steps import HttpRequest
from wfm_shared.authorization import Permission, authorize
from wfm_shared.documents import template_shape_problems
from wfm_shared.errors import FieldError, NotFound, ValidationFailed
from wfm_shared.principal import Principal
from wfm_shared.url_policy import OutgoingUrlPolicy
from wfm_storage.postgres import Database, Executor
from wfm_storage.records import TemplateRecord
from wfm_storage.repositories.audit import AuditLog
from wfm_storage.repositories.templates import TemplateRepository, parse_in_thread


def outgoing_url_problems(
    template: WorkflowTemplate,
    policy: OutgoingUrlPolicy,
    handlers: StepHandlerRegistry = STEP_HANDLERS,
) -> list[FieldError]:
    """Every URL the template's steps will call (an api_call's request and its compensation,
    and any step type whose configuration is an HTTP request), judged as written."""
    problems: list[FieldError] = []
    for index, step in enumerate(template.steps):
        if step.type not in handlers:
            continue
        handler = handlers.get(step.type)
        for part, model, value in (
            ("config", getattr(handler, "config_model", None), step.config),
            ("compensation", getattr(handler, "compensation_model", None), step.compensation),
        ):
            if value is None or not (isinstance(model, type) and issubclass(model, HttpRequest)):
                continue
            # the URL as the worker will call it (pydantic's reading: 0x7f.1 is 127.0.0.1)
            problem = policy.url_problem(str(model.model_validate(value).url))
            if problem:
                problems.append(FieldError(("steps", index, part, "url"), problem))
    return problems


class TemplateService:
    def __init__(
        self,
        db: Database,
        *,
        templates: TemplateRepository,
        audit: AuditLog,
        url_policy: OutgoingUrlPolicy,
        registries: Registries,
    ) -> None:
        self._db = db
        self._templates = templates
        self._audit_log = audit
        self._url_policy = url_policy
        self._registries = registries

    async def resolve(self, ex: Executor, definition: Mapping[str, Any]) -> WorkflowTemplate:
        """A template, or an overlay applied to the newest active version of its base, whose
        outgoing calls the policy allows."""
        template = await self._parse(ex, definition)
        problems = outgoing_url_problems(template, self._url_policy, self._registries.handlers)
        if problems:
            raise TemplateInvalid(
                f"template {template.key} v{template.version} calls URLs it may not", problems
            )
        return template

    async def _parse(self, ex: Executor, definition: Mapping[str, Any]) -> WorkflowTemplate:
        if not isinstance(definition, Mapping):
            raise ValidationFailed(
                "a template must be an object", [FieldError((), "must be an object")]
            )
        # nesting and size before anything is parsed; then the check (conditions compiled)
        # in a thread, so a heavy template never stalls the event loop
        shape = template_shape_problems(definition)
        if shape:
            raise TemplateInvalid("the template is too large or too deeply nested", shape)
        seconds = self._templates.compile_timeout
        if "overlay" not in definition:
            return await parse_in_thread(
                lambda watch: self._registries.parse_template(definition, watch=watch),
                seconds=seconds,
            )
        base_key = str(definition.get("extends") or "")
        base = await self._templates.latest(ex, base_key, None)
        if base is None:
            raise TemplateInvalid(
                "overlay of an unknown template",
                [FieldError(("extends",), f"no template {base_key!r}")],
            )
        base_template = base.template
        return await parse_in_thread(
            lambda watch: self._registries.apply_overlay(base_template, definition, watch=watch),
            seconds=seconds,
        )

    async def publish(self, principal: Principal, definition: Mapping[str, Any]) -> TemplateRecord:
        """Store as the next version of its key and market role; running instances keep theirs."""
        authorize(principal, Permission.TEMPLATES_PUBLISH)
        async with self._db.transaction(principal) as conn:
            template = await self.resolve(conn, definition)
            record, _ = await self._templates.publish(conn, template, principal.user_id)
            await self._audit(conn, principal, "TEMPLATE_PUBLISHED", record)
        return record

    async def problems(
        self, principal: Principal, definition: Mapping[str, Any]
    ) -> Sequence[FieldError]:
        """What `publish` would refuse `definition` for, every problem at once (none: it
        would publish it); stores nothing."""
        authorize(principal, Permission.TEMPLATES_PUBLISH)
        async with self._db.transaction(principal) as conn:
            try:
                await self.resolve(conn, definition)
            except ValidationFailed as refused:
                return refused.errors or (FieldError((), refused.message),)
        return ()

    async def import_(self, principal: Principal, definition: Mapping[str, Any]) -> TemplateRecord:
        """Store exactly the version the definition names (moving templates between
        installations): the same content again changes nothing, other content is a conflict."""
        authorize(principal, Permission.TEMPLATES_PUBLISH)
        async with self._db.transaction(principal) as conn:
            template = await self.resolve(conn, definition)
            if "overlay" in definition:
                template = template.model_copy(
                    update={"version": int(definition.get("version", 1))}
                )
            record = await self._templates.save(conn, template, published_by=principal.user_id)
            await self._audit(conn, principal, "TEMPLATE_IMPORTED", record)
        return record

    async def deprecate(
        self, principal: Principal, key: str, version: int, market_role: str | None
    ) -> TemplateRecord:
        """No new instances start on it; it stays readable and running instances go on."""
        authorize(principal, Permission.TEMPLATES_PUBLISH)
        async with self._db.transaction(principal) as conn:
            record = await self._templates.set_status(conn, key, version, market_role, "deprecated")
            if record is None:
                raise NotFound("template", f"{key}@{version}")
            await self._audit(conn, principal, "TEMPLATE_DEPRECATED", record)
        return record

    async def get(
        self,
        principal: Principal,
        key: str,
        version: int | None = None,
        market_role: str | None = None,
    ) -> TemplateRecord:
        async with self._db.transaction(principal) as conn:
            if version is None:
                record = await self._templates.latest(
                    conn, key, market_role, include_deprecated=True
                )
            else:
                record = await self._templates.get(conn, key, version, market_role)
        if record is None:
            raise NotFound("template", f"{key}@{version}" if version else key)
        return record

    async def versions(self, principal: Principal, key: str) -> list[TemplateRecord]:
        async with self._db.transaction(principal) as conn:
            return await self._templates.versions(conn, key)

    async def list(
        self,
        principal: Principal,
        *,
        key: str | None = None,
        market_role: str | None = None,
        include_deprecated: bool = False,
    ) -> list[TemplateRecord]:
        async with self._db.transaction(principal) as conn:
            return await self._templates.list(
                conn, key=key, market_role=market_role, include_deprecated=include_deprecated
            )

    async def _audit(
        self, conn: Executor, principal: Principal, action: str, record: TemplateRecord
    ) -> None:
        await self._audit_log.append(
            conn,
            principal=principal,
            tenant_id=None,
            action=action,
            target_type="template",
            target_id=f"{record.key}@{record.version}"
            + (f"/{record.market_role}" if record.market_role else ""),
            details={"templateId": str(record.id), "checksum": record.checksum},
        )
