"""Accounts for the benchmark (and the tests, through `wfm_testing.factories`): tenants and
users written straight to the database as its owner, with access tokens issued directly."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from wfm_engine.checks import gs1_check_digit
from wfm_shared.principal import Principal, principal_for
from wfm_shared.security import TokenCodec, hash_password
from wfm_shared.settings import Settings
from wfm_storage.postgres import Executor
from wfm_storage.records import Tenant, User
from wfm_storage.repositories.tenants import TenantRepository
from wfm_storage.repositories.users import UserRepository

# the password of every account made here (hashed at the lowest cost)
TEST_PASSWORD = "correct horse battery"


def belgian_vat(seed: int) -> str:
    """A valid Belgian VAT number derived from `seed` (mod-97 check digits)."""
    base = f"0{seed % 10_000_000:07d}"
    return f"BE{base}{97 - int(base) % 97:02d}"


def ean18(seed: int) -> str:
    body = f"54144{seed % 10**12:012d}"
    return body + str(gs1_check_digit(body))


def codec_for(settings: Settings) -> TokenCodec:
    return TokenCodec.from_settings(settings)


@dataclass(frozen=True)
class Account:
    user: User
    principal: Principal
    token: str
    password: str = TEST_PASSWORD

    @property
    def headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}


class Factory:
    """Creates isolated tenants and users; every name is unique to the test run."""

    def __init__(self, owner: Executor, settings: Settings) -> None:
        self._owner = owner
        self._settings = settings
        self._codec = codec_for(settings)
        self._hash = hash_password(TEST_PASSWORD, 4)

    async def tenant(self, **overrides: Any) -> Tenant:
        suffix = uuid.uuid4().hex[:10]
        return await TenantRepository().create(
            self._owner,
            tenant_id=overrides.get("tenant_id", uuid.uuid4()),
            slug=overrides.get("slug", f"t-{suffix}"),
            company_name=overrides.get("company_name", f"Participant {suffix} SA"),
            vat_number=overrides.get("vat_number", belgian_vat(int(suffix[:7], 16))),
            status=overrides.get("status", "active"),
        )

    async def account(self, role: str, tenant: Tenant | None = None, **overrides: Any) -> Account:
        user = await UserRepository().create(
            self._owner,
            user_id=uuid.uuid4(),
            tenant_id=tenant.id if tenant else None,
            email=overrides.get("email", f"{role}-{uuid.uuid4().hex[:10]}@example.test"),
            password_hash=self._hash,
            role=role,
            display_name=overrides.get("display_name"),
            locale=overrides.get("locale", "en"),
        )
        principal = principal_for(
            user.id, user.tenant_id, user.role, token_version=user.token_version
        )
        token, _ = self._codec.issue(principal, datetime.now(UTC))
        return Account(user=user, principal=principal, token=token)
