"""Per-tenant workflow configuration: flags and settings of a template, resolved tenant ->
market role -> the template's defaults, changed in versions, every change audited."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from wfm_engine import WorkflowConfig, WorkflowTemplate, layer_problems, resolve_config
from wfm_shared.authorization import Permission, authorize
from wfm_shared.errors import NotFound, ValidationFailed
from wfm_shared.principal import Principal
from wfm_storage.postgres import Database, Executor
from wfm_storage.repositories.audit import AuditLog
from wfm_storage.repositories.configs import ConfigRepository
from wfm_storage.repositories.templates import TemplateRepository
from wfm_storage.repositories.tenants import TenantRepository


@dataclass(frozen=True)
class EffectiveConfig:
    template: WorkflowTemplate
    market_role: str
    tenant_id: uuid.UUID | None
    config: WorkflowConfig
    version: int  # of the scope asked about (tenant, or market role); 0: never configured


class ConfigService:
    def __init__(
        self,
        db: Database,
        *,
        tenants: TenantRepository,
        templates: TemplateRepository,
        configs: ConfigRepository,
        audit: AuditLog,
    ) -> None:
        self._db = db
        self._tenants = tenants
        self._templates = templates
        self._configs = configs
        self._audit = audit

    async def _template_for(
        self, ex: Executor, template_key: str, market_role: str
    ) -> WorkflowTemplate:
        record = await self._templates.latest_for(ex, template_key, market_role)
        if record is None:
            raise NotFound("template", template_key)
        return record.template

    async def resolve(
        self,
        ex: Executor,
        template: WorkflowTemplate,
        market_role: str,
        tenant_id: uuid.UUID | None,
    ) -> tuple[WorkflowConfig, int]:
        role_layer = await self._configs.current(
            ex, tenant_id=None, market_role=market_role, template_key=template.key
        )
        layers = [("marketRole", role_layer.as_layer())] if role_layer else []
        version = role_layer.version if role_layer else 0
        if tenant_id is not None:
            tenant_layer = await self._configs.current(
                ex, tenant_id=tenant_id, market_role=market_role, template_key=template.key
            )
            if tenant_layer:
                layers.append(("tenant", tenant_layer.as_layer()))
            version = tenant_layer.version if tenant_layer else 0
        return resolve_config(template, layers), version

    async def effective(
        self,
        principal: Principal,
        *,
        template_key: str,
        market_role: str,
        tenant_id: uuid.UUID | None,
    ) -> EffectiveConfig:
        async with self._db.transaction(principal) as conn:
            if tenant_id is not None and await self._tenants.get(conn, tenant_id) is None:
                raise NotFound("tenant", tenant_id)
            template = await self._template_for(conn, template_key, market_role)
            config, version = await self.resolve(conn, template, market_role, tenant_id)
        return EffectiveConfig(template, market_role, tenant_id, config, version)

    async def update(
        self,
        principal: Principal,
        *,
        template_key: str,
        market_role: str,
        tenant_id: uuid.UUID | None,
        flags: dict[str, Any],
        settings: dict[str, Any],
        expected_version: int | None = None,
    ) -> EffectiveConfig:
        """Replace a scope's layer with a new version. A tenant's: its tenant_admin or market
        operations; a market role's (tenant_id None): market operations."""
        authorize(
            principal,
            Permission.MARKET_ROLES_CONFIGURE
            if tenant_id is None
            else Permission.CONFIGURATION_MANAGE,
        )
        async with self._db.transaction(principal) as conn:
            if tenant_id is not None and await self._tenants.get(conn, tenant_id) is None:
                raise NotFound("tenant", tenant_id)
            template = await self._template_for(conn, template_key, market_role)
            problems = layer_problems(template, {"flags": flags, "settings": settings})
            if problems:
                raise ValidationFailed("the configuration does not fit the template", problems)
            layer = await self._configs.append(
                conn,
                tenant_id=tenant_id,
                market_role=market_role,
                template_key=template.key,
                flags=flags,
                settings=settings,
                created_by=principal.user_id,
                expected_version=expected_version,
            )
            await self._audit.append(
                conn,
                principal=principal,
                tenant_id=tenant_id,
                action="WORKFLOW_CONFIG_UPDATED",
                target_type="workflow_config",
                target_id=f"{template.key}/{market_role}" + (f"/{tenant_id}" if tenant_id else ""),
                details={"version": layer.version, "flags": flags, "settings": settings},
            )
            config, version = await self.resolve(conn, template, market_role, tenant_id)
        return EffectiveConfig(template, market_role, tenant_id, config, version)
