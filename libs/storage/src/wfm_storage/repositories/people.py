"""People as the caller may see them, by id: the authors of events, approvals and audit
entries (through `wfm.people_by_ids` of migration 0015: a tenant sees its own users in full
and market operations staff by their display name alone, never another tenant's users)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from wfm_storage.postgres import Executor


@dataclass(frozen=True)
class Person:
    """A user named in something the caller reads."""

    id: uuid.UUID
    tenant_id: uuid.UUID | None
    role: str
    display_name: str | None
    email: str | None  # None: hidden from the caller (staff, seen by a tenant)
    status: str | None  # likewise


async def people_by_ids(ex: Executor, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Person]:
    """The ones the caller may see; the others (unknown, deleted, another tenant's) are
    left out alike."""
    rows = await ex.fetch("SELECT * FROM wfm.people_by_ids($1::uuid[])", list(ids))
    return {row["id"]: Person(**dict(row)) for row in rows}
