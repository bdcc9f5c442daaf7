"""Brings instance documents and the Postgres index up to the event log, idempotently.

The log is the truth. A crash in the command path leaves the document or the index
behind it; walking the index, this folds the missing events into the document and
projects them (exactly once, see Projector). It also writes the work-queue columns of rows
written before they existed (or by older rules: `WORK_VERSION`), from each state."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from wfm_engine import catch_up
from wfm_shared.principal import Principal, system_principal
from wfm_storage.postgres import Database
from wfm_storage.protocols import EventLog, InstanceDocumentStore
from wfm_storage.records import InstanceIndexRow
from wfm_storage.repositories.instance_index import WORK_VERSION, InstanceIndex
from wfm_storage.repositories.templates import TemplateRepository
from wfm_workflows.projections import Projector


@dataclass
class ReconcileReport:
    checked: int = 0
    documents_repaired: int = 0
    index_repaired: int = 0
    events_projected: int = 0
    work_written: int = 0  # rows whose work-queue columns were written for the first time
    repaired_ids: list[str] = field(default_factory=list)


class Reconciler:
    def __init__(
        self,
        db: Database,
        *,
        index: InstanceIndex,
        events: EventLog,
        documents: InstanceDocumentStore,
        templates: TemplateRepository,
        projector: Projector,
        principal: Principal | None = None,
    ) -> None:
        self._db = db
        self._index = index
        self._events = events
        self._documents = documents
        self._templates = templates
        self._projector = projector
        self._principal = principal or system_principal()

    async def run(self, *, batch_size: int = 500) -> ReconcileReport:
        report = ReconcileReport()
        after: uuid.UUID | None = None
        while True:
            async with self._db.transaction(self._principal) as conn:
                rows = await self._index.scan(conn, after=after, limit=batch_size)
            if not rows:
                return report
            after = rows[-1].id
            await self._reconcile_batch(rows, report)

    async def _reconcile_batch(self, rows: list[InstanceIndexRow], report: ReconcileReport) -> None:
        ids = [row.mongo_id for row in rows]
        latest = await self._events.latest_seqs(self._principal, ids)
        versions = await self._documents.versions(self._principal, ids)
        unwritten = []
        for row in rows:
            report.checked += 1
            last = latest.get(row.mongo_id, 0)
            if last > versions.get(row.mongo_id, 0) or last > row.version:
                await self.reconcile_instance(row, report)
            elif row.work_version < WORK_VERSION and row.version > 0:
                unwritten.append(row)
        if unwritten:
            await self._write_work(unwritten, report)

    async def _write_work(self, rows: list[InstanceIndexRow], report: ReconcileReport) -> None:
        """The work-queue columns of projected rows that lack them, from their states."""
        states = await self._documents.by_ids(self._principal, [r.mongo_id for r in rows])
        async with self._db.transaction(self._principal) as conn:
            templates = await self._templates.by_ids(conn, list({r.template_id for r in rows}))
            for row in rows:
                state = states.get(row.mongo_id)
                if state is None:
                    continue
                await self._projector.write_work(conn, state, templates[row.template_id].template)
                report.work_written += 1

    async def reconcile_instance(
        self,
        row: InstanceIndexRow,
        report: ReconcileReport | None = None,
        *,
        principal: Principal | None = None,
    ) -> None:
        """Bring one instance up to its log, as `principal` (by default the platform)."""
        report = report if report is not None else ReconcileReport()
        acting = principal or self._principal
        document = await self._documents.get(acting, row.mongo_id)
        after = document.version if document is not None else 0
        events = await self._events.for_instance(acting, row.mongo_id, after_seq=after)
        state = catch_up(document, events)
        if state is None:
            return
        if await self._documents.save(state):
            report.documents_repaired += 1
        async with self._db.transaction(acting) as conn:
            template = (await self._templates.by_ids(conn, [row.template_id]))[
                row.template_id
            ].template
            projected = await self._projector.project(conn, acting, state, events, template)
            if not projected and row.work_version < WORK_VERSION:
                await self._projector.write_work(conn, state, template)
                report.work_written += 1
        if projected:
            report.index_repaired += 1
            report.events_projected += len(projected)
        report.repaired_ids.append(row.mongo_id)
