"""Tenant secrets: values a tenant's actions use (an ERP's API key). A tenant's administrators
(or market operations, for any tenant) set, replace and delete them and list their names and
dates; no API reads a value back: only the platform opens one (`reveal`, for the worker's
steps). Values are sealed under the keyring of the settings (wfm_shared.sealing); every change
is audited by name, never by value.

`rotate_key` reseals every tenant secret and webhook signing secret under the keyring's first
key (and seals the signing secrets stored in plaintext before migration 0017), and the keys of
personal data (migration 0021)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from wfm_shared.authorization import Permission, authorize
from wfm_shared.clock import Clock
from wfm_shared.errors import FieldError, NotFound, ValidationFailed
from wfm_shared.limits import SECRET_NAME_PATTERN, SECRET_VALUE_MAX_BYTES, SECRETS_PER_TENANT_MAX
from wfm_shared.principal import Principal, system_principal
from wfm_shared.sealing import SealedWithUnknownKey, SecretBox
from wfm_storage.postgres import Database, Executor
from wfm_storage.repositories.audit import AuditLog
from wfm_storage.repositories.secrets import SealedSecret, TenantSecret, TenantSecretRepository
from wfm_storage.repositories.subject_keys import SubjectKeys
from wfm_storage.repositories.tenants import TenantRepository
from wfm_storage.repositories.triggers import TriggerRepository
from wfm_storage.repositories.webhooks import StoredSigningSecret, WebhookRepository

SECRET_NAME = re.compile(SECRET_NAME_PATTERN)
# rows resealed per transaction: a rotation never holds many rows at once
ROTATION_BATCH = 200
# a stored secret as a rotation reads it
Row = TypeVar("Row")
# a webhook trigger's (id, sealed signing secret)
SealedTriggerSecret = tuple[uuid.UUID, str]
# a personal data key's (id, sealed material)
SealedSubjectKey = tuple[uuid.UUID, bytes]


def name_problems(name: str) -> list[FieldError]:
    if not SECRET_NAME.fullmatch(name):
        return [
            FieldError(
                ("name",),
                "must start with a letter and hold only letters, digits and underscores, "
                "64 characters at most",
            )
        ]
    return []


def value_problems(value: str) -> list[FieldError]:
    """What is wrong with a value; a problem never quotes it."""
    try:
        size = len(value.encode())
    except UnicodeEncodeError:  # a lone surrogate, from JSON's \\ud800
        return [FieldError(("value",), "must be Unicode text")]
    if size == 0:
        return [FieldError(("value",), "must not be empty")]
    if size > SECRET_VALUE_MAX_BYTES:
        return [FieldError(("value",), f"must be at most {SECRET_VALUE_MAX_BYTES} bytes (UTF-8)")]
    return []


@dataclass
class Resealed:
    """What a rotation did to one kind of secret."""

    resealed: int = 0  # moved under the first key (or sealed, a plaintext signing secret)
    current: int = 0  # under the first key already
    changed_meanwhile: int = 0  # rewritten by the API while the rotation ran: left as written
    # what no key of the keyring opens (sealed under a key dropped too early), left as it is
    unreadable: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RotationReport:
    tenant_secrets: Resealed
    webhook_secrets: Resealed
    trigger_secrets: Resealed
    subject_keys: Resealed = field(default_factory=Resealed)  # personal data's keys


class SecretService:
    def __init__(
        self,
        db: Database,
        *,
        secrets: TenantSecretRepository,
        tenants: TenantRepository,
        webhooks: WebhookRepository,
        triggers: TriggerRepository,
        subject_keys: SubjectKeys,
        audit: AuditLog,
        box: SecretBox,
        clock: Clock,
    ) -> None:
        self._db = db
        self._secrets = secrets
        self._tenants = tenants
        self._webhooks = webhooks
        self._triggers = triggers
        self._subject_keys = subject_keys
        self._audit_log = audit
        self._box = box
        self._clock = clock
        self._platform = system_principal()

    async def set(
        self, principal: Principal, tenant_id: uuid.UUID | None, name: str, value: str
    ) -> TenantSecret:
        """Create the secret, or replace its value."""
        authorize(principal, Permission.SECRETS_MANAGE)
        tenant_id = _tenant_of(principal, tenant_id)
        problems = [*name_problems(name), *value_problems(value)]
        async with self._db.transaction(principal) as conn:
            # which tenant first: another tenant's id answers like an unknown one, whatever else
            await self._require_tenant(conn, tenant_id)
            if problems:
                raise ValidationFailed("the secret is not valid", problems)
            names = {s.name for s in await self._secrets.of_tenant(conn, tenant_id)}
            # a bound on what one tenant keeps (concurrent creations may pass it by a few)
            if name not in names and len(names) >= SECRETS_PER_TENANT_MAX:
                raise ValidationFailed(
                    "the tenant keeps too many secrets",
                    [
                        FieldError(
                            ("name",),
                            f"a tenant keeps at most {SECRETS_PER_TENANT_MAX} secrets: "
                            "delete one first",
                        )
                    ],
                )
            sealed = self._box.seal(value)
            secret, created = await self._secrets.put(
                conn, tenant_id, name, sealed, by=principal.user_id, at=self._clock.now()
            )
            action = "SECRET_CREATED" if created else "SECRET_UPDATED"
            await self._audit(conn, principal, action, secret)
        return secret

    async def delete(
        self, principal: Principal, tenant_id: uuid.UUID | None, name: str
    ) -> TenantSecret:
        """Remove a secret; returns what was removed."""
        authorize(principal, Permission.SECRETS_MANAGE)
        tenant_id = _tenant_of(principal, tenant_id)
        async with self._db.transaction(principal) as conn:
            await self._require_tenant(conn, tenant_id)
            removed = await self._secrets.delete(conn, tenant_id, name)
            if removed is None:
                raise NotFound("secret", name)
            await self._audit(conn, principal, "SECRET_DELETED", removed)
        return removed

    async def list(self, principal: Principal, tenant_id: uuid.UUID | None) -> list[TenantSecret]:
        """A tenant's secrets by name: names and dates only."""
        authorize(principal, Permission.SECRETS_MANAGE)
        tenant_id = _tenant_of(principal, tenant_id)
        async with self._db.transaction(principal) as conn:
            await self._require_tenant(conn, tenant_id)
            return await self._secrets.of_tenant(conn, tenant_id)

    # -- the platform's own use (the worker): never reachable from the API -----------------

    async def reveal(self, tenant_id: uuid.UUID, names: Iterable[str]) -> dict[str, str]:
        """The values of those of `names` the tenant has (a name it has not is absent).
        SealedWithUnknownKey: a value was sealed under a key no longer in the keyring."""
        wanted = [name for name in dict.fromkeys(names) if SECRET_NAME.fullmatch(name)]
        if not wanted:
            return {}
        async with self._db.transaction(self._platform) as conn:
            sealed = await self._secrets.sealed_values(conn, tenant_id, wanted)
        return {name: self._box.open(value) for name, value in sealed.items()}

    async def rotate_key(self) -> RotationReport:
        """Reseal every tenant secret and signing secret (webhook subscriptions', webhook
        triggers') under the first key of the
        keyring, a batch per transaction; idempotent. A value the API rewrites meanwhile is
        left as the API sealed it (with its own keyring: give every process the new keyring
        before rotating); a value no key opens is left as it is, and reported."""
        return RotationReport(
            tenant_secrets=await self._reseal_tenant_secrets(),
            webhook_secrets=await self._reseal_signing_secrets(),
            trigger_secrets=await self._reseal_trigger_secrets(),
            subject_keys=await self._reseal_subject_keys(),
        )

    async def _reseal_tenant_secrets(self) -> Resealed:
        async def page(conn: Executor, last: SealedSecret | None) -> list[SealedSecret]:
            after = (last.tenant_id, last.name) if last is not None else None
            return await self._secrets.sealed_page(conn, after=after, limit=ROTATION_BATCH)

        return await self._reseal_all(
            page,
            lambda stored: self._moved_to_first_key(stored.sealed_value),
            self._secrets.replace_sealed,
            lambda stored: f"tenant {stored.tenant_id} secret {stored.name}",
        )

    async def _reseal_signing_secrets(self) -> Resealed:
        async def page(
            conn: Executor, last: StoredSigningSecret | None
        ) -> list[StoredSigningSecret]:
            after = last.id if last is not None else None
            return await self._webhooks.signing_secrets_page(
                conn, after=after, limit=ROTATION_BATCH
            )

        def resealed(stored: StoredSigningSecret) -> str | None:
            if stored.sealed_secret is None:  # stored in plaintext before 0017
                assert stored.secret is not None
                return self._box.seal(stored.secret)
            return self._moved_to_first_key(stored.sealed_secret)

        return await self._reseal_all(
            page,
            resealed,
            self._webhooks.replace_signing_secret,
            lambda stored: f"webhook subscription {stored.id}",
        )

    async def _reseal_trigger_secrets(self) -> Resealed:
        async def page(
            conn: Executor, last: SealedTriggerSecret | None
        ) -> list[SealedTriggerSecret]:
            after = last[0] if last is not None else None
            return await self._triggers.signing_secrets_page(
                conn, after=after, limit=ROTATION_BATCH
            )

        async def replace(conn: Executor, stored: SealedTriggerSecret, resealed: str) -> bool:
            trigger_id, sealed = stored
            return await self._triggers.replace_signing_secret(conn, trigger_id, sealed, resealed)

        return await self._reseal_all(
            page,
            lambda stored: self._moved_to_first_key(stored[1]),
            replace,
            lambda stored: f"webhook trigger {stored[0]}",
        )

    async def _reseal_subject_keys(self) -> Resealed:
        async def page(conn: Executor, last: SealedSubjectKey | None) -> list[SealedSubjectKey]:
            after = last[0] if last is not None else None
            return await self._subject_keys.sealed_page(conn, after=after, limit=ROTATION_BATCH)

        def resealed(stored: SealedSubjectKey) -> str | None:
            return self._moved_to_first_key(stored[1].decode("ascii"))

        async def replace(conn: Executor, stored: SealedSubjectKey, value: str) -> bool:
            key_id, sealed = stored
            return await self._subject_keys.replace_sealed(
                conn, key_id, sealed, value.encode("ascii")
            )

        return await self._reseal_all(
            page, resealed, replace, lambda stored: f"personal data key {stored[0]}"
        )

    async def _reseal_all(
        self,
        read_page: Callable[[Executor, Row | None], Awaitable[Sequence[Row]]],
        resealed: Callable[[Row], str | None],
        replace: Callable[[Executor, Row, str], Awaitable[bool]],
        described: Callable[[Row], str],
    ) -> Resealed:
        """Reseal one kind of stored secret, a page of ROTATION_BATCH rows per transaction:
        `read_page` reads the rows after the last one read (None: from the first), `resealed`
        gives a row's new sealed value (None: it is under the first key already; raises
        SealedWithUnknownKey when no key opens it), `replace` writes it unless the row changed
        since it was read (False), `described` names a row no key opens."""
        counts = Resealed()
        last: Row | None = None
        while True:
            async with self._db.transaction(self._platform) as conn:
                batch = await read_page(conn, last)
                for stored in batch:
                    try:
                        value = resealed(stored)
                    except SealedWithUnknownKey:
                        counts.unreadable.append(described(stored))
                        continue
                    if value is None:
                        counts.current += 1
                    elif await replace(conn, stored, value):
                        counts.resealed += 1
                    else:
                        counts.changed_meanwhile += 1
            if len(batch) < ROTATION_BATCH:
                return counts
            last = batch[-1]

    def _moved_to_first_key(self, sealed: str) -> str | None:
        """`sealed` resealed under the keyring's first key; None: it is sealed under it."""
        resealed = self._box.reseal(sealed)
        return None if resealed == sealed else resealed

    async def _require_tenant(self, conn: Executor, tenant_id: uuid.UUID) -> None:
        if await self._tenants.get(conn, tenant_id) is None:
            raise NotFound("tenant", tenant_id)

    async def _audit(
        self, conn: Executor, principal: Principal, action: str, secret: TenantSecret
    ) -> None:
        # the name, never the value
        await self._audit_log.append(
            conn,
            principal=principal,
            tenant_id=secret.tenant_id,
            action=action,
            target_type="tenant_secret",
            target_id=secret.name,
            details={"name": secret.name},
        )


def _tenant_of(principal: Principal, tenant_id: uuid.UUID | None) -> uuid.UUID:
    if tenant_id is not None:
        return tenant_id
    if principal.tenant_id is None:
        raise ValidationFailed(
            "market operations must say for which tenant",
            [FieldError(("tenantId",), "is required for market operations")],
        )
    return principal.tenant_id
