"""The audit trail: who did what to which object, when, from which address, and how it ended
(market operations: every tenant's; tenant administrators: their tenant's)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from enum import Enum

import strawberry

from wfm_api.schema.common import (
    JSON,
    Info,
    described_field,
    page_size,
    parse_id,
    tenant_argument,
    to_id,
)
from wfm_api.schema.connections import Connection, Edge
from wfm_api.schema.people import Actor, load_actor
from wfm_api.schema.tenants import Tenant
from wfm_storage.repositories.audit import AuditCursor, AuditEntry, AuditFilter, Outcome


@strawberry.enum(description="How an audited action ended")
class AuditOutcome(Enum):
    OK = "ok"
    REFUSED = "refused"  # FORBIDDEN, or a login throttled
    FAILED = "failed"  # a login whose credentials did not hold


OUTCOMES: dict[AuditOutcome, Outcome] = {
    AuditOutcome.OK: "ok",
    AuditOutcome.REFUSED: "refused",
    AuditOutcome.FAILED: "failed",
}


@strawberry.type(description="One entry of the audit trail")
class AuditLogEntry:
    entry: strawberry.Private[AuditEntry]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return to_id(self.entry.id)

    @strawberry.field
    def occurred_at(self) -> datetime:
        return self.entry.occurred_at

    @described_field("What was done, like USER_CREATED, ACCESS_REFUSED or LOGIN_FAILED")
    def action(self) -> str:
        return self.entry.action

    @strawberry.field
    def outcome(self) -> AuditOutcome:
        return AuditOutcome(self.entry.outcome)

    @described_field("The kind of object acted on, like user, workflow, operation or account")
    def object_type(self) -> str:
        return self.entry.target_type

    @described_field("Its id (an operation's name; an unknown login e-mail's SHA-256 digest)")
    def object_id(self) -> str:
        return self.entry.target_id

    @described_field("Null: an entry of the platform's, outside any tenant")
    def tenant_id(self) -> strawberry.ID | None:
        return to_id(self.entry.tenant_id) if self.entry.tenant_id else None

    @described_field(
        "Null: outside any tenant (an archived tenant is still shown, with archivedAt)"
    )
    async def tenant(self, info: Info) -> Tenant | None:
        if self.entry.tenant_id is None:
            return None
        record = await info.context.loaders.load_tenant(self.entry.tenant_id)
        return Tenant.of(record) if record is not None else None

    @described_field("The id the entry holds; null: nobody was signed in (a refused login)")
    def actor_id(self) -> strawberry.ID | None:
        return to_id(self.entry.actor_id) if self.entry.actor_id else None

    @described_field("Who did it; null: nobody was signed in (a refused login)")
    async def actor(self, info: Info) -> Actor | None:
        if self.entry.actor_id is None:
            return None
        return await load_actor(info, str(self.entry.actor_id))

    @described_field("The role the actor acted in")
    def actor_role(self) -> str | None:
        return self.entry.actor_role

    @described_field("The client's address; null: the platform's own work (worker, CLI)")
    def client_address(self) -> str | None:
        return self.entry.client_address

    @strawberry.field
    def request_id(self) -> str | None:
        return self.entry.request_id

    @described_field("What else the entry says (never a password or a token)")
    def details(self) -> JSON:
        return JSON(dict(self.entry.details))


# named for the log, not its entries (strawberry would say AuditLogEntryEdge)
@strawberry.type
class AuditLogEdge(Edge[AuditLogEntry]):
    pass


@strawberry.type
class AuditLogConnection(Connection[AuditLogEntry]):
    edges: Sequence[AuditLogEdge]


@strawberry.input(description="Every criterion given must hold")
class AuditLogFilter:
    actor_id: strawberry.ID | None = None
    tenant_id: strawberry.ID | None = None
    object_type: str | None = None
    object_id: str | None = None
    action: str | None = None
    outcome: AuditOutcome | None = None
    since: datetime | None = strawberry.field(default=None, description="Inclusive")
    until: datetime | None = strawberry.field(default=None, description="Exclusive")


def _utc(moment: datetime | None) -> datetime | None:
    """A time without an offset is read as UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def audit_filter(given: AuditLogFilter | None) -> AuditFilter:
    if given is None:
        return AuditFilter()
    return AuditFilter(
        actor_id=parse_id(given.actor_id, "actorId") if given.actor_id is not None else None,
        tenant_id=tenant_argument(given.tenant_id),
        target_type=given.object_type,
        target_id=given.object_id,
        action=given.action,
        outcome=OUTCOMES[given.outcome] if given.outcome is not None else None,
        since=_utc(given.since),
        until=_utc(given.until),
    )


@strawberry.type
class AuditQueries:
    @described_field(
        "The audit trail newest first, as a Relay-style connection: market operations see "
        "every entry, tenant administrators their tenant's"
    )
    async def audit_log(
        self,
        info: Info,
        filter: AuditLogFilter | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> AuditLogConnection:
        principal = info.context.authenticate()
        page = await info.context.services.audit.query(
            principal,
            audit_filter(filter),
            first=page_size(info, first),
            after=AuditCursor.decode(after) if after else None,
        )
        edges = [
            AuditLogEdge(cursor=AuditCursor.of(entry).encode(), node=AuditLogEntry(entry=entry))
            for entry in page.entries
        ]
        return AuditLogConnection.of(edges, has_next=page.has_next, total=page.total_count)
