"""Attachments (migration 0020): what is known of each uploaded file, under row-level
security; the bytes are `wfm_storage.file_bytes`'."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import asyncpg

from wfm_engine.gates import FileFacts
from wfm_storage.postgres import Executor

FileStatus = Literal["pending", "clean", "infected", "unscanned"]
# A workflow in one of these takes no more files (its data can no longer change).
FINISHED_WORKFLOW_STATUSES = ("COMPLETED", "CANCELLED", "FAILED")

COLUMNS = (
    "id, tenant_id, workflow_id, step_id, name, content_type, size_bytes, sha256, status, "
    "uploaded_by, uploaded_at, scanned_at, scan_signature, deleted_at"
)


@dataclass(frozen=True)
class FileRecord:
    id: uuid.UUID
    tenant_id: uuid.UUID
    workflow_id: uuid.UUID
    step_id: str
    name: str
    content_type: str
    size_bytes: int
    sha256: str
    status: FileStatus
    uploaded_by: uuid.UUID
    uploaded_at: datetime
    scanned_at: datetime | None = None
    scan_signature: str | None = None
    deleted_at: datetime | None = None

    @classmethod
    def of(cls, row: asyncpg.Record) -> FileRecord:
        return cls(**dict(row))

    @property
    def facts(self) -> FileFacts:
        """What the gates judge a file by."""
        return FileFacts(
            id=str(self.id),
            tenant_id=str(self.tenant_id),
            workflow_id=str(self.workflow_id),
            step_id=self.step_id,
            name=self.name,
            content_type=self.content_type,
            status=self.status,
            deleted=self.deleted_at is not None,
        )


@dataclass(frozen=True)
class NewFile:
    id: uuid.UUID
    workflow_id: uuid.UUID
    step_id: str
    name: str
    content_type: str
    size_bytes: int
    sha256: str
    status: FileStatus
    uploaded_by: uuid.UUID
    uploaded_at: datetime


class FileRepository:
    async def add(self, ex: Executor, new: NewFile) -> FileRecord | None:
        """Record a file of the workflow, under the workflow's tenant, while the workflow
        takes files (not finished). None: no such workflow for the caller, or finished."""
        row = await ex.fetchrow(
            f"""
            INSERT INTO wfm.files (id, tenant_id, workflow_id, step_id, name, content_type,
                                   size_bytes, sha256, status, uploaded_by, uploaded_at)
            SELECT $1, i.tenant_id, i.id, $3, $4, $5, $6, $7, $8, $9, $10
              FROM wfm.workflow_instances_index i
             WHERE i.id = $2 AND i.status <> ALL($11::text[])
            RETURNING {COLUMNS}
            """,
            new.id,
            new.workflow_id,
            new.step_id,
            new.name,
            new.content_type,
            new.size_bytes,
            new.sha256,
            new.status,
            new.uploaded_by,
            new.uploaded_at,
            list(FINISHED_WORKFLOW_STATUSES),
        )
        return FileRecord.of(row) if row else None

    async def get(self, ex: Executor, file_id: uuid.UUID) -> FileRecord | None:
        """The file, deleted or not; None: no such file for the caller."""
        row = await ex.fetchrow(f"SELECT {COLUMNS} FROM wfm.files WHERE id = $1", file_id)
        return FileRecord.of(row) if row else None

    async def by_ids(
        self, ex: Executor, file_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, FileRecord]:
        rows = await ex.fetch(
            f"SELECT {COLUMNS} FROM wfm.files WHERE id = ANY($1::uuid[])", list(file_ids)
        )
        return {row["id"]: FileRecord.of(row) for row in rows}

    async def for_workflows(
        self, ex: Executor, workflow_ids: Sequence[uuid.UUID], *, include_deleted: bool = False
    ) -> dict[uuid.UUID, list[FileRecord]]:
        """The files of each workflow the caller sees, oldest first (one query for all)."""
        rows = await ex.fetch(
            f"SELECT {COLUMNS} FROM wfm.files WHERE workflow_id = ANY($1::uuid[]) "
            "AND ($2 OR deleted_at IS NULL) ORDER BY workflow_id, uploaded_at, id",
            list(workflow_ids),
            include_deleted,
        )
        found: dict[uuid.UUID, list[FileRecord]] = {}
        for row in rows:
            found.setdefault(row["workflow_id"], []).append(FileRecord.of(row))
        return found

    async def for_uploader(
        self, ex: Executor, tenant_id: uuid.UUID, user_id: uuid.UUID
    ) -> list[FileRecord]:
        """Every file the user uploaded in the tenant, deleted ones too, oldest first."""
        rows = await ex.fetch(
            f"SELECT {COLUMNS} FROM wfm.files WHERE tenant_id = $1 AND uploaded_by = $2 "
            "ORDER BY uploaded_at, id",
            tenant_id,
            user_id,
        )
        return [FileRecord.of(row) for row in rows]

    async def record_scan(
        self,
        ex: Executor,
        file_id: uuid.UUID,
        *,
        infected: bool,
        signature: str | None,
        at: datetime,
    ) -> FileRecord | None:
        """The scanner's verdict on a pending file; None: the file is not pending (judged
        already, or deleted)."""
        row = await ex.fetchrow(
            f"""
            UPDATE wfm.files
               SET status = CASE WHEN $2 THEN 'infected' ELSE 'clean' END,
                   scan_signature = CASE WHEN $2 THEN $3 END,
                   scanned_at = $4
             WHERE id = $1 AND status = 'pending' AND deleted_at IS NULL
            RETURNING {COLUMNS}
            """,
            file_id,
            infected,
            signature[:500] if signature else None,
            at,
        )
        return FileRecord.of(row) if row else None

    async def mark_deleted(
        self, ex: Executor, file_ids: Sequence[uuid.UUID], *, at: datetime
    ) -> list[uuid.UUID]:
        """Stamp the files deleted (their bytes are gone); the ids stamped now."""
        rows = await ex.fetch(
            "UPDATE wfm.files SET deleted_at = $2 WHERE id = ANY($1::uuid[]) "
            "AND deleted_at IS NULL RETURNING id",
            list(file_ids),
            at,
        )
        return [row["id"] for row in rows]
