"""Users, and the credential functions that run before a tenant is known."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from wfm_storage.postgres import Executor
from wfm_storage.records import LoginRecord, User

_USER_COLUMNS = (
    "id, tenant_id, email, role, status, display_name, locale, created_at, token_version"
)


class UserRepository:
    async def by_ids(self, ex: Executor, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, User]:
        rows = await ex.fetch(
            f"SELECT {_USER_COLUMNS} FROM wfm.users WHERE id = ANY($1::uuid[])", list(ids)
        )
        return {row["id"]: User(**dict(row)) for row in rows}

    async def create(
        self,
        ex: Executor,
        *,
        user_id: uuid.UUID,
        tenant_id: uuid.UUID | None,
        email: str,
        password_hash: str,
        role: str,
        display_name: str | None = None,
        locale: str = "en",
    ) -> User:
        """Insert a user, or return the one that has this email already (idempotent seeding)."""
        row = await ex.fetchrow(
            f"""
            INSERT INTO wfm.users (id, tenant_id, email, password_hash, role, display_name, locale)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT ((lower(email))) DO UPDATE SET updated_at = wfm.users.updated_at
            RETURNING {_USER_COLUMNS}
            """,
            user_id,
            tenant_id,
            email,
            password_hash,
            role,
            display_name,
            locale,
        )
        assert row is not None
        return User(**dict(row))

    async def set_status(self, ex: Executor, user_id: uuid.UUID, status: str) -> User | None:
        """Another status ends every session of the user (trigger of migration 0008)."""
        row = await ex.fetchrow(
            f"UPDATE wfm.users SET status = $2, updated_at = now() WHERE id = $1 "
            f"RETURNING {_USER_COLUMNS}",
            user_id,
            status,
        )
        return User(**dict(row)) if row else None

    async def set_password_hash(
        self, ex: Executor, user_id: uuid.UUID, password_hash: str
    ) -> User | None:
        """A new password ends every session of the user (trigger of migration 0008)."""
        row = await ex.fetchrow(
            f"UPDATE wfm.users SET password_hash = $2, updated_at = now() WHERE id = $1 "
            f"RETURNING {_USER_COLUMNS}",
            user_id,
            password_hash,
        )
        return User(**dict(row)) if row else None


@dataclass(frozen=True)
class RotationResult:
    outcome: str  # ok | invalid | reused
    user_id: uuid.UUID | None
    tenant_id: uuid.UUID | None
    role: str | None
    token_version: int | None


class CredentialStore:
    """SECURITY DEFINER functions: the app role's only access to credentials."""

    async def find_login(self, ex: Executor, email: str) -> LoginRecord | None:
        row = await ex.fetchrow("SELECT * FROM wfm.auth_find_user($1)", email)
        return LoginRecord(**dict(row)) if row else None

    async def store_refresh_token(
        self,
        ex: Executor,
        user_id: uuid.UUID,
        family_id: uuid.UUID,
        token_hash: str,
        expires: datetime,
    ) -> None:
        await ex.execute(
            "SELECT wfm.auth_store_refresh_token($1, $2, $3, $4)",
            user_id,
            family_id,
            token_hash,
            expires,
        )

    async def rotate_refresh_token(
        self, ex: Executor, token_hash: str, new_hash: str, expires: datetime
    ) -> RotationResult:
        row = await ex.fetchrow(
            "SELECT * FROM wfm.auth_rotate_refresh_token($1, $2, $3)", token_hash, new_hash, expires
        )
        assert row is not None
        return RotationResult(**dict(row))

    async def revoke_refresh_family(self, ex: Executor, token_hash: str) -> bool:
        return bool(await ex.fetchval("SELECT wfm.auth_revoke_refresh_family($1)", token_hash))
