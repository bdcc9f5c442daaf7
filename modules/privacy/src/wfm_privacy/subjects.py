"""Data subjects: the people named in workflow data (wfm_shared.personal_data), as their keys
tell of them. Market operations look one up by tenant and e-mail address."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from wfm_shared.authorization import Permission, authorize
from wfm_shared.documents import text_problem
from wfm_shared.errors import FieldError, NotFound, ValidationFailed
from wfm_shared.personal_data import normalized_email, subject_id_for
from wfm_shared.principal import Principal
from wfm_storage.postgres import Database, Executor
from wfm_storage.repositories.subject_keys import SubjectKey, SubjectKeys
from wfm_storage.repositories.tenants import TenantRepository

EMAIL_MAX_LENGTH = 254


@dataclass(frozen=True)
class DataSubject:
    """A person named in a tenant's workflows: in which, and whether their data is erased."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    keys: tuple[SubjectKey, ...]

    @property
    def instance_ids(self) -> list[str]:
        """The workflows naming the subject (MongoDB ids), in the order they first did."""
        return list(dict.fromkeys(key.instance_id for key in self.keys))

    @property
    def workflow_ids(self) -> list[uuid.UUID]:
        return [uuid.UUID(i) for i in self.instance_ids]

    @property
    def erased_at(self) -> datetime | None:
        """When the subject's data was last erased, once every key is (None: some is live)."""
        if any(not key.erased for key in self.keys):
            return None
        return max(key.erased_at for key in self.keys if key.erased_at is not None)


async def subject_of(conn: Executor, keys: SubjectKeys, subject_id: uuid.UUID) -> DataSubject:
    """The subject with its keys; NOT_FOUND when no workflow ever named it."""
    found = await keys.for_subject(conn, subject_id)
    if not found:
        raise NotFound("data subject", subject_id)
    return DataSubject(subject_id, found[0].tenant_id, tuple(found))


def email_problems(email: str) -> list[FieldError]:
    problem = text_problem(email)
    if problem:
        return [FieldError(("email",), problem)]
    address = normalized_email(email)
    if not 3 <= len(address) <= EMAIL_MAX_LENGTH or "@" not in address:
        return [
            FieldError(
                ("email",), f"must be an e-mail address of {EMAIL_MAX_LENGTH} characters at most"
            )
        ]
    return []


class DataSubjectService:
    def __init__(self, db: Database, *, keys: SubjectKeys, tenants: TenantRepository) -> None:
        self._db = db
        self._keys = keys
        self._tenants = tenants

    async def find(
        self, principal: Principal, tenant_id: uuid.UUID, email: str
    ) -> DataSubject | None:
        """The subject an e-mail address names in a tenant; None: no workflow names it."""
        authorize(principal, Permission.PRIVACY_MANAGE)
        problems = email_problems(email)
        if problems:
            raise ValidationFailed("the e-mail address is not valid", problems)
        async with self._db.transaction(principal) as conn:
            # an archived tenant's people are held all the same: they may be asked for
            found = await self._tenants.by_ids(conn, [tenant_id], include_archived=True)
            if tenant_id not in found:
                raise NotFound("tenant", tenant_id)
            try:
                return await subject_of(conn, self._keys, subject_id_for(tenant_id, email))
            except NotFound:
                return None

    async def get(self, principal: Principal, subject_id: uuid.UUID) -> DataSubject:
        authorize(principal, Permission.PRIVACY_MANAGE)
        async with self._db.transaction(principal) as conn:
            return await subject_of(conn, self._keys, subject_id)
