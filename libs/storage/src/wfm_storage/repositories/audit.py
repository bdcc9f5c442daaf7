"""The append-only audit log (Postgres; UPDATE and DELETE are refused by a trigger): who did
what to which object, when, from which address, and how it ended.

The client's address comes from the request being served (`wfm_shared.request_origin`),
never from the services' arguments: the worker and the CLI record none. Reads are filtered
by row-level security (market operations see every entry, a tenant role its tenant's)."""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import asyncpg

from wfm_shared.errors import FieldError, ValidationFailed
from wfm_shared.principal import Principal
from wfm_shared.request_origin import current_client_address
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
        raw = f"audit|{self.occurred_at.isoformat()}|{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode("ascii")

    @classmethod
    def decode(cls, value: str) -> AuditCursor:
        try:
            kind, occurred, ident = (
                base64.urlsafe_b64decode(value.encode("ascii")).decode().split("|")
            )
            if kind != "audit":
                raise ValueError(kind)
            return cls(datetime.fromisoformat(occurred), int(ident))
        except (ValueError, UnicodeError, binascii.Error):
            raise ValidationFailed(
                "invalid cursor", [FieldError(("after",), "is not a cursor")]
            ) from None

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


def _where(where: AuditFilter, args: list[Any]) -> str:
    """The filter as SQL conditions, its values appended to `args`."""
    conditions = ["true"]

    def holds(condition: str, value: object) -> None:
        args.append(value)
        conditions.append(condition.format(f"${len(args)}"))

    if where.actor_id is not None:
        holds("actor_id = {}", where.actor_id)
    if where.tenant_id is not None:
        holds("tenant_id = {}", where.tenant_id)
    if where.target_type is not None:
        holds("target_type = {}", where.target_type)
    if where.target_id is not None:
        holds("target_id = {}", where.target_id)
    if where.action is not None:
        holds("action = {}", where.action)
    if where.outcome is not None:
        holds("outcome = {}", where.outcome)
    if where.since is not None:
        holds("occurred_at >= {}", where.since)
    if where.until is not None:
        holds("occurred_at < {}", where.until)
    return " AND ".join(conditions)


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
        args: list[Any] = []
        conditions = _where(where, args)
        total: int = await ex.fetchval(
            f"SELECT count(*) FROM wfm.audit_log WHERE {conditions}", *args
        )
        if after is not None:
            args += [after.occurred_at, after.id]
            conditions += f" AND (occurred_at, id) < (${len(args) - 1}, ${len(args)})"
        args.append(first + 1)
        rows = await ex.fetch(
            f"SELECT {_COLUMNS} FROM wfm.audit_log WHERE {conditions} "
            f"ORDER BY occurred_at DESC, id DESC LIMIT ${len(args)}",
            *args,
        )
        entries = [_entry(row) for row in rows]
        return AuditPage(entries[:first], len(entries) > first, total)

    async def stream(
        self, conn: asyncpg.Connection, where: AuditFilter, *, batch_size: int
    ) -> AsyncGenerator[AuditEntry, None]:
        """Every matching entry, newest first, read through a server-side cursor
        `batch_size` rows at a time (never the whole result in memory). Inside a
        transaction, as cursors must be."""
        args: list[Any] = []
        conditions = _where(where, args)
        cursor = conn.cursor(
            f"SELECT {_COLUMNS} FROM wfm.audit_log WHERE {conditions} "
            "ORDER BY occurred_at DESC, id DESC",
            *args,
            prefetch=batch_size,
        )
        async for row in cursor:
            yield _entry(row)


def _address(address: str | None) -> str | None:
    return address[:MAX_ADDRESS_LENGTH] if address else None
