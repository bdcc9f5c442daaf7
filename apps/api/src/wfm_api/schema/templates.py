"""Workflow templates, with titles in the asker's language."""

from __future__ import annotations

from datetime import datetime

import strawberry

from wfm_api.schema.common import JSON, Info, Locale, MarketRole, locale_of
from wfm_engine import StepDefinition
from wfm_shared.errors import NotFound
from wfm_storage.records import TemplateRecord


@strawberry.type
class TemplateStep:
    definition: strawberry.Private[StepDefinition]
    successor: strawberry.Private[str | None]

    @strawberry.field
    def id(self) -> str:
        return self.definition.id

    @strawberry.field
    def type(self) -> str:
        return self.definition.type

    @strawberry.field
    def title(self, info: Info, locale: Locale | None = None) -> str:
        return self.definition.title.get(locale_of(info, locale))

    @strawberry.field(description="JSON Schema of the data this step takes")
    def schema(self) -> JSON:
        return self.definition.data_schema

    @strawberry.field
    def validators(self) -> list[str]:
        return list(self.definition.validators)

    @strawberry.field(description="Who may execute the step; empty: the tenant's users")
    def roles(self) -> list[str]:
        return list(self.definition.roles)

    @strawberry.field(description="The step that follows; null when this one is the last")
    def next_step_id(self) -> str | None:
        return self.successor


@strawberry.type
class Template:
    record: strawberry.Private[TemplateRecord]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.record.id))

    @strawberry.field
    def key(self) -> str:
        return self.record.key

    @strawberry.field
    def version(self) -> int:
        return self.record.version

    @strawberry.field
    def status(self) -> str:
        return self.record.status

    @strawberry.field
    def market_role(self) -> MarketRole | None:
        return MarketRole(self.record.market_role) if self.record.market_role else None

    @strawberry.field
    def extends(self) -> str | None:
        return self.record.extends

    @strawberry.field
    def created_at(self) -> datetime:
        return self.record.created_at

    @strawberry.field
    def name(self, info: Info, locale: Locale | None = None) -> str:
        return self.record.template.name.get(locale_of(info, locale))

    @strawberry.field
    def description(self, info: Info, locale: Locale | None = None) -> str | None:
        text = self.record.template.description
        return text.get(locale_of(info, locale)) if text else None

    @strawberry.field
    def steps(self) -> list[TemplateStep]:
        template = self.record.template
        return [
            TemplateStep(definition=s, successor=template.successor(s.id)) for s in template.steps
        ]

    @strawberry.field(description="Roles that approve or reject a submission")
    def approval_roles(self) -> list[str]:
        return list(self.record.template.submission.approval.roles)


async def load_template(info: Info, template_id: object) -> Template:
    record = await info.context.loaders.load_template(template_id)  # type: ignore[arg-type]
    if record is None:
        raise NotFound("template", template_id)
    return Template(record=record)


@strawberry.type
class TemplateQueries:
    @strawberry.field(description="Templates, newest version first; filter by key or market role")
    async def templates(
        self, info: Info, market_role: MarketRole | None = None, key: str | None = None
    ) -> list[Template]:
        records = await info.context.services.storage.templates.list(
            info.context.session,
            key=key,
            market_role=market_role.value if market_role else None,
        )
        return [Template(record=r) for r in records]
