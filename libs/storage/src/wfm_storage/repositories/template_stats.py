"""A template's execution statistics, computed by Postgres from the projections (the index's
workflows, with their start and completion, and the step runs of migration 0018), never from
the event log: two statements, each reading one template's rows of a period through an
index that leads with the template key (or the tenant and the key: row-level security names
the tenant of every tenant role)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import asyncpg

from wfm_storage.paging import Arguments, equal_to
from wfm_storage.postgres import Executor

# The percentiles each duration is summarised by.
PERCENTILES = (0.5, 0.9, 0.95)
_PERCENTILES = "ARRAY[" + ", ".join(str(p) for p in PERCENTILES) + "]::float8[]"


@dataclass(frozen=True)
class StatsFilter:
    """One template's workflows created, and step runs begun, in [since, until)."""

    template_key: str
    since: datetime | None = None
    until: datetime | None = None
    template_ids: Sequence[uuid.UUID] | None = None  # some of its versions only
    tenant_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Durations:
    """How many durations were measured, and their PERCENTILES in seconds (none: empty)."""

    measured: int
    percentiles: tuple[float, ...] = ()

    @classmethod
    def of(cls, measured: int, percentiles: Sequence[float] | None) -> Durations:
        return cls(measured, tuple(percentiles) if measured and percentiles else ())


@dataclass(frozen=True)
class WorkflowFigures:
    """The workflows of a group (all, one version, one tenant): how many in each status,
    and how long the completed ones took from their start to their completion."""

    by_status: dict[str, int] = field(default_factory=dict)
    duration: Durations = Durations(0)

    @property
    def workflows(self) -> int:
        return sum(self.by_status.values())


@dataclass(frozen=True)
class StepFigures:
    step_id: str
    runs: int
    completed: int
    failed: int
    compensated: int
    abandoned: int
    under_way: int
    sla_breaches: int
    duration: Durations  # of the runs that completed (compensated ones included)


@dataclass(frozen=True)
class TemplateFigures:
    overall: WorkflowFigures
    versions: dict[uuid.UUID, WorkflowFigures]  # by template id
    tenants: dict[uuid.UUID, WorkflowFigures]
    steps: list[StepFigures]


# grouping(template_id, tenant_id, status): a bit set for each column aggregated over
_BY_STATUS, _VERSION_BY_STATUS, _TENANT_BY_STATUS = 0b110, 0b010, 0b100
_ALL, _VERSION, _TENANT = 0b111, 0b011, 0b101


def _conditions(where: StatsFilter, arg: Arguments, started: str) -> list[str]:
    """Only the filters given become SQL, so that the planner can use the matching index."""
    conditions = equal_to(arg, {"template_key": where.template_key, "tenant_id": where.tenant_id})
    if where.since is not None:
        conditions.append(f"{started} >= {arg(where.since)}")
    if where.until is not None:
        conditions.append(f"{started} < {arg(where.until)}")
    if where.template_ids is not None:
        conditions.append(f"template_id = ANY({arg(list(where.template_ids))}::uuid[])")
    return conditions


def _durations(row: asyncpg.Record) -> Durations:
    return Durations.of(row["measured"], row["duration"])


class TemplateStatsRepository:
    async def figures(self, ex: Executor, where: StatsFilter) -> TemplateFigures:
        overall, versions, tenants = await self._workflows(ex, where)
        return TemplateFigures(overall, versions, tenants, await self._steps(ex, where))

    async def _workflows(
        self, ex: Executor, where: StatsFilter
    ) -> tuple[WorkflowFigures, dict[uuid.UUID, WorkflowFigures], dict[uuid.UUID, WorkflowFigures]]:
        arg = Arguments()
        # a reserved row whose first event never landed is no workflow (as in `workflows`)
        conditions = ["version > 0", *_conditions(where, arg, "created_at")]
        rows = await ex.fetch(
            f"""
            SELECT grouping(template_id, tenant_id, status) AS level,
                   template_id, tenant_id, status,
                   count(*) AS workflows,
                   count(completed_at - started_at) AS measured,
                   percentile_cont({_PERCENTILES}) WITHIN GROUP (
                       ORDER BY extract(epoch FROM completed_at - started_at)::float8
                   ) AS duration
              FROM wfm.workflow_instances_index
             WHERE {" AND ".join(conditions)}
             GROUP BY GROUPING SETS ((status), (template_id, status), (tenant_id, status),
                                     (), (template_id), (tenant_id))
            """,
            *arg.values,
        )
        counts: dict[tuple[int, uuid.UUID | None], dict[str, int]] = {}
        durations: dict[tuple[int, uuid.UUID | None], Durations] = {}
        for row in rows:
            level = row["level"]
            if level in (_BY_STATUS, _VERSION_BY_STATUS, _TENANT_BY_STATUS):
                group = row["template_id"] if level == _VERSION_BY_STATUS else row["tenant_id"]
                counts.setdefault((level | 0b001, group), {})[row["status"]] = row["workflows"]
            else:
                group = row["template_id"] if level == _VERSION else row["tenant_id"]
                durations[(level, group)] = _durations(row)

        def figures(level: int, group: uuid.UUID | None) -> WorkflowFigures:
            return WorkflowFigures(
                counts.get((level, group), {}), durations.get((level, group), Durations(0))
            )

        groups = {key for key in durations if key[0] != _ALL}
        return (
            figures(_ALL, None),
            {g: figures(_VERSION, g) for level, g in groups if level == _VERSION and g},
            {g: figures(_TENANT, g) for level, g in groups if level == _TENANT and g},
        )

    async def _steps(self, ex: Executor, where: StatsFilter) -> list[StepFigures]:
        arg = Arguments()
        finished = "outcome IN ('completed', 'compensated')"
        rows = await ex.fetch(
            f"""
            SELECT step_id,
                   count(*) AS runs,
                   count(*) FILTER (WHERE outcome = 'completed') AS completed,
                   count(*) FILTER (WHERE outcome = 'failed') AS failed,
                   count(*) FILTER (WHERE outcome = 'compensated') AS compensated,
                   count(*) FILTER (WHERE outcome = 'abandoned') AS abandoned,
                   count(*) FILTER (WHERE outcome IS NULL) AS under_way,
                   count(sla_breached_at) AS sla_breaches,
                   count(ended_at - started_at) FILTER (WHERE {finished}) AS measured,
                   percentile_cont({_PERCENTILES}) WITHIN GROUP (
                       ORDER BY extract(epoch FROM ended_at - started_at)::float8
                   ) FILTER (WHERE {finished}) AS duration
              FROM wfm.step_runs
             WHERE {" AND ".join(_conditions(where, arg, "started_at"))}
             GROUP BY step_id
            """,
            *arg.values,
        )
        return [
            StepFigures(
                step_id=row["step_id"],
                runs=row["runs"],
                completed=row["completed"],
                failed=row["failed"],
                compensated=row["compensated"],
                abandoned=row["abandoned"],
                under_way=row["under_way"],
                sla_breaches=row["sla_breaches"],
                duration=_durations(row),
            )
            for row in rows
        ]
