"""Users, and the credential functions that run before a tenant is known."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from wfm_storage.paging import (
    Arguments,
    Key,
    Listing,
    decode_cursor,
    encode_cursor,
    equal_to,
    like_pattern,
)
from wfm_storage.postgres import Executor
from wfm_storage.records import LoginRecord, User

_USER_COLUMNS = (
    "id, tenant_id, email, role, status, display_name, locale, created_at, token_version"
)


def _user(row: asyncpg.Record) -> User:
    return User(**dict(row))


# by e-mail address, any case: the order of the unique index on lower(email) (migration 0001)
_BY_EMAIL = Listing(
    "wfm.users", _USER_COLUMNS, (Key("lower(email)", "lower({})"), Key("id")), _user
)


class UserRepository:
    async def by_ids(self, ex: Executor, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, User]:
        rows = await ex.fetch(
            f"SELECT {_USER_COLUMNS} FROM wfm.users WHERE id = ANY($1::uuid[])", list(ids)
        )
        return {row["id"]: _user(row) for row in rows}

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
        status: str = "active",
    ) -> User:
        """Insert a user, or return the one that has this email already (idempotent seeding).
        `status` "invited": it may not log in until it accepts its invitation."""
        row = await ex.fetchrow(
            f"""
            INSERT INTO wfm.users
                   (id, tenant_id, email, password_hash, role, display_name, locale, status)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
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
            status,
        )
        assert row is not None
        return _user(row)

    async def set_status(self, ex: Executor, user_id: uuid.UUID, status: str) -> User | None:
        """Another status ends every session of the user (trigger of migration 0008)."""
        row = await ex.fetchrow(
            f"UPDATE wfm.users SET status = $2, updated_at = now() WHERE id = $1 "
            f"RETURNING {_USER_COLUMNS}",
            user_id,
            status,
        )
        return _user(row) if row else None

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
        return _user(row) if row else None

    async def update_profile(
        self,
        ex: Executor,
        user_id: uuid.UUID,
        *,
        display_name: str | None,
        locale: str,
        role: str,
    ) -> User | None:
        """A new role ends every session of the user (trigger of migration 0008)."""
        row = await ex.fetchrow(
            f"UPDATE wfm.users SET display_name = $2, locale = $3, role = $4, updated_at = now() "
            f"WHERE id = $1 RETURNING {_USER_COLUMNS}",
            user_id,
            display_name,
            locale,
            role,
        )
        return _user(row) if row else None

    async def page(
        self, ex: Executor, where: UserFilter, *, first: int, after: UserCursor | None
    ) -> UserPage:
        """The users row-level security shows, by e-mail address, `first` after the cursor,
        and how many match in all."""
        arg = Arguments()
        conditions = ["true"]
        if where.search:
            pattern = arg(like_pattern(where.search))
            conditions.append(f"(email ILIKE {pattern} OR display_name ILIKE {pattern})")
        conditions += equal_to(
            arg, {"role": where.role, "status": where.status, "tenant_id": where.tenant_id}
        )
        found, has_next, total = await _BY_EMAIL.counted_page(
            ex,
            conditions,
            arg,
            first=first,
            after=None if after is None else (after.email, after.id),
        )
        return UserPage(users=found, has_next=has_next, total_count=total)


@dataclass(frozen=True)
class UserFilter:
    """Every criterion given must hold; `search` is a part of the e-mail or display name."""

    search: str | None = None
    role: str | None = None
    status: str | None = None
    tenant_id: uuid.UUID | None = None


@dataclass(frozen=True)
class UserCursor:
    """Keyset position in the by-e-mail order: opaque to clients."""

    email: str  # compared lower-cased, as ordered
    id: uuid.UUID

    @classmethod
    def of(cls, user: User) -> UserCursor:
        return cls(user.email, user.id)

    def encode(self) -> str:
        return encode_cursor(f"user|{self.email}|{self.id}")

    @classmethod
    def decode(cls, value: str) -> UserCursor:
        def parse(position: str) -> UserCursor:
            kind, _, rest = position.partition("|")
            email, _, ident = rest.rpartition("|")  # an address may hold a "|" itself
            if kind != "user" or not email:
                raise ValueError(kind)
            return cls(email, uuid.UUID(ident))

        return decode_cursor(value, parse)


@dataclass(frozen=True)
class UserPage:
    users: list[User]
    has_next: bool
    total_count: int


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
