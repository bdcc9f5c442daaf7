"""Templates as a product: publish (next version), import (as numbered), deprecate, read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wfm_engine import TemplateInvalid, WorkflowTemplate, apply_overlay, parse_template
from wfm_shared.errors import FieldError, Forbidden, NotFound, ValidationFailed
from wfm_shared.principal import Principal
from wfm_storage.bootstrap import Storage
from wfm_storage.postgres import Executor
from wfm_storage.records import TemplateRecord


def require_market_ops(principal: Principal, what: str) -> None:
    if not principal.is_market_ops:
        raise Forbidden(f"only market operations may {what}")


class TemplateService:
    def __init__(self, storage: Storage) -> None:
        self._s = storage

    async def resolve(self, ex: Executor, definition: Mapping[str, Any]) -> WorkflowTemplate:
        """A template, or an overlay applied to the newest active version of its base."""
        if not isinstance(definition, Mapping):
            raise ValidationFailed(
                "a template must be an object", [FieldError((), "must be an object")]
            )
        if "overlay" not in definition:
            return parse_template(definition)
        base_key = str(definition.get("extends") or "")
        base = await self._s.templates.latest(ex, base_key, None)
        if base is None:
            raise TemplateInvalid(
                "overlay of an unknown template",
                [FieldError(("extends",), f"no template {base_key!r}")],
            )
        return apply_overlay(base.template, definition)

    async def publish(self, principal: Principal, definition: Mapping[str, Any]) -> TemplateRecord:
        """Store as the next version of its key and market role; running instances keep theirs."""
        require_market_ops(principal, "publish templates")
        async with self._s.db.transaction(principal) as conn:
            template = await self.resolve(conn, definition)
            record, _ = await self._s.templates.publish(conn, template, principal.user_id)
            await self._audit(conn, principal, "TEMPLATE_PUBLISHED", record)
        return record

    async def import_(self, principal: Principal, definition: Mapping[str, Any]) -> TemplateRecord:
        """Store exactly the version the definition names (moving templates between
        installations): the same content again changes nothing, other content is a conflict."""
        require_market_ops(principal, "import templates")
        async with self._s.db.transaction(principal) as conn:
            template = await self.resolve(conn, definition)
            if "overlay" in definition:
                template = template.model_copy(
                    update={"version": int(definition.get("version", 1))}
                )
            record = await self._s.templates.save(conn, template, published_by=principal.user_id)
            await self._audit(conn, principal, "TEMPLATE_IMPORTED", record)
        return record

    async def deprecate(
        self, principal: Principal, key: str, version: int, market_role: str | None
    ) -> TemplateRecord:
        """No new instances start on it; it stays readable and running instances go on."""
        require_market_ops(principal, "deprecate templates")
        async with self._s.db.transaction(principal) as conn:
            record = await self._s.templates.set_status(
                conn, key, version, market_role, "deprecated"
            )
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
        async with self._s.db.transaction(principal) as conn:
            if version is None:
                record = await self._s.templates.latest(
                    conn, key, market_role, include_deprecated=True
                )
            else:
                record = await self._s.templates.get(conn, key, version, market_role)
        if record is None:
            raise NotFound("template", f"{key}@{version}" if version else key)
        return record

    async def versions(self, principal: Principal, key: str) -> list[TemplateRecord]:
        async with self._s.db.transaction(principal) as conn:
            return await self._s.templates.versions(conn, key)

    async def list(
        self,
        principal: Principal,
        *,
        key: str | None = None,
        market_role: str | None = None,
        include_deprecated: bool = False,
    ) -> list[TemplateRecord]:
        async with self._s.db.transaction(principal) as conn:
            return await self._s.templates.list(
                conn, key=key, market_role=market_role, include_deprecated=include_deprecated
            )

    async def _audit(
        self, conn: Executor, principal: Principal, action: str, record: TemplateRecord
    ) -> None:
        await self._s.audit.append(
            conn,
            principal=principal,
            tenant_id=None,
            action=action,
            target_type="template",
            target_id=f"{record.key}@{record.version}"
            + (f"/{record.market_role}" if record.market_role else ""),
            details={"templateId": str(record.id), "checksum": record.checksum},
        )
