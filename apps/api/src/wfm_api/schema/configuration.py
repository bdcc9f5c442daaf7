"""Per-tenant workflow configuration: what a tenant's workflows run with, and changing it."""

from __future__ import annotations

from typing import Any

import strawberry

from wfm_api.schema.common import (
    JSON,
    Info,
    Locale,
    MarketRole,
    described_field,
    described_mutation,
    locale_of,
    parse_id,
)
from wfm_shared.errors import FieldError, ValidationFailed
from wfm_workflows.configuration import EffectiveConfig


@strawberry.type
class ConfiguredFlag:
    name: str
    value: bool
    default: bool
    source: str = strawberry.field(description="default, marketRole or tenant")
    description: str | None


@strawberry.type
class ConfiguredSetting:
    name: str
    value: JSON
    default: JSON
    source: str = strawberry.field(description="default, marketRole or tenant")
    type: str
    target: str
    min: JSON | None
    max: JSON | None
    choices: list[str] | None


@strawberry.type
class WorkflowConfiguration:
    template_key: str
    template_version: int
    market_role: MarketRole
    tenant_id: strawberry.ID | None
    version: int = strawberry.field(
        description="Version of this scope's configuration; 0: never changed"
    )
    flags: list[ConfiguredFlag]
    settings: list[ConfiguredSetting]


def configuration_view(effective: EffectiveConfig, locale: str) -> WorkflowConfiguration:
    options, config = effective.template.options, effective.config
    return WorkflowConfiguration(
        template_key=effective.template.key,
        template_version=effective.template.version,
        market_role=MarketRole(effective.market_role),
        tenant_id=strawberry.ID(str(effective.tenant_id)) if effective.tenant_id else None,
        version=effective.version,
        flags=[
            ConfiguredFlag(
                name=name,
                value=config.flags[name],
                default=option.default,
                source=config.sources[f"flags.{name}"],
                description=(option.description or {}).get(locale)
                or (option.description or {}).get("en"),
            )
            for name, option in options.flags.items()
        ],
        settings=[
            ConfiguredSetting(
                name=name,
                value=config.settings[name],
                default=option.default,
                source=config.sources[f"settings.{name}"],
                type=option.type,
                target=option.target,
                min=option.min,
                max=option.max,
                choices=option.choices,
            )
            for name, option in options.settings.items()
        ],
    )


def _object(value: Any, field: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationFailed(
            f"{field} must be an object", [FieldError((field,), "must be a JSON object")]
        )
    return value


@strawberry.type
class ConfigurationQueries:
    @described_field(
        "What a tenant's workflows of this template run with (tenant -> role -> defaults)"
    )
    async def tenant_workflow_config(
        self,
        info: Info,
        tenant_id: strawberry.ID,
        template_key: str,
        market_role: MarketRole,
        locale: Locale | None = None,
    ) -> WorkflowConfiguration:
        effective = await info.context.services.configuration.effective(
            info.context.principal,
            template_key=template_key,
            market_role=market_role.value,
            tenant_id=parse_id(tenant_id, "tenantId"),
        )
        return configuration_view(effective, locale_of(info, locale))

    @described_field("A market role's configuration of a template (role -> defaults)")
    async def market_role_workflow_config(
        self, info: Info, template_key: str, market_role: MarketRole, locale: Locale | None = None
    ) -> WorkflowConfiguration:
        effective = await info.context.services.configuration.effective(
            info.context.principal,
            template_key=template_key,
            market_role=market_role.value,
            tenant_id=None,
        )
        return configuration_view(effective, locale_of(info, locale))


@strawberry.type
class ConfigurationMutations:
    @described_mutation(
        "Set a tenant's flags and settings for a template (its tenant_admin, or market operations)"
    )
    async def update_tenant_workflow_config(
        self,
        info: Info,
        tenant_id: strawberry.ID,
        template_key: str,
        market_role: MarketRole,
        flags: JSON | None = None,
        settings: JSON | None = None,
        expected_version: int | None = None,
    ) -> WorkflowConfiguration:
        effective = await info.context.services.configuration.update(
            info.context.principal,
            template_key=template_key,
            market_role=market_role.value,
            tenant_id=parse_id(tenant_id, "tenantId"),
            flags=_object(flags, "flags"),
            settings=_object(settings, "settings"),
            expected_version=expected_version,
        )
        return configuration_view(effective, info.context.locale)

    @described_mutation("Set a market role's flags and settings for a template (market operations)")
    async def update_market_role_workflow_config(
        self,
        info: Info,
        template_key: str,
        market_role: MarketRole,
        flags: JSON | None = None,
        settings: JSON | None = None,
        expected_version: int | None = None,
    ) -> WorkflowConfiguration:
        effective = await info.context.services.configuration.update(
            info.context.principal,
            template_key=template_key,
            market_role=market_role.value,
            tenant_id=None,
            flags=_object(flags, "flags"),
            settings=_object(settings, "settings"),
            expected_version=expected_version,
        )
        return configuration_view(effective, info.context.locale)
