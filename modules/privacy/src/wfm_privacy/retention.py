"""Retention of finished workflows: how long a completed or cancelled workflow keeps the
personal data in it, and the sweep that erases it once that time is up.

The period of a workflow is the most specific that applies (`wfm_storage.repositories.
retention`): its tenant's policy for its template, else its tenant's policy for every
template, else its template's default (`retention: {afterDays}`), else none: kept. Market
operations set and remove a tenant's policies; every role reads its own tenant's.

The sweep (`sweep`, run by the worker every `retention_interval_seconds` and by
`wfm privacy retention`), for each finished workflow past its period that it has not swept:
deletes its files (`FileService.delete_for_workflows`), replaces its personal values in the
copies PostgreSQL keeps of them (`wfm_privacy.copies`: read with its keys first), erases its
subject keys (every personal value of it, in the log and the documents, reads `[erased]`
from then on; the log itself is never rewritten), deletes its step drafts, and stamps its index row
(`personal_data_erased_at`), which takes it out of every later sweep. Each batch ends with
one audit entry, `privacy.retention_swept`, naming the workflows and the counts: the fact,
never the data. One sweep runs at a time across every process (an advisory lock: a second
one finds it taken and does nothing); every step is idempotent, so a sweep that stopped
half-way is finished by the next one."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from wfm_documents.files import FileService
from wfm_engine.definitions import RETENTION_MAX_DAYS, RETENTION_MIN_DAYS
from wfm_engine.template import KEY_PATTERN
from wfm_privacy.copies import CopyScrubber
from wfm_shared.authorization import Permission, authorize
from wfm_shared.clock import Clock
from wfm_shared.errors import FieldError, NotFound, ValidationFailed
from wfm_shared.logging import get_logger
from wfm_shared.principal import Principal, system_principal
from wfm_storage.postgres import Database, Executor
from wfm_storage.repositories.audit import AuditLog
from wfm_storage.repositories.retention import DueWorkflow, RetentionPolicy, RetentionRepository
from wfm_storage.repositories.step_drafts import StepDraftRepository
from wfm_storage.repositories.subject_keys import SubjectKey, SubjectKeys
from wfm_storage.repositories.templates import TemplateRepository
from wfm_storage.repositories.tenants import TenantRepository

log = get_logger("wfm.retention")

SWEPT = "privacy.retention_swept"
POLICY_SET = "privacy.retention_policy_set"
POLICY_REMOVED = "privacy.retention_policy_removed"
# workflows per transaction (and per audit entry) of a sweep
SWEEP_BATCH = 200
# one sweep at a time, whichever process runs it (pg_try_advisory_xact_lock's key)
SWEEP_LOCK = "wfm.retention_sweep"
TEMPLATE_KEY = re.compile(KEY_PATTERN)


@dataclass(frozen=True)
class SweptWorkflow:
    """A workflow the sweep erased (or, in a dry run, would erase), and how much of it."""

    workflow_id: uuid.UUID
    tenant_id: uuid.UUID
    template_key: str
    status: str  # COMPLETED or CANCELLED
    finished_at: datetime
    after_days: int
    # where the period comes from: template, tenant (every template), tenant-template
    source: str
    keys_erased: int
    files_deleted: int
    drafts_deleted: int
    # rows of PostgreSQL (webhook deliveries and attempts, notifications) whose copies of its
    # personal values now read [erased]
    copies_scrubbed: int

    def as_json(self) -> dict[str, object]:
        return {
            "workflowId": str(self.workflow_id),
            "tenantId": str(self.tenant_id),
            "templateKey": self.template_key,
            "status": self.status,
            "finishedAt": self.finished_at.isoformat(),
            "afterDays": self.after_days,
            "source": self.source,
            "keysErased": self.keys_erased,
            "filesDeleted": self.files_deleted,
            "draftsDeleted": self.drafts_deleted,
            "copiesScrubbed": self.copies_scrubbed,
        }


@dataclass(frozen=True)
class RetentionReport:
    at: datetime  # the moment the periods were measured to
    dry_run: bool  # True: what a sweep would do; nothing was changed
    workflows: list[SweptWorkflow] = field(default_factory=list)
    # another sweep held the lock: this one did nothing
    skipped: bool = False

    @property
    def keys_erased(self) -> int:
        return sum(w.keys_erased for w in self.workflows)

    @property
    def files_deleted(self) -> int:
        return sum(w.files_deleted for w in self.workflows)

    @property
    def drafts_deleted(self) -> int:
        return sum(w.drafts_deleted for w in self.workflows)

    @property
    def copies_scrubbed(self) -> int:
        return sum(w.copies_scrubbed for w in self.workflows)

    def as_json(self) -> dict[str, object]:
        return {
            "at": self.at.isoformat(),
            "dryRun": self.dry_run,
            "skipped": self.skipped,
            "workflows": [w.as_json() for w in self.workflows],
            "keysErased": self.keys_erased,
            "filesDeleted": self.files_deleted,
            "draftsDeleted": self.drafts_deleted,
            "copiesScrubbed": self.copies_scrubbed,
        }


def policy_problems(template_key: str | None, after_days: int) -> list[FieldError]:
    problems = []
    if template_key is not None and not TEMPLATE_KEY.fullmatch(template_key):
        problems.append(FieldError(("templateKey",), "is not a template key"))
    if not RETENTION_MIN_DAYS <= after_days <= RETENTION_MAX_DAYS:
        problems.append(
            FieldError(
                ("afterDays",),
                f"must be between {RETENTION_MIN_DAYS} and {RETENTION_MAX_DAYS} days",
            )
        )
    return problems


class RetentionService:
    def __init__(
        self,
        db: Database,
        *,
        retention: RetentionRepository,
        subject_keys: SubjectKeys,
        files: FileService,
        drafts: StepDraftRepository,
        tenants: TenantRepository,
        templates: TemplateRepository,
        audit: AuditLog,
        copies: CopyScrubber,
        clock: Clock,
        batch_size: int = SWEEP_BATCH,
    ) -> None:
        self._db = db
        self._retention = retention
        self._keys = subject_keys
        self._files = files
        self._drafts = drafts
        self._tenants = tenants
        self._templates = templates
        self._audit = audit
        self._copies = copies
        self._clock = clock
        self._batch_size = batch_size
        self._platform = system_principal()

    # -- policies ----------------------------------------------------------------------------

    async def policies(self, principal: Principal, tenant_id: uuid.UUID) -> list[RetentionPolicy]:
        """The tenant's policies (a tenant role: its own tenant's)."""
        authorize(principal, Permission.TENANTS_READ)
        async with self._db.transaction(principal) as conn:
            await self._require_tenant(conn, tenant_id)
            return await self._retention.policies(conn, tenant_id)

    async def set_policy(
        self,
        principal: Principal,
        tenant_id: uuid.UUID,
        template_key: str | None,
        after_days: int,
    ) -> RetentionPolicy:
        """Keep the tenant's finished workflows of `template_key` (None: of every template)
        `after_days` days, in place of the period they had."""
        authorize(principal, Permission.RETENTION_MANAGE)
        problems = policy_problems(template_key, after_days)
        async with self._db.transaction(principal) as conn:
            await self._require_tenant(conn, tenant_id)
            if problems:
                raise ValidationFailed("the retention policy is not valid", problems)
            if template_key is not None and not await self._templates.versions(conn, template_key):
                raise ValidationFailed(
                    "the retention policy is not valid",
                    [FieldError(("templateKey",), f"no template has the key {template_key!r}")],
                )
            before = {p.template_key: p for p in await self._retention.policies(conn, tenant_id)}
            policy = await self._retention.put(
                conn,
                tenant_id,
                template_key,
                after_days,
                at=self._clock.now(),
                by=principal.user_id,
            )
            previous = before.get(template_key)
            await self._audit_policy(
                conn,
                principal,
                POLICY_SET,
                policy,
                {"previousAfterDays": previous.after_days if previous else None},
            )
        return policy

    async def remove_policy(
        self, principal: Principal, tenant_id: uuid.UUID, template_key: str | None
    ) -> RetentionPolicy:
        """Remove the tenant's policy for `template_key` (None: for every template): the
        next one that applies takes over. NotFound when there is none."""
        authorize(principal, Permission.RETENTION_MANAGE)
        async with self._db.transaction(principal) as conn:
            await self._require_tenant(conn, tenant_id)
            removed = await self._retention.delete(conn, tenant_id, template_key)
            if removed is None:
                raise NotFound("retention policy", template_key or "(every template)")
            await self._audit_policy(conn, principal, POLICY_REMOVED, removed, {})
        return removed

    # -- the sweep ---------------------------------------------------------------------------

    async def sweep(self, now: datetime | None = None, *, dry_run: bool = False) -> RetentionReport:
        """Erase the personal data of every finished workflow past its period at `now` (the
        clock's time by default); with `dry_run`, only report what that would erase."""
        at = now or self._clock.now()
        if dry_run:
            return RetentionReport(at, True, await self._preview(at))
        async with self._db.transaction(self._platform) as lock:
            if not await lock.fetchval(
                "SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0))", SWEEP_LOCK
            ):
                log.info("retention_sweep_skipped", reason="another sweep is running")
                return RetentionReport(at, False, skipped=True)
            swept: list[SweptWorkflow] = []
            while True:
                # each batch leaves its workflows stamped: the next one reads the rest
                due = await self._retention.due(lock, at, limit=self._batch_size)
                if not due:
                    break
                swept += await self._erase(due, at)
        if swept:
            log.info("retention_swept", workflows=len(swept))
        return RetentionReport(at, False, swept)

    async def _erase(self, due: list[DueWorkflow], at: datetime) -> list[SweptWorkflow]:
        # the files first, each in its own transaction (their bytes are in MongoDB); were the
        # batch's transaction to fail after, the next sweep finds them gone and goes on
        files = {
            workflow.id: await self._files.delete_for_workflows(self._platform, [workflow.id])
            for workflow in due
        }
        async with self._db.transaction(self._platform) as conn:
            # the copies first: their values are read with the keys about to be destroyed
            held = await self._keys.for_instances(conn, [w.mongo_id for w in due])
            copies = {w.id: await self._scrub(conn, w, held, apply=True) for w in due}
            keys = {
                workflow.id: await self._keys.erase_instances(
                    conn, [workflow.mongo_id], at=at, reason=_reason(workflow)
                )
                for workflow in due
            }
            drafts = await self._drafts.discard_for_workflows(conn, [w.id for w in due])
            await self._retention.mark_erased(conn, [w.id for w in due], at)
            swept = [
                _swept(
                    w,
                    keys=keys[w.id],
                    files=files[w.id],
                    drafts=drafts.get(w.id, 0),
                    copies=copies[w.id],
                )
                for w in due
            ]
            await self._audit.append(
                conn,
                principal=self._platform,
                tenant_id=None,
                action=SWEPT,
                target_type="retention_sweep",
                target_id=str(uuid.uuid4()),
                details={
                    "at": at.isoformat(),
                    "workflows": [
                        {
                            "workflowId": str(w.workflow_id),
                            "tenantId": str(w.tenant_id),
                            "templateKey": w.template_key,
                            "status": w.status,
                            "afterDays": w.after_days,
                            "keysErased": w.keys_erased,
                            "filesDeleted": w.files_deleted,
                            "draftsDeleted": w.drafts_deleted,
                            "copiesScrubbed": w.copies_scrubbed,
                        }
                        for w in swept
                    ],
                    "keysErased": sum(w.keys_erased for w in swept),
                    "filesDeleted": sum(w.files_deleted for w in swept),
                    "draftsDeleted": sum(w.drafts_deleted for w in swept),
                    "copiesScrubbed": sum(w.copies_scrubbed for w in swept),
                },
            )
        return swept

    async def _preview(self, at: datetime) -> list[SweptWorkflow]:
        """What a sweep at `at` would erase, counted from what is there now."""
        preview: list[SweptWorkflow] = []
        after: tuple[datetime, uuid.UUID] | None = None
        while True:
            async with self._db.transaction(self._platform) as conn:
                due = await self._retention.due(conn, at, limit=self._batch_size, after=after)
                if not due:
                    return preview
                ids = [w.id for w in due]
                keys = await self._keys.for_instances(conn, [w.mongo_id for w in due])
                drafts = await self._drafts.for_workflows(conn, ids)
                copies = {w.id: await self._scrub(conn, w, keys, apply=False) for w in due}
            files = await self._files.for_workflows(self._platform, ids)
            live_keys: dict[str, int] = {}
            for key in keys:
                if key.erased_at is None:
                    live_keys[key.instance_id] = live_keys.get(key.instance_id, 0) + 1
            live_files: dict[uuid.UUID, int] = {}
            for file in files:
                if file.deleted_at is None:
                    live_files[file.workflow_id] = live_files.get(file.workflow_id, 0) + 1
            preview += [
                _swept(
                    w,
                    keys=live_keys.get(w.mongo_id, 0),
                    files=live_files.get(w.id, 0),
                    drafts=len(drafts.get(w.id, [])),
                    copies=copies[w.id],
                )
                for w in due
            ]
            after = (due[-1].finished_at, due[-1].id)

    # -- helpers -----------------------------------------------------------------------------

    async def _scrub(
        self, conn: Executor, workflow: DueWorkflow, keys: list[SubjectKey], *, apply: bool
    ) -> int:
        """Replace the workflow's personal values (every subject's, as its live keys open
        them) in PostgreSQL's copies of it; the rows rewritten (or, not `apply`, to be)."""
        values = await self._copies.values_under(
            self._platform, [k for k in keys if k.instance_id == workflow.mongo_id]
        )
        scrubbed = await self._copies.scrub(
            conn, workflow.tenant_id, [workflow.id], values, apply=apply
        )
        return scrubbed.total

    async def _require_tenant(self, conn: Executor, tenant_id: uuid.UUID) -> None:
        # another tenant's id answers like an unknown one: row-level security hides it
        if await self._tenants.get(conn, tenant_id) is None:
            raise NotFound("tenant", tenant_id)

    async def _audit_policy(
        self,
        conn: Executor,
        principal: Principal,
        action: str,
        policy: RetentionPolicy,
        extra: dict[str, object],
    ) -> None:
        await self._audit.append(
            conn,
            principal=principal,
            tenant_id=policy.tenant_id,
            action=action,
            target_type="retention_policy",
            target_id=f"{policy.tenant_id}/{policy.template_key or '*'}",
            details={"templateKey": policy.template_key, "afterDays": policy.after_days, **extra},
        )


def _reason(workflow: DueWorkflow) -> str:
    return (
        f"retention: {workflow.status.lower()} on {workflow.finished_at.date().isoformat()}, "
        f"kept {workflow.after_days} days ({workflow.source} policy)"
    )


def _swept(
    workflow: DueWorkflow, *, keys: int, files: int, drafts: int, copies: int
) -> SweptWorkflow:
    return SweptWorkflow(
        workflow_id=workflow.id,
        tenant_id=workflow.tenant_id,
        template_key=workflow.template_key,
        status=workflow.status,
        finished_at=workflow.finished_at,
        after_days=workflow.after_days,
        source=workflow.source,
        keys_erased=keys,
        files_deleted=files,
        drafts_deleted=drafts,
        copies_scrubbed=copies,
    )
