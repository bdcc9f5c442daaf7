"""Erasing a data subject on request (crypto-shredding): market operations destroy the
subject's keys, with a reason. Every copy of the subject's values in the event log and the
instance documents then reads `[erased]`, while the log stays as it was written and every
workflow goes on folding; the other people named in the same workflows are untouched.

What is not under those keys goes in the same transaction: the tenant's step drafts (form
data saved but not completed, in Postgres) that hold a value of the subject are deleted, and
the copies PostgreSQL keeps of the subject's values in the workflows naming them (webhook
deliveries and the receivers' answers, notifications: `wfm_privacy.copies`) read
`[erased]` where the values were; the values are read with the keys before they are
destroyed. The audit trail records the erasure by subject id, workflows, counts and reason,
never an e-mail address or a value. Erasing a
subject already erased changes nothing and says so (no second audit entry: nothing
happened)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from wfm_engine.personal import NOTHING, FieldPlan, definition_plans, personal_values
from wfm_privacy.copies import CopyScrubber, ScrubbedCopies
from wfm_privacy.subjects import DataSubject, subject_of
from wfm_shared.authorization import Permission, authorize
from wfm_shared.clock import Clock
from wfm_shared.documents import text_problem
from wfm_shared.errors import FieldError, ValidationFailed
from wfm_shared.principal import Principal
from wfm_storage.postgres import Database, Executor
from wfm_storage.repositories.audit import AuditLog
from wfm_storage.repositories.instance_index import InstanceIndex
from wfm_storage.repositories.step_drafts import StepDraft, StepDraftRepository
from wfm_storage.repositories.subject_keys import SubjectKeys
from wfm_storage.repositories.templates import TemplateRepository

REASON_MAX_LENGTH = 500
ERASED_ACTION = "privacy.subject_erased"
SUBJECT_TARGET = "data_subject"


@dataclass(frozen=True)
class ErasureReport:
    subject_id: uuid.UUID
    tenant_id: uuid.UUID
    keys_erased: int  # 0: erased already
    workflow_ids: tuple[uuid.UUID, ...]  # every workflow naming the subject
    erased_at: datetime
    already_erased: bool
    drafts_deleted: int
    # rows of PostgreSQL whose copies of the subject's values now read [erased]
    copies_scrubbed: ScrubbedCopies = field(default_factory=ScrubbedCopies)


def reason_problems(reason: str) -> list[FieldError]:
    if not 1 <= len(reason.strip()) <= REASON_MAX_LENGTH:
        return [FieldError(("reason",), f"must be 1 to {REASON_MAX_LENGTH} characters")]
    problem = text_problem(reason)
    return [FieldError(("reason",), problem)] if problem else []


class ErasureService:
    def __init__(
        self,
        db: Database,
        *,
        keys: SubjectKeys,
        index: InstanceIndex,
        templates: TemplateRepository,
        drafts: StepDraftRepository,
        audit: AuditLog,
        copies: CopyScrubber,
        clock: Clock,
    ) -> None:
        self._db = db
        self._keys = keys
        self._index = index
        self._templates = templates
        self._drafts = drafts
        self._audit = audit
        self._copies = copies
        self._clock = clock

    async def erase_subject(
        self, principal: Principal, subject_id: uuid.UUID, reason: str
    ) -> ErasureReport:
        """Destroy every key of the subject, delete the step drafts holding its values, replace
        its values in PostgreSQL's copies, and audit it: in one transaction. NOT_FOUND: no
        workflow ever named the subject."""
        authorize(principal, Permission.PRIVACY_MANAGE)
        problems = reason_problems(reason)
        if problems:
            raise ValidationFailed("the erasure needs a reason", problems)
        reason = reason.strip()
        now = self._clock.now()
        async with self._db.transaction(principal) as conn:
            subject = await subject_of(conn, self._keys, subject_id)
            # what the keys still open, read before they are destroyed
            live = [key for key in subject.keys if not key.erased]
            values = await self._copies.values_under(principal, live)
            erased = await self._keys.erase_subject(
                conn, subject_id, at=now, by=principal.user_id, reason=reason
            )
            if not erased:  # erased already (or meanwhile, by a concurrent request)
                return ErasureReport(
                    subject_id,
                    subject.tenant_id,
                    0,
                    tuple(subject.workflow_ids),
                    subject.erased_at or now,
                    already_erased=True,
                    drafts_deleted=0,
                )
            drafts = await self._delete_drafts(conn, subject)
            # the workflows whose keys were live: the others' copies were scrubbed with them
            copies = await self._copies.scrub(
                conn,
                subject.tenant_id,
                list(dict.fromkeys(uuid.UUID(key.instance_id) for key in live)),
                values,
            )
            await self._audit.append(
                conn,
                principal=principal,
                tenant_id=subject.tenant_id,
                action=ERASED_ACTION,
                target_type=SUBJECT_TARGET,
                target_id=str(subject_id),
                details={
                    "subjectId": str(subject_id),
                    "keys": erased,
                    "workflowIds": [str(w) for w in subject.workflow_ids],
                    "draftsDeleted": drafts,
                    "copiesScrubbed": copies.as_json(),
                    "reason": reason,
                },
            )
        return ErasureReport(
            subject_id,
            subject.tenant_id,
            erased,
            tuple(subject.workflow_ids),
            now,
            already_erased=False,
            drafts_deleted=drafts,
            copies_scrubbed=copies,
        )

    async def _delete_drafts(self, conn: Executor, subject: DataSubject) -> int:
        """The tenant's step drafts holding a value of the subject (in any workflow: a draft
        may name someone its workflow's log does not)."""
        drafts = await self._drafts.of_tenant(conn, subject.tenant_id)
        if not drafts:
            return 0
        plans = await self._plans(conn, list({d.workflow_id for d in drafts}))
        naming: dict[uuid.UUID, list[str]] = {}
        for draft in drafts:
            plan = plans.get(draft.workflow_id, {}).get(draft.step_id, NOTHING)
            if _names(draft, subject, plan):
                naming.setdefault(draft.workflow_id, []).append(draft.step_id)
        for workflow_id, step_ids in naming.items():
            await self._drafts.discard(conn, workflow_id, step_ids)
        return sum(len(step_ids) for step_ids in naming.values())

    async def _plans(
        self, conn: Executor, workflow_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, Mapping[str, FieldPlan]]:
        rows = await self._index.by_ids(conn, workflow_ids)
        records = await self._templates.by_ids(conn, list({r.template_id for r in rows.values()}))
        plans = {t: definition_plans(r.template.definition()) for t, r in records.items()}
        return {w: plans.get(row.template_id, {}) for w, row in rows.items()}


def _names(draft: StepDraft, subject: DataSubject, plan: FieldPlan) -> bool:
    instance = str(draft.workflow_id)
    return any(
        value.subject_id(subject.tenant_id, instance) == subject.id
        for value in personal_values(draft.data, plan)
    )
