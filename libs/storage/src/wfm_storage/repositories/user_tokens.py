"""Invitation and password-reset tokens (wfm.user_tokens, migration 0011): stored as SHA-256
digests only, single-use, expiring, bound to one user. Invitations are issued under the
tenant policies; the steps taken before anyone is signed in go through the migration's
SECURITY DEFINER functions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from wfm_storage.postgres import Executor
from wfm_storage.records import User

TokenPurpose = Literal["invitation", "password_reset"]


@dataclass(frozen=True)
class TokenHolder:
    """The user a usable token is bound to."""

    id: uuid.UUID
    tenant_id: uuid.UUID | None
    email: str
    role: str


@dataclass(frozen=True)
class ResetAddressee:
    """An active user who asked for a password reset: where and how to mail the link."""

    id: uuid.UUID
    tenant_id: uuid.UUID | None
    email: str
    role: str
    display_name: str | None
    locale: str


class UserTokens:
    async def issue(
        self,
        ex: Executor,
        *,
        token_id: uuid.UUID,
        user_id: uuid.UUID,
        tenant_id: uuid.UUID | None,
        purpose: TokenPurpose,
        token_hash: str,
        created_by: uuid.UUID | None,
        now: datetime,
        expires_at: datetime,
    ) -> None:
        """A new token of `purpose` for the user; its earlier unused ones stop working."""
        await self.void(ex, user_id, now, purpose=purpose)
        await ex.execute(
            """
            INSERT INTO wfm.user_tokens
                   (id, user_id, tenant_id, purpose, token_hash, created_by, created_at, expires_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """,
            token_id,
            user_id,
            tenant_id,
            purpose,
            token_hash,
            created_by,
            now,
            expires_at,
        )

    async def void(
        self,
        ex: Executor,
        user_id: uuid.UUID,
        now: datetime,
        *,
        purpose: TokenPurpose | None = None,
    ) -> None:
        """The user's unused tokens (of `purpose`, else of every purpose) stop working."""
        await ex.execute(
            "UPDATE wfm.user_tokens SET used_at = $2 "
            "WHERE user_id = $1 AND used_at IS NULL AND ($3::text IS NULL OR purpose = $3)",
            user_id,
            now,
            purpose,
        )

    async def request_reset(
        self,
        ex: Executor,
        *,
        email: str,
        token_id: uuid.UUID,
        token_hash: str,
        now: datetime,
        expires_at: datetime,
    ) -> ResetAddressee | None:
        """A reset token for the active user with `email`, if there is one (one statement
        either way)."""
        row = await ex.fetchrow(
            "SELECT * FROM wfm.user_tokens_request_reset($1, $2, $3, $4, $5)",
            email,
            token_id,
            token_hash,
            now,
            expires_at,
        )
        return ResetAddressee(**dict(row)) if row else None

    async def holder(
        self, ex: Executor, token_hash: str, purpose: TokenPurpose, now: datetime
    ) -> TokenHolder | None:
        row = await ex.fetchrow(
            "SELECT * FROM wfm.user_tokens_holder($1, $2, $3)", token_hash, purpose, now
        )
        return TokenHolder(**dict(row)) if row else None

    async def redeem(
        self,
        ex: Executor,
        *,
        token_hash: str,
        purpose: TokenPurpose,
        now: datetime,
        password_hash: str,
        display_name: str | None,
    ) -> User | None:
        """Use the token once: the user's new password (and, for an invitation, its
        activation); None when the token is not usable (any more)."""
        row = await ex.fetchrow(
            "SELECT * FROM wfm.user_tokens_redeem($1, $2, $3, $4, $5)",
            token_hash,
            purpose,
            now,
            password_hash,
            display_name,
        )
        return User(**dict(row)) if row else None
