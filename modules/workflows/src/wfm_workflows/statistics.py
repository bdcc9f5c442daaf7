"""Execution statistics of a template: how many of its workflows are in each status (all,
per version, per tenant), how long they took from start to completion, and per step how
often it ran, failed and breached its SLA and how long it took; computed by Postgres from
the projections (`wfm_storage.repositories.template_stats`).

Market operations read every tenant's figures, or one tenant's; a tenant's people read their
own tenant's only (row-level security says so too): another tenant named answers exactly
like an unknown one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from wfm_shared.authorization import PLATFORM_ROLES, Permission, authorize
from wfm_shared.errors import FieldError, NotFound, ValidationFailed
from wfm_shared.principal import Principal
from wfm_storage.postgres import Database
from wfm_storage.records import TemplateRecord
from wfm_storage.repositories.template_stats import (
    StatsFilter,
    StepFigures,
    TemplateFigures,
    TemplateStatsRepository,
)
from wfm_storage.repositories.templates import TemplateRepository
from wfm_storage.repositories.tenants import TenantRepository


@dataclass(frozen=True)
class StatsQuestion:
    """Which figures: one template's (`version`: of its variants with that version only),
    of the workflows created and the step runs begun in [since, until), of one tenant or
    (market operations, no tenant) all of them."""

    template_key: str
    since: datetime | None = None
    until: datetime | None = None
    version: int | None = None
    tenant_id: uuid.UUID | None = None


@dataclass(frozen=True)
class TemplateStatistics:
    question: StatsQuestion
    figures: TemplateFigures
    versions: dict[uuid.UUID, TemplateRecord]  # every version of the key, by template id

    @property
    def steps(self) -> list[StepFigures]:
        """In the order of the newest version's steps, then those of older versions."""
        order: dict[str, int] = {}
        for record in sorted(self.versions.values(), key=lambda r: -r.version):
            for step in record.template.steps:
                order.setdefault(step.id, len(order))
        return sorted(
            self.figures.steps, key=lambda s: (order.get(s.step_id, len(order)), s.step_id)
        )


def _utc(moment: datetime | None) -> datetime | None:
    """A time without an offset is read as UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


class TemplateStatsService:
    def __init__(
        self,
        db: Database,
        *,
        stats: TemplateStatsRepository,
        templates: TemplateRepository,
        tenants: TenantRepository,
    ) -> None:
        self._db = db
        self._stats = stats
        self._templates = templates
        self._tenants = tenants

    async def template_stats(
        self, principal: Principal, question: StatsQuestion
    ) -> TemplateStatistics:
        authorize(principal, Permission.WORKFLOWS_READ)
        question = _checked(question)
        tenant_id = question.tenant_id
        if tenant_id is None and principal.role not in PLATFORM_ROLES:
            # their own tenant's (RLS says so too; saying it lets the tenant's index serve)
            tenant_id = principal.tenant_id
        async with self._db.transaction(principal) as conn:
            named = question.tenant_id
            if named is not None and await self._tenants.get(conn, named) is None:
                raise NotFound("tenant", named)  # unknown, or another tenant's
            versions = {
                r.id: r for r in await self._templates.versions(conn, question.template_key)
            }
            if not versions:
                raise NotFound("template", question.template_key)
            chosen = None
            if question.version is not None:
                chosen = [i for i, r in versions.items() if r.version == question.version]
                if not chosen:
                    raise NotFound("template", f"{question.template_key}@{question.version}")
            figures = await self._stats.figures(
                conn,
                StatsFilter(
                    template_key=question.template_key,
                    since=question.since,
                    until=question.until,
                    template_ids=chosen,
                    tenant_id=tenant_id,
                ),
            )
        return TemplateStatistics(question, figures, versions)


def _checked(question: StatsQuestion) -> StatsQuestion:
    since, until = _utc(question.since), _utc(question.until)
    problems = []
    if since is not None and until is not None and until <= since:
        problems.append(FieldError(("until",), "must be after since"))
    if question.version is not None and question.version < 1:
        problems.append(FieldError(("version",), "must be at least 1"))
    if problems:
        raise ValidationFailed("the statistics cannot be computed", problems)
    return StatsQuestion(question.template_key, since, until, question.version, question.tenant_id)
