"""Execution statistics of a template (`templateStats`): counts by status, durations and the
figures of each step, computed by Postgres from the projections (wfm_workflows.statistics)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import strawberry

from wfm_api.schema.common import (
    Info,
    MarketRole,
    WorkflowStatus,
    described_field,
    tenant_argument,
    to_id,
)
from wfm_api.schema.tenants import Tenant
from wfm_storage.records import TemplateRecord
from wfm_storage.repositories.template_stats import Durations, StepFigures, WorkflowFigures
from wfm_workflows.statistics import StatsQuestion, TemplateStatistics


@strawberry.type(
    description="Durations in seconds: how many were measured, and their percentiles "
    "(null: none was measured)"
)
class DurationStats:
    measured: int
    p50_seconds: float | None
    p90_seconds: float | None
    p95_seconds: float | None

    @classmethod
    def of(cls, durations: Durations) -> DurationStats:
        p50, p90, p95 = durations.percentiles or (None, None, None)
        return cls(measured=durations.measured, p50_seconds=p50, p90_seconds=p90, p95_seconds=p95)


@strawberry.type(description="How many workflows are in a status")
class StatusCount:
    status: WorkflowStatus
    count: int


def _by_status(figures: WorkflowFigures) -> list[StatusCount]:
    # in the statuses' order; a status no workflow is in is left out
    return [
        StatusCount(status=status, count=figures.by_status[status.value])
        for status in WorkflowStatus
        if figures.by_status.get(status.value)
    ]


@strawberry.type(description="The workflows of one version of the template")
class TemplateVersionStats:
    template_id: strawberry.ID
    version: int
    market_role: MarketRole | None = strawberry.field(
        description="The market role whose variant it is (null: the base template)"
    )
    workflows: int
    by_status: list[StatusCount]
    duration: DurationStats = strawberry.field(description="From start to completion")

    @classmethod
    def of(cls, record: TemplateRecord, figures: WorkflowFigures) -> TemplateVersionStats:
        return cls(
            template_id=to_id(record.id),
            version=record.version,
            market_role=MarketRole(record.market_role) if record.market_role else None,
            workflows=figures.workflows,
            by_status=_by_status(figures),
            duration=DurationStats.of(figures.duration),
        )


@strawberry.type(description="The workflows of one tenant")
class TenantWorkflowStats:
    tenant_id: strawberry.ID
    workflows: int
    by_status: list[StatusCount]
    duration: DurationStats = strawberry.field(description="From start to completion")

    @strawberry.field
    async def tenant(self, info: Info) -> Tenant | None:
        record = await info.context.loaders.load_tenant(uuid.UUID(str(self.tenant_id)))
        return Tenant.of(record) if record is not None else None


@strawberry.type(description="The runs of one step: each time it became current")
class StepStats:
    step_id: str
    runs: int = strawberry.field(description="Every run begun in the period")
    completed: int
    failed: int = strawberry.field(description="Its runner failed, or the workflow failed on it")
    compensated: int = strawberry.field(description="Completed, then undone by a rollback")
    abandoned: int = strawberry.field(description="Left by a rollback or a cancellation")
    under_way: int
    failure_rate: float | None = strawberry.field(
        description="failed / (completed + compensated + failed); null: no run has ended so"
    )
    duration: DurationStats = strawberry.field(
        description="From becoming current to completing, of the runs that completed"
    )
    sla_breaches: int = strawberry.field(description="Runs that went past the step's SLA")

    @classmethod
    def of(cls, figures: StepFigures) -> StepStats:
        ended = figures.completed + figures.compensated + figures.failed
        return cls(
            step_id=figures.step_id,
            runs=figures.runs,
            completed=figures.completed,
            failed=figures.failed,
            compensated=figures.compensated,
            abandoned=figures.abandoned,
            under_way=figures.under_way,
            failure_rate=figures.failed / ended if ended else None,
            duration=DurationStats.of(figures.duration),
            sla_breaches=figures.sla_breaches,
        )


@strawberry.type(
    description="A template's execution statistics: its workflows created in [since, until) "
    "and the step runs begun then"
)
class TemplateStats:
    template_key: str
    since: datetime | None
    until: datetime | None
    version: int | None
    tenant_id: strawberry.ID | None = strawberry.field(
        description="The tenant asked for (null: every tenant the caller sees)"
    )
    workflows: int
    by_status: list[StatusCount]
    duration: DurationStats = strawberry.field(
        description="From start to completion, of the completed workflows"
    )
    versions: list[TemplateVersionStats] = strawberry.field(description="Newest first")
    tenants: list[TenantWorkflowStats] = strawberry.field(
        description="Most workflows first (a tenant's people see their own tenant alone)"
    )
    steps: list[StepStats] = strawberry.field(
        description="In the order of the newest version's steps"
    )
    sla_breaches: int = strawberry.field(description="Step runs that went past their SLA")

    @classmethod
    def of(cls, stats: TemplateStatistics) -> TemplateStats:
        question, figures = stats.question, stats.figures
        versions = sorted(
            figures.versions.items(),
            key=lambda item: (
                -stats.versions[item[0]].version,
                stats.versions[item[0]].market_role or "",
            ),
        )
        tenants = sorted(
            figures.tenants.items(), key=lambda item: (-item[1].workflows, str(item[0]))
        )
        steps = [StepStats.of(step) for step in stats.steps]
        return cls(
            template_key=question.template_key,
            since=question.since,
            until=question.until,
            version=question.version,
            tenant_id=to_id(question.tenant_id) if question.tenant_id else None,
            workflows=figures.overall.workflows,
            by_status=_by_status(figures.overall),
            duration=DurationStats.of(figures.overall.duration),
            versions=[TemplateVersionStats.of(stats.versions[i], f) for i, f in versions],
            tenants=[
                TenantWorkflowStats(
                    tenant_id=to_id(tenant_id),
                    workflows=f.workflows,
                    by_status=_by_status(f),
                    duration=DurationStats.of(f.duration),
                )
                for tenant_id, f in tenants
            ],
            steps=steps,
            sla_breaches=sum(step.sla_breaches for step in steps),
        )


VERSION = strawberry.argument(description="Only this version (of every market role's variant)")


@strawberry.type
class StatsQueries:
    @described_field(
        "Execution statistics of a template, from its workflows created and its step runs "
        "begun in [since, until): counts by status (all, per version, per tenant), durations "
        "from start to completion, and per step its runs, failures, failure rate, durations "
        "and SLA breaches. Market operations: every tenant, or the one named; a tenant's "
        "people: their own tenant"
    )
    async def template_stats(
        self,
        info: Info,
        key: str,
        since: Annotated[datetime | None, strawberry.argument(description="Inclusive")] = None,
        until: Annotated[datetime | None, strawberry.argument(description="Exclusive")] = None,
        version: Annotated[int | None, VERSION] = None,
        tenant_id: strawberry.ID | None = None,
    ) -> TemplateStats:
        stats = await info.context.services.statistics.template_stats(
            info.context.authenticate(),
            StatsQuestion(
                template_key=key,
                since=since,
                until=until,
                version=version,
                tenant_id=tenant_argument(tenant_id),
            ),
        )
        return TemplateStats.of(stats)
