"""Test data: tenants and users written as the database owner, tokens issued directly.
The accounts are the benchmark's (`wfm_devkit.accounts`); `a_tenant` and `a_user` are
the tests' own shortcuts; a `Tenancy` is the people of one tenant a test acts as."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from wfm_devkit.accounts import (
    TEST_PASSWORD,
    Account,
    Factory,
    belgian_vat,
    codec_for,
    ean18,
)
from wfm_shared.security import hash_password
from wfm_storage.postgres import Executor
from wfm_storage.records import Tenant, User
from wfm_storage.repositories.tenants import TenantRepository
from wfm_storage.repositories.users import UserRepository

__all__ = [
    "TEST_PASSWORD",
    "Account",
    "Factory",
    "Tenancy",
    "a_tenant",
    "a_user",
    "belgian_vat",
    "codec_for",
    "ean18",
]


@dataclass(frozen=True)
class Tenancy:
    """A tenant with an administrator, a user and the user's colleague."""

    tenant: Tenant
    admin: Account
    user: Account
    colleague: Account


async def a_tenant(owner: Executor) -> Tenant:
    """A tenant with a unique slug (for tests that need no Factory and no token)."""
    slug = f"t-{uuid.uuid4().hex[:8]}"
    return await TenantRepository().create(
        owner, tenant_id=uuid.uuid4(), slug=slug, company_name=slug, vat_number=belgian_vat(7)
    )


async def a_user(owner: Executor, tenant: Tenant, *, password: str, role: str) -> User:
    """A user of `tenant` with a unique e-mail and `password` (hashed at the lowest cost)."""
    return await UserRepository().create(
        owner,
        user_id=uuid.uuid4(),
        tenant_id=tenant.id,
        email=f"{uuid.uuid4().hex[:8]}@example.test",
        password_hash=hash_password(password, 4),
        role=role,
    )
