"""Workflow templates, with titles in the asker's language."""

from __future__ import annotations

from datetime import datetime

import strawberry

from wfm_api.schema.common import (
    JSON,
    Info,
    Locale,
    MarketRole,
    described_field,
    described_mutation,
    locale_of,
)
from wfm_api.schema.files import StepAttachments, step_attachments
from wfm_api.schema.problems import FieldProblem, problems
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

    @described_field("JSON Schema of the data this step takes")
    def schema(self) -> JSON:
        return JSON(self.definition.data_schema)

    @strawberry.field
    def validators(self) -> list[str]:
        return list(self.definition.validators)

    @described_field("Who may execute the step; empty: the tenant's users")
    def roles(self) -> list[str]:
        return list(self.definition.roles)

    @described_field("The step that follows; null when this one is the last")
    def next_step_id(self) -> str | None:
        return self.successor

    @described_field("The flag that must be on for this step to run")
    def enabled_by(self) -> str | None:
        return self.definition.enabled_by

    @described_field("The flag that, when on, leaves this step out")
    def skipped_by(self) -> str | None:
        return self.definition.skipped_by

    @described_field("The files it takes (uploaded with POST /files); null when it takes none")
    def attachments(self) -> StepAttachments | None:
        return step_attachments(self.definition)


def _text(texts: dict[str, str] | None, locale: str) -> str | None:
    return (texts.get(locale) or texts.get("en")) if texts else None


@strawberry.type
class TemplateFlag:
    name: str
    default: bool
    description: str | None


@strawberry.type
class TemplateSetting:
    name: str
    target: str
    type: str
    default: JSON
    min: JSON | None
    max: JSON | None
    choices: list[str] | None
    description: str | None


@strawberry.type
class TemplateOptions:
    flags: list[TemplateFlag]
    settings: list[TemplateSetting]


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

    @described_field("Roles that approve or reject a submission")
    def approval_roles(self) -> list[str]:
        return list(self.record.template.submission.approval.roles)

    @described_field("The whole definition, as stored and exported")
    def definition(self) -> JSON:
        return JSON(self.record.template.definition())

    @described_field("Flags and settings a tenant may configure")
    def options(self, info: Info, locale: Locale | None = None) -> TemplateOptions:
        options = self.record.template.options
        language = locale_of(info, locale)
        return TemplateOptions(
            flags=[
                TemplateFlag(
                    name=name, default=flag.default, description=_text(flag.description, language)
                )
                for name, flag in options.flags.items()
            ],
            settings=[
                TemplateSetting(
                    name=name,
                    target=setting.target,
                    type=setting.type,
                    default=setting.default,
                    min=setting.min,
                    max=setting.max,
                    choices=setting.choices,
                    description=_text(setting.description, language),
                )
                for name, setting in options.settings.items()
            ],
        )


@strawberry.type(description="A dry run of publishing a template; nothing was stored")
class TemplateValidation:
    valid: bool = strawberry.field(description="Whether publishTemplate would publish it")
    errors: list[FieldProblem] = strawberry.field(
        description="Every problem publishTemplate would refuse it for"
    )


async def load_template(info: Info, template_id: object) -> Template:
    record = await info.context.loaders.load_template(template_id)  # type: ignore[arg-type]
    if record is None:
        raise NotFound("template", template_id)
    return Template(record=record)


@strawberry.type
class TemplateQueries:
    @described_field("The newest version of each template, or of one key / market role")
    async def templates(
        self,
        info: Info,
        market_role: MarketRole | None = None,
        key: str | None = None,
        include_deprecated: bool = False,
    ) -> list[Template]:
        records = await info.context.services.templates.list(
            info.context.principal,
            key=key,
            market_role=market_role.value if market_role else None,
            include_deprecated=include_deprecated,
        )
        return [Template(record=r) for r in records]

    @described_field("One version of a template (the newest when `version` is omitted)")
    async def template(
        self,
        info: Info,
        key: str,
        version: int | None = None,
        market_role: MarketRole | None = None,
    ) -> Template:
        record = await info.context.services.templates.get(
            info.context.principal, key, version, market_role.value if market_role else None
        )
        return Template(record=record)

    @described_field("Every version of a template, of every market role, newest first")
    async def template_versions(self, info: Info, key: str) -> list[Template]:
        return [
            Template(record=r)
            for r in await info.context.services.templates.versions(info.context.principal, key)
        ]


@strawberry.type
class TemplateMutations:
    @described_mutation(
        "Publish a template or an overlay as the next version of its key and role (market operations)"
    )
    async def publish_template(self, info: Info, definition: JSON) -> Template:
        record = await info.context.services.templates.publish(info.context.principal, definition)  # type: ignore[arg-type]
        return Template(record=record)

    @described_mutation(
        "Check a template or an overlay as publishTemplate does (its model, conditions, "
        "overlay, outgoing URLs), storing nothing (market operations)"
    )
    async def validate_template(self, info: Info, definition: JSON) -> TemplateValidation:
        found = await info.context.services.templates.problems(info.context.principal, definition)  # type: ignore[arg-type]
        return TemplateValidation(valid=not found, errors=problems(found))

    @described_mutation(
        "No new workflows start on this version; running ones go on (market operations)"
    )
    async def deprecate_template(
        self, info: Info, key: str, version: int, market_role: MarketRole | None = None
    ) -> Template:
        record = await info.context.services.templates.deprecate(
            info.context.principal, key, version, market_role.value if market_role else None
        )
        return Template(record=record)
