"""Brings instance documents and the Postgres index up to the event log, idempotently.

The log is the truth. A crash in the command path leaves the document or the index
behind it; walking the index, this folds the missing events into the document and
projects them (exactly once, see Projector)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from wfm_engine import catch_up
from wfm_shared.principal import Principal, system_principal
from wfm_storage.postgres import Database
from wfm_storage.protocols import EventLog, InstanceDocumentStore
from wfm_storage.records import InstanceIndexRow
from wfm_storage.repositories.instance_index import InstanceIndex
from wfm_storage.repositories.templates import TemplateRepository
from wfm_workflows.projections import Projector


@dataclass
class ReconcileReport:
    checked: int = 0
    documents_repaired: int = 0
    index_repaired: int = 0
    events_projected: int = 0
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
        for row in rows:
            report.checked += 1
            last = latest.get(row.mongo_id, 0)
            if last > versions.get(row.mongo_id, 0) or last > row.version:
                await self.reconcile_instance(row, report)

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
        if projected:
            report.index_repaired += 1
            report.events_projected += len(projected)
        report.repaired_ids.append(row.mongo_id)
