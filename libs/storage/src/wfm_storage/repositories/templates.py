"""Versioned workflow templates (Postgres). A stored (key, market role, version) never
changes: publishing stores the next version; old versions stay readable.

A definition is parsed (its conditions compiled) in a thread, never on the event loop, and
within a time limit; each stored version once per process (requests that want it while it is
being parsed wait for that parse: a process's first burst of commands parses it once)."""

from __future__ import annotations

import asyncio
import builtins
import hashlib
import json
import uuid
from collections.abc import Callable, Sequence

import asyncpg

from wfm_engine import (
    BUILTIN_REGISTRIES,
    CompileWatch,
    Registries,
    TemplateInvalid,
    WorkflowTemplate,
)
from wfm_shared import limits
from wfm_shared.errors import Conflict
from wfm_storage.postgres import Executor
from wfm_storage.records import TemplateRecord

_RECORD_COLUMNS = "id, key, version, market_role, extends, status, checksum, created_at"
_COLUMNS = f"{_RECORD_COLUMNS}, definition"
_SAME_ROLE = "market_role IS NOT DISTINCT FROM"


def template_checksum(template: WorkflowTemplate) -> str:
    """Of the content, whatever version number it is stored under."""
    content = {k: v for k, v in template.definition().items() if k != "version"}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


async def parse_in_thread(
    parse: Callable[[CompileWatch], WorkflowTemplate],
    *,
    seconds: float = limits.CONDITION_COMPILE_SECONDS,
) -> WorkflowTemplate:
    """`parse(watch)` (a template's check: pydantic, JSON Schemas, CEL compilation) in a
    thread, so the event loop goes on serving meanwhile; past `seconds`, TemplateInvalid
    naming the condition it was compiling. The thread cannot be killed: it stops itself
    before its next condition (the length and nesting limits keep each one short)."""
    watch = CompileWatch()
    try:
        return await asyncio.wait_for(asyncio.to_thread(parse, watch), seconds)
    except TimeoutError:
        watch.stop()
        raise watch.too_slow() from None


class TemplateRepository:
    def __init__(
        self,
        *,
        compile_timeout: float = limits.CONDITION_COMPILE_SECONDS,
        registries: Registries = BUILTIN_REGISTRIES,
    ) -> None:
        # what stored definitions are parsed with: the installation's validators, gates and
        # step types (the engine's built-ins alone by default)
        self.registries = registries
        # Parsed templates by id: a stored version is immutable, so this never goes stale.
        self._parsed: dict[uuid.UUID, WorkflowTemplate] = {}
        # Stored versions that cannot be used (e.g. past a limit set since they were
        # published): refused at once, without compiling them again.
        self._refused: dict[uuid.UUID, TemplateInvalid] = {}
        # Versions being parsed now: every request that wants one meanwhile awaits this parse
        self._parsing: dict[uuid.UUID, asyncio.Future[WorkflowTemplate]] = {}
        self.compile_timeout = compile_timeout

    async def _record(self, row: asyncpg.Record) -> TemplateRecord:
        template = self._parsed.get(row["id"])
        if template is None:
            template = await self._parse_once(row)
        values = {k: v for k, v in row.items() if k != "definition"}
        return TemplateRecord(**values, template=template)

    async def _parse_once(self, row: asyncpg.Record) -> WorkflowTemplate:
        """The stored version parsed, by the parse under way if there is one (on this event
        loop). A caller that gives up (cancelled) leaves the parse to the others."""
        ident: uuid.UUID = row["id"]
        parsing = self._parsing.get(ident)
        if parsing is None or parsing.get_loop() is not asyncio.get_running_loop():
            parsing = asyncio.ensure_future(self._parse_stored(row))
            self._parsing[ident] = parsing

            def parsed(done: asyncio.Future[WorkflowTemplate]) -> None:
                if self._parsing.get(ident) is done:
                    del self._parsing[ident]
                if not done.cancelled():
                    done.exception()  # retrieved: a refusal every waiter gave up on is no warning

            parsing.add_done_callback(parsed)
        return await asyncio.shield(parsing)

    async def _records(self, rows: Sequence[asyncpg.Record]) -> list[TemplateRecord]:
        return [await self._record(row) for row in rows]

    async def _parse_stored(self, row: asyncpg.Record) -> WorkflowTemplate:
        refused = self._refused.get(row["id"])
        if refused is None:
            definition = row["definition"]
            try:
                template = await parse_in_thread(
                    lambda watch: self.registries.parse_template(
                        definition, watch=watch, stored=True
                    ),
                    seconds=self.compile_timeout,
                )
            except TemplateInvalid as invalid:
                refused = TemplateInvalid(
                    f"the stored template {row['key']} v{row['version']} cannot be used",
                    invalid.errors,
                )
                self._refused[row["id"]] = refused
            else:
                self._parsed[row["id"]] = template
                return template
        raise refused

    def _keep(self, row: asyncpg.Record, template: WorkflowTemplate) -> None:
        """A version just stored is the template already parsed: no second compilation."""
        self._parsed.setdefault(row["id"], template)

    async def _insert(
        self,
        ex: Executor,
        template: WorkflowTemplate,
        checksum: str,
        status: str,
        published_by: uuid.UUID | None,
    ) -> asyncpg.Record | None:
        return await ex.fetchrow(
            f"""
            INSERT INTO wfm.workflow_templates
                   (id, key, version, name, market_role, extends, definition, checksum, status, published_by)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            ON CONFLICT ON CONSTRAINT workflow_templates_key_role_version DO NOTHING
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
            published_by,
        )

    async def save(
        self,
        ex: Executor,
        template: WorkflowTemplate,
        status: str = "active",
        published_by: uuid.UUID | None = None,
    ) -> TemplateRecord:
        """Store a version as numbered: the same content again is a no-op, other content a conflict."""
        checksum = template_checksum(template)
        row = await self._insert(ex, template, checksum, status, published_by)
        if row is None:
            existing = await self.get(ex, template.key, template.version, template.market_role)
            assert existing is not None
            if existing.checksum != checksum:
                raise Conflict(
                    f"template {template.key} v{template.version} exists with other content; "
                    "publish a new version instead"
                )
            return existing
        self._keep(row, template)
        return await self._record(row)

    async def publish(
        self,
        ex: Executor,
        template: WorkflowTemplate,
        published_by: uuid.UUID | None = None,
        *,
        if_changed: bool = False,
    ) -> tuple[TemplateRecord, bool]:
        """Store `template` as the next version of its key and role. With `if_changed`, the
        latest version is returned instead when its content is the same. (record, stored)"""
        checksum = template_checksum(template)
        latest = await self.latest(ex, template.key, template.market_role, include_deprecated=True)
        if if_changed and latest is not None and latest.checksum == checksum:
            return latest, False
        for _ in range(5):
            version = (latest.version if latest else 0) + 1
            numbered = template.model_copy(update={"version": version})
            row = await self._insert(ex, numbered, checksum, "active", published_by)
            if row is not None:
                self._keep(row, numbered)
                return await self._record(row), True
            latest = await self.latest(
                ex, template.key, template.market_role, include_deprecated=True
            )
        raise Conflict(f"template {template.key} is being published concurrently; retry")

    async def set_status(
        self, ex: Executor, key: str, version: int, market_role: str | None, status: str
    ) -> TemplateRecord | None:
        row = await ex.fetchrow(
            f"""
            UPDATE wfm.workflow_templates
               SET status = $4, deprecated_at = CASE WHEN $4 = 'deprecated' THEN now() END
             WHERE key = $1 AND version = $2 AND {_SAME_ROLE} $3
            RETURNING {_COLUMNS}
            """,
            key,
            version,
            market_role,
            status,
        )
        return await self._record(row) if row else None

    async def by_ids(
        self, ex: Executor, ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, TemplateRecord]:
        unparsed = [i for i in ids if i not in self._parsed]
        if unparsed:
            rows = await ex.fetch(
                f"SELECT {_COLUMNS} FROM wfm.workflow_templates WHERE id = ANY($1::uuid[])",
                list(ids),
            )
        else:
            # every definition is parsed already (a stored version never changes): the
            # record's other columns alone, without decoding the definition again
            rows = await ex.fetch(
                f"SELECT {_RECORD_COLUMNS} FROM wfm.workflow_templates WHERE id = ANY($1::uuid[])",
                list(ids),
            )
        return {record.id: record for record in await self._records(rows)}

    async def get(
        self, ex: Executor, key: str, version: int, market_role: str | None
    ) -> TemplateRecord | None:
        row = await ex.fetchrow(
            f"SELECT {_COLUMNS} FROM wfm.workflow_templates WHERE key = $1 AND version = $2 AND {_SAME_ROLE} $3",
            key,
            version,
            market_role,
        )
        return await self._record(row) if row else None

    async def latest(
        self, ex: Executor, key: str, market_role: str | None, *, include_deprecated: bool = False
    ) -> TemplateRecord | None:
        row = await ex.fetchrow(
            f"""
            SELECT {_COLUMNS} FROM wfm.workflow_templates
             WHERE key = $1 AND {_SAME_ROLE} $2 AND ($3 OR status = 'active')
             ORDER BY version DESC LIMIT 1
            """,
            key,
            market_role,
            include_deprecated,
        )
        return await self._record(row) if row else None

    async def latest_for(self, ex: Executor, key: str, market_role: str) -> TemplateRecord | None:
        """The template a new instance starts on: the newest active version of the role's
        own variant, else of the base template."""
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
        return await self._record(row) if row else None

    async def list(
        self,
        ex: Executor,
        *,
        key: str | None = None,
        market_role: str | None = None,
        include_deprecated: bool = False,
    ) -> builtins.list[TemplateRecord]:
        """The newest version of each (key, role), or of the role's variants and the bases."""
        rows = await ex.fetch(
            f"""
            SELECT DISTINCT ON (key, market_role) {_COLUMNS} FROM wfm.workflow_templates
             WHERE ($1::text IS NULL OR key = $1)
               AND ($2::text IS NULL OR market_role = $2 OR market_role IS NULL)
               AND ($3 OR status = 'active')
             ORDER BY key, market_role NULLS FIRST, version DESC
            """,
            key,
            market_role,
            include_deprecated,
        )
        return await self._records(rows)

    async def versions(self, ex: Executor, key: str) -> builtins.list[TemplateRecord]:
        rows = await ex.fetch(
            f"SELECT {_COLUMNS} FROM wfm.workflow_templates WHERE key = $1 "
            "ORDER BY market_role NULLS FIRST, version DESC",
            key,
        )
        return await self._records(rows)
