"""A data subject's export: everything the platform holds about a person, as one JSON archive
(market operations, on the person's request; audited).

The workflows naming the subject are those where it has a key. Their events and steps are
read as MongoDB holds them (tokens), and only the subject's own tokens are opened: another
person's value in the same workflow reads `[other subject]`, an erased value `[erased]`.
With them: the subject's user account in the tenant (found by the e-mail address the
subject's values hold), the audit entries of that user, and the files that user uploaded or
that are attached to a step naming the subject (their metadata: the bytes are downloaded on
their own)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from wfm_engine import Event, InstanceState
from wfm_engine.personal import replace_tokens, tokens_in
from wfm_privacy.subjects import DataSubject, subject_of
from wfm_shared.authorization import Permission, authorize
from wfm_shared.clock import Clock
from wfm_shared.personal_data import (
    ERASED,
    OTHER_SUBJECT,
    SubjectCipher,
    TokenUnreadable,
    open_key,
    subject_id_for,
    token_key_id,
)
from wfm_shared.principal import Principal
from wfm_shared.sealing import SecretBox
from wfm_storage.postgres import Database
from wfm_storage.protocols import EventLog, InstanceDocumentStore
from wfm_storage.records import InstanceIndexRow, User
from wfm_storage.repositories.audit import AuditEntry, AuditFilter, AuditLog
from wfm_storage.repositories.files import FileRecord
from wfm_storage.repositories.instance_index import InstanceIndex
from wfm_storage.repositories.subject_keys import SubjectKey, SubjectKeys
from wfm_storage.repositories.templates import TemplateRepository
from wfm_storage.repositories.users import UserFilter, UserRepository

EXPORTED_ACTION = "privacy.subject_exported"
SUBJECT_TARGET = "data_subject"
AUDIT_BATCH = 500
# what an export says of a token its key no longer opens (altered, or sealed elsewhere)
UNREADABLE = "[unreadable]"


class FileLists(Protocol):
    """The files an export lists (wfm_documents.files.FileService)."""

    async def for_uploader(
        self, principal: Principal, tenant_id: uuid.UUID, user_id: uuid.UUID
    ) -> list[FileRecord]: ...

    async def for_workflows(
        self, principal: Principal, workflow_ids: Sequence[uuid.UUID]
    ) -> list[FileRecord]: ...


def ciphers_of(keys: Iterable[SubjectKey], box: SecretBox) -> dict[uuid.UUID, SubjectCipher | None]:
    """Each key's cipher by key id (None: the key is erased)."""
    return {
        key.id: None
        if key.sealed_key is None
        else SubjectCipher(key.id, open_key(box, key.sealed_key))
        for key in keys
    }


@dataclass
class Disclosure:
    """Opens the subject's own tokens, and nobody else's."""

    ciphers: Mapping[uuid.UUID, SubjectCipher | None]  # key id -> cipher (None: erased)
    tenant_id: uuid.UUID
    subject_id: uuid.UUID
    emails: dict[str, None] = field(default_factory=dict)  # the subject's, as found

    def names(self, value: Any) -> bool:
        """Whether `value` holds a value of the subject (erased or not)."""
        return any(token_key_id(t) in self.ciphers for t in tokens_in(value))

    def shown(self, value: Any) -> Any:
        return replace_tokens(value, self._opened)

    def _opened(self, token: str) -> Any:
        key_id = token_key_id(token)
        if key_id is None or key_id not in self.ciphers:
            return OTHER_SUBJECT
        cipher = self.ciphers[key_id]
        if cipher is None:
            return ERASED
        try:
            value = cipher.open(token)
        except TokenUnreadable:
            return UNREADABLE
        if isinstance(value, str) and subject_id_for(self.tenant_id, value) == self.subject_id:
            self.emails[value.strip().lower()] = None
        return value


class ExportService:
    def __init__(
        self,
        db: Database,
        *,
        keys: SubjectKeys,
        index: InstanceIndex,
        templates: TemplateRepository,
        users: UserRepository,
        audit: AuditLog,
        events: EventLog,
        documents: InstanceDocumentStore,
        files: FileLists | None,
        box: SecretBox,
        clock: Clock,
    ) -> None:
        """`events`, `documents`: the stores as MongoDB holds them (tokens unrevealed).
        `files`: the attachments (None: none are listed)."""
        self._db = db
        self._keys = keys
        self._index = index
        self._templates = templates
        self._users = users
        self._audit = audit
        self._events = events
        self._documents = documents
        self._files = files
        self._box = box
        self._clock = clock

    async def export_subject(self, principal: Principal, subject_id: uuid.UUID) -> dict[str, Any]:
        """The archive. NOT_FOUND: no workflow ever named the subject."""
        authorize(principal, Permission.PRIVACY_MANAGE)
        async with self._db.transaction(principal) as conn:
            subject = await subject_of(conn, self._keys, subject_id)
            rows = await self._index.by_ids(conn, subject.workflow_ids)
            records = await self._templates.by_ids(
                conn, list({row.template_id for row in rows.values()})
            )
        disclosure = Disclosure(ciphers_of(subject.keys, self._box), subject.tenant_id, subject.id)
        instances = subject.instance_ids
        events = await self._events.for_instances(principal, instances)
        documents = await self._documents.by_ids(principal, instances)
        workflows = []
        naming_steps: set[tuple[uuid.UUID, str]] = set()
        for instance in instances:
            row = rows.get(uuid.UUID(instance))
            if row is None:
                continue
            record = records.get(row.template_id)
            shown = self._workflow(
                subject,
                row,
                record.version if record else None,
                events.get(instance, []),
                documents.get(instance),
                disclosure,
            )
            naming_steps |= {(row.id, s["stepId"]) for s in shown["steps"]}
            naming_steps |= {(row.id, e["stepId"]) for e in shown["events"] if e["stepId"]}
            workflows.append(shown)
        user = await self._user(principal, subject, disclosure)
        archive = {
            "subjectId": str(subject.id),
            "tenantId": str(subject.tenant_id),
            "generatedAt": _iso(self._clock.now()),
            "erasedAt": _iso(subject.erased_at),
            "emails": sorted(disclosure.emails),
            "workflows": workflows,
            "user": None if user is None else _user_json(user),
            "auditEntries": await self._entries_by(principal, user),
            "files": await self._files_json(principal, subject, user, naming_steps),
        }
        async with self._db.transaction(principal) as conn:
            await self._audit.append(
                conn,
                principal=principal,
                tenant_id=subject.tenant_id,
                action=EXPORTED_ACTION,
                target_type=SUBJECT_TARGET,
                target_id=str(subject.id),
                details={
                    "subjectId": str(subject.id),
                    "workflowIds": [w["workflowId"] for w in workflows],
                    "events": sum(len(w["events"]) for w in workflows),
                },
            )
        return archive

    def _workflow(
        self,
        subject: DataSubject,
        row: InstanceIndexRow,
        template_version: int | None,
        events: Sequence[Event],
        document: InstanceState | None,
        disclosure: Disclosure,
    ) -> dict[str, Any]:
        keys = [k for k in subject.keys if k.instance_id == row.mongo_id]
        steps = []
        if document is not None:
            for step_id, step in document.step_states.items():
                if disclosure.names(step.data):
                    steps.append(
                        {
                            "stepId": step_id,
                            "status": step.status.value,
                            "completedAt": _iso(step.completed_at),
                            "data": disclosure.shown(step.data),
                        }
                    )
        return {
            "workflowId": str(row.id),
            "templateKey": row.template_key,
            "templateVersion": template_version,
            "marketRole": row.market_role,
            "status": row.status,
            "createdAt": _iso(row.created_at),
            "erasedAt": _iso(
                max((k.erased_at for k in keys if k.erased_at), default=None)
                if all(k.erased for k in keys)
                else None
            ),
            "steps": steps,
            "events": [
                {
                    "seq": event.seq,
                    "type": event.type.value,
                    "stepId": event.step_id,
                    "occurredAt": _iso(event.occurred_at),
                    "performedBy": event.performed_by,
                    "data": disclosure.shown(event.data),
                }
                for event in events
                if disclosure.names(event.data)
            ],
        }

    async def _user(
        self, principal: Principal, subject: DataSubject, disclosure: Disclosure
    ) -> User | None:
        """The tenant's user with the subject's e-mail address, if there is one."""
        for email in disclosure.emails:
            async with self._db.transaction(principal) as conn:
                page = await self._users.page(
                    conn,
                    UserFilter(search=email, tenant_id=subject.tenant_id),
                    first=20,
                    after=None,
                )
            for user in page.users:
                if user.email.strip().lower() == email:
                    return user
        return None

    async def _entries_by(self, principal: Principal, user: User | None) -> list[dict[str, Any]]:
        if user is None:
            return []
        async with self._db.transaction(principal) as conn:
            return [
                _entry_json(entry)
                async for entry in self._audit.stream(
                    conn, AuditFilter(actor_id=user.id), batch_size=AUDIT_BATCH
                )
            ]

    async def _files_json(
        self,
        principal: Principal,
        subject: DataSubject,
        user: User | None,
        naming_steps: set[tuple[uuid.UUID, str]],
    ) -> dict[str, list[dict[str, Any]]]:
        if self._files is None:
            return {"uploaded": [], "attached": []}
        uploaded = (
            await self._files.for_uploader(principal, subject.tenant_id, user.id) if user else []
        )
        attached = [
            record
            for record in await self._files.for_workflows(principal, subject.workflow_ids)
            if (record.workflow_id, record.step_id) in naming_steps
        ]
        return {
            "uploaded": [_file_json(r) for r in uploaded],
            "attached": [_file_json(r) for r in attached],
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _user_json(user: User) -> dict[str, Any]:
    return {
        "id": str(user.id),
        "email": user.email,
        "role": user.role,
        "status": user.status,
        "displayName": user.display_name,
        "createdAt": _iso(user.created_at),
    }


def _entry_json(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "occurredAt": _iso(entry.occurred_at),
        "action": entry.action,
        "outcome": entry.outcome,
        "objectType": entry.target_type,
        "objectId": entry.target_id,
        "clientAddress": entry.client_address,
        "details": entry.details,
    }


def _file_json(record: FileRecord) -> dict[str, Any]:
    return {
        "id": str(record.id),
        "workflowId": str(record.workflow_id),
        "stepId": record.step_id,
        "name": record.name,
        "contentType": record.content_type,
        "size": record.size_bytes,
        "sha256": record.sha256,
        "status": str(record.status),
        "uploadedBy": str(record.uploaded_by),
        "uploadedAt": _iso(record.uploaded_at),
        "deletedAt": _iso(record.deleted_at),
    }
