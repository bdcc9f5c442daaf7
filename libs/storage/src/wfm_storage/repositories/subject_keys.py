"""The keys of personal data (migration 0021), under row-level security: one live key per
data subject and workflow instance, each as it was sealed (wfm_shared.personal_data). Nothing
here seals or opens a key."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from wfm_storage.postgres import Executor

COLUMNS = (
    "id, tenant_id, subject_id, instance_id, sealed_key, created_at, erased_at, erased_by, "
    "erasure_reason"
)


@dataclass(frozen=True)
class SubjectKey:
    id: uuid.UUID
    tenant_id: uuid.UUID
    subject_id: uuid.UUID
    instance_id: str  # the MongoDB instance id (the index row's id as text)
    sealed_key: bytes | None  # None: erased
    created_at: datetime
    erased_at: datetime | None = None
    erased_by: uuid.UUID | None = None  # None once erased: the platform did (retention)
    erasure_reason: str | None = None

    @property
    def erased(self) -> bool:
        return self.sealed_key is None

    @classmethod
    def of(cls, row: asyncpg.Record) -> SubjectKey:
        values = dict(row)
        sealed = values["sealed_key"]
        values["sealed_key"] = bytes(sealed) if sealed is not None else None
        return cls(**values)


@dataclass(frozen=True)
class NewKey:
    """A key to create: its id, whose (subject, instance, tenant), its material sealed."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    subject_id: uuid.UUID
    instance_id: str
    sealed_key: bytes


# a subject in an instance
Holder = tuple[uuid.UUID, str]


class SubjectKeys:
    async def by_ids(self, ex: Executor, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, SubjectKey]:
        """The keys of these ids the caller sees (erased ones too)."""
        rows = await ex.fetch(
            f"SELECT {COLUMNS} FROM wfm.subject_keys WHERE id = ANY($1::uuid[])", list(ids)
        )
        return {row["id"]: SubjectKey.of(row) for row in rows}

    async def live(self, ex: Executor, holders: Sequence[Holder]) -> dict[Holder, SubjectKey]:
        """The live key of each (subject, instance) that has one."""
        rows = await ex.fetch(
            f"""
            SELECT {COLUMNS} FROM wfm.subject_keys
             WHERE (subject_id, instance_id) IN (
                       SELECT * FROM unnest($1::uuid[], $2::text[]))
               AND erased_at IS NULL
            """,
            [subject for subject, _ in holders],
            [instance for _, instance in holders],
        )
        return {(row["subject_id"], row["instance_id"]): SubjectKey.of(row) for row in rows}

    async def live_or_create(
        self, ex: Executor, keys: Sequence[NewKey], *, at: datetime
    ) -> list[SubjectKey]:
        """The live key of each new key's (subject, instance): the one it has, else the new
        key, stored; in one statement. A (subject, instance) whose key a concurrent writer
        stores meanwhile is left out (its key: `live`)."""
        rows = await ex.fetch(
            f"""
            WITH wanted AS (
                SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::bytea[])
                           AS k (id, tenant_id, subject_id, instance_id, sealed_key)
            ), found AS (
                SELECT {COLUMNS} FROM wfm.subject_keys
                 WHERE (subject_id, instance_id) IN (SELECT subject_id, instance_id FROM wanted)
                   AND erased_at IS NULL
            ), created AS (
                INSERT INTO wfm.subject_keys
                       (id, tenant_id, subject_id, instance_id, sealed_key, created_at)
                SELECT w.id, w.tenant_id, w.subject_id, w.instance_id, w.sealed_key, $6
                  FROM wanted w
                 WHERE NOT EXISTS (SELECT 1 FROM found f
                                    WHERE (f.subject_id, f.instance_id)
                                          = (w.subject_id, w.instance_id))
                ON CONFLICT (subject_id, instance_id) WHERE erased_at IS NULL DO NOTHING
                RETURNING {COLUMNS}
            )
            SELECT * FROM found UNION ALL SELECT * FROM created
            """,
            [k.id for k in keys],
            [k.tenant_id for k in keys],
            [k.subject_id for k in keys],
            [k.instance_id for k in keys],
            [k.sealed_key for k in keys],
            at,
        )
        return [SubjectKey.of(row) for row in rows]

    async def for_subject(self, ex: Executor, subject_id: uuid.UUID) -> list[SubjectKey]:
        """Every key of the subject the caller sees (erased ones too), oldest first."""
        rows = await ex.fetch(
            f"SELECT {COLUMNS} FROM wfm.subject_keys WHERE subject_id = $1 ORDER BY created_at, id",
            subject_id,
        )
        return [SubjectKey.of(row) for row in rows]

    async def for_instances(self, ex: Executor, instance_ids: Sequence[str]) -> list[SubjectKey]:
        """Every key of these instances the caller sees (erased ones too)."""
        rows = await ex.fetch(
            f"SELECT {COLUMNS} FROM wfm.subject_keys WHERE instance_id = ANY($1::text[]) "
            "ORDER BY created_at, id",
            list(instance_ids),
        )
        return [SubjectKey.of(row) for row in rows]

    async def erase_subject(
        self, ex: Executor, subject_id: uuid.UUID, *, at: datetime, by: uuid.UUID, reason: str
    ) -> int:
        """Destroy the subject's live keys; how many."""
        result = await ex.execute(
            "UPDATE wfm.subject_keys SET sealed_key = NULL, erased_at = $2, erased_by = $3, "
            "erasure_reason = $4 WHERE subject_id = $1 AND erased_at IS NULL",
            subject_id,
            at,
            by,
            reason,
        )
        return int(result.split()[-1])

    async def erase_instances(
        self, ex: Executor, instance_ids: Sequence[str], *, at: datetime, reason: str
    ) -> int:
        """Destroy every live key of these instances (the platform's doing: retention); how
        many."""
        result = await ex.execute(
            "UPDATE wfm.subject_keys SET sealed_key = NULL, erased_at = $2, erasure_reason = $3 "
            "WHERE instance_id = ANY($1::text[]) AND erased_at IS NULL",
            list(instance_ids),
            at,
            reason,
        )
        return int(result.split()[-1])

    # -- the keyring's rotation (`wfm secrets rotate-key`) -----------------------------------

    async def sealed_page(
        self, ex: Executor, *, after: uuid.UUID | None, limit: int
    ) -> list[tuple[uuid.UUID, bytes]]:
        """Every live key's (id, sealed material) in id order, `limit` past `after`."""
        rows = await ex.fetch(
            "SELECT id, sealed_key FROM wfm.subject_keys "
            "WHERE erased_at IS NULL AND ($1::uuid IS NULL OR id > $1) ORDER BY id LIMIT $2",
            after,
            limit,
        )
        return [(row["id"], bytes(row["sealed_key"])) for row in rows]

    async def replace_sealed(
        self, ex: Executor, key_id: uuid.UUID, sealed: bytes, resealed: bytes
    ) -> bool:
        """Reseal in place, unless the key changed since it was read (erased meanwhile)."""
        result = await ex.execute(
            "UPDATE wfm.subject_keys SET sealed_key = $3 "
            "WHERE id = $1 AND sealed_key = $2 AND erased_at IS NULL",
            key_id,
            sealed,
            resealed,
        )
        return result.endswith(" 1")
