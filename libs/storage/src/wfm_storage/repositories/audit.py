"""The append-only audit log (Postgres; UPDATE and DELETE are refused by a trigger): who did
what to which object, when, from which address, and how it ended.

The client's address comes from the request being served (`wfm_shared.request_origin`),
never from the services' arguments: the worker and the CLI record none. Reads are filtered
by row-level security (market operations see every entry, a tenant role its tenant's)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import asyncpg

from wfm_shared.principal import Principal
from wfm_shared.request_origin import current_client_address
from wfm_storage.paging import Arguments, Key, Listing, decode_cursor, encode_cursor, equal_to
from wfm_storage.postgres import Executor

Outcome = Literal["ok", "refused", "failed"]
OUTCOMES: tuple[Outcome, ...] = ("ok", "refused", "failed")

# what an address may take up in an entry (IPv6 with a zone fits; anything longer is cut)
MAX_ADDRESS_LENGTH = 100

_COLUMNS = (
    "id, occurred_at, tenant_id, actor_id, actor_role, action, target_type, target_id, "
    "details, request_id, client_address, outcome"
)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    occurred_at: datetime
    tenant_id: uuid.UUID | None
    actor_id: uuid.UUID | None  # None: nobody signed in (a refused login)
    actor_role: str | None
    action: str
    target_type: str
    target_id: str
    details: dict[str, Any]
    request_id: str | None
    client_address: str | None
    outcome: Outcome


@dataclass(frozen=True)
class AuditFilter:
    """Every criterion given must hold; `since` is inclusive, `until` exclusive."""

    actor_id: uuid.UUID | None = None
    tenant_id: uuid.UUID | None = None
    target_type: str | None = None
    target_id: str | None = None
    action: str | None = None
    outcome: Outcome | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class AuditCursor:
    """Keyset position in the newest-first order: opaque to clients."""

    occurred_at: datetime
    id: int

    def encode(self) -> str:
        return encode_cursor(f"audit|{self.occurred_at.isoformat()}|{self.id}")

    @classmethod
    def decode(cls, value: str) -> AuditCursor:
        def parse(position: str) -> AuditCursor:
            kind, occurred, ident = position.split("|")
            if kind != "audit":
                raise ValueError(kind)
            return cls(datetime.fromisoformat(occurred), int(ident))

        return decode_cursor(value, parse)

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditCursor:
        return cls(entry.occurred_at, entry.id)


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    has_next: bool
    total_count: int


def _entry(row: asyncpg.Record) -> AuditEntry:
    return AuditEntry(**dict(row))


# newest first, the order of the log's page indexes (migration 0014)
_NEWEST_FIRST = Listing(
    "wfm.audit_log", _COLUMNS, (Key("occurred_at"), Key("id")), _entry, descending=True
)


def _where(where: AuditFilter, arg: Arguments) -> list[str]:
    """The filter as SQL conditions, its values numbered in `arg`."""
    equal = {
        "actor_id": where.actor_id,
        "tenant_id": where.tenant_id,
        "target_type": where.target_type,
        "target_id": where.target_id,
        "action": where.action,
        "outcome": where.outcome,
    }
    conditions = ["true", *equal_to(arg, equal)]
    if where.since is not None:
        conditions.append(f"occurred_at >= {arg(where.since)}")
    if where.until is not None:
        conditions.append(f"occurred_at < {arg(where.until)}")
    return conditions


class AuditLog:
    async def append(
        self,
        ex: Executor,
        *,
        principal: Principal | None,
        tenant_id: uuid.UUID | None,
        action: str,
        target_type: str,
        target_id: str,
        details: dict[str, Any] | None = None,
        request_id: str | None = None,
        outcome: Outcome = "ok",
    ) -> None:
        """One entry, in the caller's transaction; the address is the current request's."""
        await ex.execute(
            """
            INSERT INTO wfm.audit_log
                   (tenant_id, actor_id, actor_role, action, target_type, target_id, details,
                    request_id, client_address, outcome)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            """,
            tenant_id,
            principal.user_id if principal else None,
            principal.role if principal else None,
            action,
            target_type,
            target_id,
            details or {},
            request_id,
            _address(current_client_address.get()),
            outcome,
        )

    async def append_refused_login(
        self,
        ex: Executor,
        *,
        email: str,
        throttled: bool,
        client_address: str | None,
        request_id: str | None = None,
    ) -> None:
        """A login refused (throttled: `refused`) or failed (`failed`), before anyone is
        known: under the account's tenant when the e-mail names a user (migration 0014)."""
        await ex.execute(
            "SELECT wfm.audit_login_refused($1, $2, $3, $4)",
            email,
            throttled,
            _address(client_address),
            request_id,
        )

    async def page(
        self, ex: Executor, where: AuditFilter, *, first: int, after: AuditCursor | None
    ) -> AuditPage:
        """Newest first, `first` entries after the cursor, and how many match in all."""
        arg = Arguments()
        conditions = _where(where, arg)
        entries, has_next, total = await _NEWEST_FIRST.counted_page(
            ex,
            conditions,
            arg,
            first=first,
            after=None if after is None else (after.occurred_at, after.id),
        )
        return AuditPage(entries, has_next, total)

    async def stream(
        self, conn: asyncpg.Connection, where: AuditFilter, *, batch_size: int
    ) -> AsyncGenerator[AuditEntry, None]:
        """Every matching entry, newest first, read through a server-side cursor
        `batch_size` rows at a time (never the whole result in memory). Inside a
        transaction, as cursors must be."""
        arg = Arguments()
        conditions = " AND ".join(_where(where, arg))
        cursor = conn.cursor(
            f"SELECT {_COLUMNS} FROM wfm.audit_log WHERE {conditions} "
            "ORDER BY occurred_at DESC, id DESC",
            *arg.values,
            prefetch=batch_size,
        )
        async for row in cursor:
            yield _entry(row)


def _address(address: str | None) -> str | None:
    return address[:MAX_ADDRESS_LENGTH] if address else None
