"""Versioned workflow templates (Postgres). A (key, version) never changes once stored."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence

import asyncpg

from wfm_engine import WorkflowTemplate, parse_template
from wfm_shared.errors import Conflict
from wfm_storage.postgres import Executor
from wfm_storage.records import TemplateRecord

_COLUMNS = "id, key, version, market_role, extends, status, checksum, created_at, definition"


def template_checksum(template: WorkflowTemplate) -> str:
    canonical = json.dumps(template.definition(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class TemplateRepository:
    def __init__(self) -> None:
        # Parsed templates by id: a stored version is immutable, so this never goes stale.
        self._parsed: dict[uuid.UUID, WorkflowTemplate] = {}

    def _record(self, row: asyncpg.Record) -> TemplateRecord:
        template = self._parsed.get(row["id"])
        if template is None:
            template = parse_template(row["definition"])
            self._parsed[row["id"]] = template
        values = {k: v for k, v in row.items() if k != "definition"}
        return TemplateRecord(**values, template=template)

    async def save(
        self, ex: Executor, template: WorkflowTemplate, status: str = "active"
    ) -> TemplateRecord:
        """Store a version; storing the same content again is a no-op, other content a conflict."""
        checksum = template_checksum(template)
        row = await ex.fetchrow(
            f"""
            INSERT INTO wfm.workflow_templates
                   (id, key, version, name, market_role, extends, definition, checksum, status)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ON CONFLICT (key, version) DO NOTHING
            RETURNING {_COLUMNS}
            """,
            uuid.uuid4(),
            template.key,
            template.version,
            template.name.model_dump(),
            template.market_role,
            template.extends,
            template.definition(),
            checksum,
            status,
        )
        if row is None:
            row = await ex.fetchrow(
                f"SELECT {_COLUMNS} FROM wfm.workflow_templates WHERE key = $1 AND version = $2",
                template.key,
                template.version,
            )
            assert row is not None
            if row["checksum"] != checksum:
                raise Conflict(
                    f"template {template.key} v{template.version} exists with other content; "
                    "publish a new version instead"
                )
        return self._record(row)

    async def by_ids(
        self, ex: Executor, ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, TemplateRecord]:
        rows = await ex.fetch(
            f"SELECT {_COLUMNS} FROM wfm.workflow_templates WHERE id = ANY($1::uuid[])", list(ids)
        )
        return {row["id"]: self._record(row) for row in rows}

    async def latest_for(self, ex: Executor, key: str, market_role: str) -> TemplateRecord | None:
        """The newest active version of `key` for a role: the role's own, else the base one."""
        row = await ex.fetchrow(
            f"""
            SELECT {_COLUMNS} FROM wfm.workflow_templates
             WHERE key = $1 AND status = 'active' AND (market_role = $2 OR market_role IS NULL)
             ORDER BY (market_role IS NULL), version DESC
             LIMIT 1
            """,
            key,
            market_role,
        )
        return self._record(row) if row else None

    async def list(
        self, ex: Executor, *, key: str | None = None, market_role: str | None = None
    ) -> list[TemplateRecord]:
        rows = await ex.fetch(
            f"""
            SELECT {_COLUMNS} FROM wfm.workflow_templates
             WHERE ($1::text IS NULL OR key = $1)
               AND ($2::text IS NULL OR market_role = $2 OR market_role IS NULL)
             ORDER BY key, version DESC
            """,
            key,
            market_role,
        )
        return [self._record(row) for row in rows]
