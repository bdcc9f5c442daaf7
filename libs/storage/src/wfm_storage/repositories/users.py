"""Users, and the credential functions that run before a tenant is known."""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from wfm_shared.errors import FieldError, ValidationFailed
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
        return User(**dict(row)) if row else None

    async def page(
        self, ex: Executor, where: UserFilter, *, first: int, after: UserCursor | None
    ) -> UserPage:
        """The users row-level security shows, by e-mail address, `first` after the cursor,
        and how many match in all."""
        args: list[object] = []

        def arg(value: object) -> str:
            args.append(value)
            return f"${len(args)}"

        conditions = ["true"]
        if where.search:
            pattern = arg(f"%{_escape_like(where.search)}%")
            conditions.append(f"(email ILIKE {pattern} OR display_name ILIKE {pattern})")
        if where.role is not None:
            conditions.append(f"role = {arg(where.role)}")
        if where.status is not None:
            conditions.append(f"status = {arg(where.status)}")
        if where.tenant_id is not None:
            conditions.append(f"tenant_id = {arg(where.tenant_id)}")
        matching = " AND ".join(conditions)
        total: int = await ex.fetchval(f"SELECT count(*) FROM wfm.users WHERE {matching}", *args)
        if after is not None:
            matching += f" AND (lower(email), id) > (lower({arg(after.email)}), {arg(after.id)})"
        rows = await ex.fetch(
            f"SELECT {_USER_COLUMNS} FROM wfm.users WHERE {matching} "
            f"ORDER BY lower(email), id LIMIT {arg(first + 1)}",
            *args,
        )
        found = [User(**dict(row)) for row in rows]
        return UserPage(users=found[:first], has_next=len(found) > first, total_count=total)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


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
        raw = f"user|{self.email}|{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode("ascii")

    @classmethod
    def decode(cls, value: str) -> UserCursor:
        try:
            raw = base64.urlsafe_b64decode(value.encode("ascii")).decode()
            kind, _, rest = raw.partition("|")
            email, _, ident = rest.rpartition("|")  # an address may hold a "|" itself
            if kind != "user" or not email:
                raise ValueError(kind)
            return cls(email, uuid.UUID(ident))
        except (ValueError, UnicodeError, binascii.Error):
            raise ValidationFailed(
                "invalid cursor", [FieldError(("after",), "is not a cursor")]
            ) from None


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
