"""The Postgres index of workflow instances: the fast, RLS-filtered way to find and list them,
and the work queue (what waits for a person on each), kept on the same rows."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from wfm_engine import InstanceState
from wfm_storage.live import CHANNEL, WorkAnnouncement
from wfm_storage.paging import (
    Arguments,
    Key,
    Listing,
    decode_cursor,
    encode_cursor,
    equal_to,
    like_pattern,
)
from wfm_storage.postgres import Executor
from wfm_storage.records import InstanceIndexRow

_COLUMNS = (
    "id, tenant_id, template_id, market_role, mongo_id, status, current_step, version, "
    "projected_version, created_by, created_at, updated_at, idempotency_key, template_key, "
    "work_kind, work_step, waiting_since, due_at, work_roles, escalated_to, assignee_id, "
    "work_version"
)

_PREFIXED = ", ".join(f"i.{column.strip()}" for column in _COLUMNS.split(","))


# The version of the rules the work columns are written by (`WorkColumns`): a row written by
# an older one (0: before migration 0013) is written again by the reconciler.
WORK_VERSION = 1
MARKET_OPS = "market_ops"
# The queue's order puts the work without a due date last.
_DUE = "coalesce(due_at, 'infinity'::timestamptz)"


@dataclass(frozen=True)
class InstanceFilter:
    instance_id: uuid.UUID | None = None  # one workflow, if it matches the rest
    status: str | None = None
    market_role: str | None = None
    tenant_id: uuid.UUID | None = None
    template_key: str | None = None
    current_step: str | None = None
    assignee_id: uuid.UUID | None = None
    created_from: datetime | None = None  # created_from <= created_at < created_to
    created_to: datetime | None = None
    updated_from: datetime | None = None
    updated_to: datetime | None = None
    # what waits for a person past its due date as of `now` (False: the rest)
    overdue: bool | None = None
    now: datetime | None = None
    tenant_name: str | None = None  # a part of the tenant's company name, any case


@dataclass(frozen=True)
class WorkColumns:
    """What waits for a person on a workflow, as its index row keeps it (all None: nothing)."""

    template_key: str
    kind: str | None = None
    step_id: str | None = None
    since: datetime | None = None
    # the seq its timers count from: its due date is their earliest (None: no due date)
    activation_seq: int | None = None
    roles: Sequence[str] = ()
    escalated_to: str | None = None
    assignee_id: uuid.UUID | None = None


@dataclass(frozen=True)
class WorkFilter:
    """Which waiting work a caller lists: what waits for `role` or is assigned to `user_id`
    (every role's: `any_role`), narrowed by the other fields."""

    user_id: uuid.UUID
    role: str
    any_role: bool = False
    tenant_id: uuid.UUID | None = None
    kind: str | None = None
    template_key: str | None = None
    market_role: str | None = None
    step_id: str | None = None
    overdue: bool | None = None
    now: datetime | None = None
    escalated: bool | None = None
    assigned_to_me: bool | None = None
    unassigned: bool | None = None


@dataclass(frozen=True)
class Cursor:
    """Keyset position in the newest-first order: opaque to clients."""

    created_at: datetime
    id: uuid.UUID

    def encode(self) -> str:
        return encode_cursor(f"{self.created_at.isoformat()}|{self.id}")

    @classmethod
    def decode(cls, value: str) -> Cursor:
        def parse(position: str) -> Cursor:
            created, ident = position.split("|")
            return cls(datetime.fromisoformat(created), uuid.UUID(ident))

        return decode_cursor(value, parse)


@dataclass(frozen=True)
class Page:
    rows: list[InstanceIndexRow]
    has_next: bool


@dataclass(frozen=True)
class WorkCursor:
    """Keyset position in the queue's order (due date, none last; waiting since; id)."""

    due_at: datetime | None
    since: datetime
    id: uuid.UUID

    @classmethod
    def of(cls, row: InstanceIndexRow) -> WorkCursor:
        assert row.waiting_since is not None, "a row with no waiting work is not in the queue"
        return cls(row.due_at, row.waiting_since, row.id)

    def encode(self) -> str:
        due = self.due_at.isoformat() if self.due_at is not None else ""
        return encode_cursor(f"work|{due}|{self.since.isoformat()}|{self.id}")

    @classmethod
    def decode(cls, value: str) -> WorkCursor:
        def parse(position: str) -> WorkCursor:
            kind, due, since, ident = position.split("|")
            if kind != "work":
                raise ValueError(kind)
            return cls(
                datetime.fromisoformat(due) if due else None,
                datetime.fromisoformat(since),
                uuid.UUID(ident),
            )

        return decode_cursor(value, parse)


def _index_row(row: asyncpg.Record) -> InstanceIndexRow:
    return InstanceIndexRow(**dict(row))


# the workflows list: newest first
_NEWEST_FIRST = Listing(
    "wfm.workflow_instances_index",
    _COLUMNS,
    (Key("created_at"), Key("id")),
    _index_row,
    descending=True,
)
# the work queue: by due date (none last, as the cursor's too), then since when
_QUEUE = Listing(
    "wfm.workflow_instances_index",
    _COLUMNS,
    (
        Key(_DUE, "coalesce({}::timestamptz, 'infinity'::timestamptz)"),
        Key("waiting_since"),
        Key("id"),
    ),
    _index_row,
)


class InstanceIndex:
    async def register(
        self,
        ex: Executor,
        *,
        instance_id: uuid.UUID,
        tenant_id: uuid.UUID,
        template_id: uuid.UUID,
        market_role: str,
        created_by: uuid.UUID,
        created_at: datetime,
        idempotency_key: str | None = None,
    ) -> InstanceIndexRow:
        """Reserve the instance before its first event, so every log has an index row.
        With an idempotency key used before in this tenant, the row reserved then."""
        row = await ex.fetchrow(
            f"""
            INSERT INTO wfm.workflow_instances_index
                   (id, tenant_id, template_id, market_role, mongo_id, status, version,
                    created_by, created_at, updated_at, idempotency_key, template_key)
            VALUES ($1, $2, $3, $4, $5, 'DRAFT', 0, $6, $7, $7, $8,
                    (SELECT key FROM wfm.workflow_templates WHERE id = $3))
            ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
            RETURNING {_COLUMNS}
            """,
            instance_id,
            tenant_id,
            template_id,
            market_role,
            str(instance_id),
            created_by,
            created_at,
            idempotency_key,
        )
        if row is None:
            row = await ex.fetchrow(
                f"SELECT {_COLUMNS} FROM wfm.workflow_instances_index "
                "WHERE tenant_id = $1 AND idempotency_key = $2",
                tenant_id,
                idempotency_key,
            )
        assert row is not None
        return InstanceIndexRow(**dict(row))

    async def open_onboarding(
        self, ex: Executor, tenant_id: uuid.UUID, market_role: str, *, now: datetime
    ) -> InstanceIndexRow | None:
        """The tenant's onboarding for `market_role` that is neither completed nor cancelled,
        if any. Callers hold `lock_onboarding` so that two creates cannot both see none."""
        row = await ex.fetchrow(
            f"""
            SELECT {_PREFIXED}
              FROM wfm.workflow_instances_index i
              JOIN wfm.workflow_templates t ON t.id = i.template_id
             WHERE i.tenant_id = $1 AND i.market_role = $2
               AND i.status NOT IN ('COMPLETED', 'CANCELLED')
               AND (t.definition ->> 'grantsMarketRole')::boolean
               -- a reservation whose first event never landed is abandoned after a while
               AND (i.version > 0 OR i.created_at > $3::timestamptz - interval '5 minutes')
             ORDER BY i.created_at DESC
             LIMIT 1
            """,
            tenant_id,
            market_role,
            now,
        )
        return None if row is None else InstanceIndexRow(**dict(row))

    async def completed_onboarding(
        self, ex: Executor, tenant_id: uuid.UUID, market_role: str
    ) -> InstanceIndexRow | None:
        """The onboarding that granted the tenant `market_role`, if one did."""
        row = await ex.fetchrow(
            f"""
            SELECT {_PREFIXED}
              FROM wfm.workflow_instances_index i
              JOIN wfm.workflow_templates t ON t.id = i.template_id
             WHERE i.tenant_id = $1 AND i.market_role = $2 AND i.status = 'COMPLETED'
               AND (t.definition ->> 'grantsMarketRole')::boolean
             ORDER BY i.updated_at DESC
             LIMIT 1
            """,
            tenant_id,
            market_role,
        )
        return None if row is None else InstanceIndexRow(**dict(row))

    async def lock_onboarding(self, ex: Executor, tenant_id: uuid.UUID, market_role: str) -> None:
        """Serialise onboarding creates of one tenant and role until the transaction ends."""
        await ex.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended($1::uuid::text || '/' || $2::text, 7))",
            tenant_id,
            market_role,
        )

    async def advance(self, ex: Executor, state: InstanceState) -> int | None:
        """Project `state` onto its row, only ever forward: the version the row had, or None
        when it was already there. The row stays locked until the transaction ends, so the
        events in between are projected exactly once."""
        previous: int | None = await ex.fetchval(
            """
            WITH old AS (
                SELECT id, version FROM wfm.workflow_instances_index WHERE id = $1 FOR UPDATE
            )
            UPDATE wfm.workflow_instances_index t
               SET status = $2, current_step = $3, version = $4, projected_version = $4,
                   updated_at = $5
              FROM old
             WHERE t.id = old.id AND old.version < $4
            RETURNING old.version
            """,
            uuid.UUID(state.id),
            state.status.value,
            state.current_step_id,
            state.version,
            state.updated_at,
        )
        return previous

    async def write_work(
        self,
        ex: Executor,
        instance_id: uuid.UUID,
        work: WorkColumns,
        *,
        announcing: WorkAnnouncement | None = None,
    ) -> bool:
        """Keep what waits for a person on the workflow; its due date is the earliest of the
        timers (SLA, approval deadline) of its activation, as they stand (a pause moves them).
        True when the work changed (what a work queue shows of it). The same statement sends
        `announcing`, if given: no round trip of its own."""
        when_changed, when_unchanged = announcing.payloads() if announcing else (None, None)
        changed: bool | None = await ex.fetchval(
            """
            WITH old AS (
                SELECT id, work_kind, work_step, waiting_since, work_roles, escalated_to,
                       assignee_id, due_at
                  FROM wfm.workflow_instances_index WHERE id = $1 FOR UPDATE
            ), written AS (
                UPDATE wfm.workflow_instances_index t
                   SET template_key = $2, work_kind = $3, work_step = $4, waiting_since = $5,
                       work_roles = $6, escalated_to = $7, assignee_id = $8, work_version = $9,
                       due_at = CASE WHEN $3::text IS NULL THEN NULL ELSE (
                           SELECT min(due_at) FROM wfm.workflow_timers
                            WHERE instance_id = $1 AND activation_seq = $10::integer
                              AND kind IN ('sla', 'approval_deadline') AND status <> 'cancelled'
                       ) END
                  FROM old
                 WHERE t.id = old.id
                RETURNING (old.work_kind, old.work_step, old.waiting_since, old.work_roles,
                           old.escalated_to, old.assignee_id, old.due_at)
                          IS DISTINCT FROM
                          (t.work_kind, t.work_step, t.waiting_since, t.work_roles,
                           t.escalated_to, t.assignee_id, t.due_at) AS changed
            )
            SELECT changed,
                   CASE WHEN changed AND $12::text IS NOT NULL THEN pg_notify($11, $12)
                        WHEN NOT changed AND $13::text IS NOT NULL THEN pg_notify($11, $13)
                   END
              FROM written
            """,
            instance_id,
            work.template_key,
            work.kind,
            work.step_id,
            work.since,
            list(work.roles),
            work.escalated_to,
            work.assignee_id,
            WORK_VERSION,
            work.activation_seq,
            CHANNEL,
            when_changed,
            when_unchanged,
        )
        return bool(changed)

    async def scan(
        self, ex: Executor, *, after: uuid.UUID | None, limit: int
    ) -> list[InstanceIndexRow]:
        """Every row, in id order, a page at a time (the reconciler's walk)."""
        rows = await ex.fetch(
            f"SELECT {_COLUMNS} FROM wfm.workflow_instances_index "
            "WHERE ($1::uuid IS NULL OR id > $1) ORDER BY id LIMIT $2",
            after,
            limit,
        )
        return [InstanceIndexRow(**dict(row)) for row in rows]

    async def by_ids(
        self, ex: Executor, ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, InstanceIndexRow]:
        rows = await ex.fetch(
            f"SELECT {_COLUMNS} FROM wfm.workflow_instances_index WHERE id = ANY($1::uuid[])",
            list(ids),
        )
        return {row["id"]: InstanceIndexRow(**dict(row)) for row in rows}

    async def get(self, ex: Executor, instance_id: uuid.UUID) -> InstanceIndexRow | None:
        return (await self.by_ids(ex, [instance_id])).get(instance_id)

    async def page(
        self, ex: Executor, where: InstanceFilter, *, first: int, after: Cursor | None
    ) -> Page:
        arg = Arguments()
        found, has_next = await _NEWEST_FIRST.page(
            ex,
            _instance_conditions(where, arg),
            arg,
            first=first,
            after=None if after is None else (after.created_at, after.id),
        )
        return Page(rows=found, has_next=has_next)

    async def count(self, ex: Executor, where: InstanceFilter) -> int:
        """How many workflows `where` lists, every page together."""
        arg = Arguments()
        return await _NEWEST_FIRST.count(ex, _instance_conditions(where, arg), arg)

    # -- the work queue -------------------------------------------------------------------

    async def work_page(
        self, ex: Executor, where: WorkFilter, *, first: int, after: WorkCursor | None
    ) -> Page:
        """What waits for a person, by due date (none last), then since when."""
        arg = Arguments()
        found, has_next = await _QUEUE.page(
            ex,
            _work_conditions(where, arg),
            arg,
            first=first,
            after=None if after is None else (after.due_at, after.since, after.id),
        )
        return Page(rows=found, has_next=has_next)

    async def work_count(self, ex: Executor, where: WorkFilter) -> int:
        arg = Arguments()
        return await _QUEUE.count(ex, _work_conditions(where, arg), arg)


# Only the filters given become SQL, so that the planner can use the matching index.


def _overdue(overdue: bool, now: str) -> str:
    """Work past its due date at `now` (only waiting work has one: migration 0013's check),
    or (False) the rest. `InstanceIndexRow.overdue_at` is the same test on a row in hand."""
    if overdue:
        return f"due_at < {now}::timestamptz"
    return f"(due_at IS NULL OR due_at >= {now}::timestamptz)"


def _instance_conditions(where: InstanceFilter, arg: Arguments) -> list[str]:
    conditions = ["version > 0"]  # a reserved row whose first event never landed is not listed
    equal = {
        "id": where.instance_id,
        "status": where.status,
        "market_role": where.market_role,
        "tenant_id": where.tenant_id,
        "template_key": where.template_key,
        "current_step": where.current_step,
        "assignee_id": where.assignee_id,
    }
    conditions += equal_to(arg, equal)
    if where.created_from is not None:
        conditions.append(f"created_at >= {arg(where.created_from)}")
    if where.created_to is not None:
        conditions.append(f"created_at < {arg(where.created_to)}")
    if where.updated_from is not None:
        conditions.append(f"updated_at >= {arg(where.updated_from)}")
    if where.updated_to is not None:
        conditions.append(f"updated_at < {arg(where.updated_to)}")
    if where.overdue is not None:
        conditions.append(_overdue(where.overdue, arg(where.now)))
    if where.tenant_name is not None:
        # the tenants' trigram index (migration 0010) finds the names; archived ones are hidden
        conditions.append(
            "tenant_id IN (SELECT id FROM wfm.tenants WHERE deleted_at IS NULL "
            f"AND company_name ILIKE {arg(like_pattern(where.tenant_name))})"
        )
    return conditions


def _work_conditions(where: WorkFilter, arg: Arguments) -> list[str]:
    conditions = ["work_kind IS NOT NULL"]
    if not where.any_role:
        user = arg(where.user_id)
        # market operations' queue spans every tenant: its column has an index (0013)
        waits = (
            "for_market_ops"
            if where.role == MARKET_OPS
            else f"work_roles @> ARRAY[{arg(where.role)}]::text[]"
        )
        conditions.append(f"({waits} OR assignee_id = {user})")
    equal = {
        "tenant_id": where.tenant_id,
        "work_kind": where.kind,
        "template_key": where.template_key,
        "market_role": where.market_role,
        "work_step": where.step_id,
    }
    conditions += equal_to(arg, equal)
    if where.overdue is not None:
        conditions.append(_overdue(where.overdue, arg(where.now)))
    if where.escalated is not None:
        conditions.append("escalated_to IS NOT NULL" if where.escalated else "escalated_to IS NULL")
    if where.assigned_to_me is not None:
        mine = f"assignee_id = {arg(where.user_id)}"
        conditions.append(
            mine if where.assigned_to_me else f"assignee_id IS DISTINCT FROM {arg(where.user_id)}"
        )
    if where.unassigned is not None:
        conditions.append("assignee_id IS NULL" if where.unassigned else "assignee_id IS NOT NULL")
    return conditions
