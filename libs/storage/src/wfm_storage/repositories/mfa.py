"""Second factors (TOTP) of users, their recovery codes and login challenges (migration
0012): the signed-in steps under row-level security, a login's steps through the SECURITY
DEFINER functions."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, cast

from wfm_storage.postgres import Executor

ChallengeOutcome = Literal["ok", "invalid", "refused"]


@dataclass(frozen=True)
class MfaFactor:
    """A user's second factor: pending until its first code confirms it."""

    user_id: uuid.UUID
    secret: str = field(repr=False)
    enabled_at: datetime | None
    last_used_step: int | None

    @property
    def enabled(self) -> bool:
        return self.enabled_at is not None


@dataclass(frozen=True)
class ChallengedLogin:
    """The user a valid login challenge stands for, and what checking its code needs."""

    user_id: uuid.UUID
    email: str
    secret: str = field(repr=False)
    last_used_step: int | None


class MfaRepository:
    # --- signed in: under the principal's row-level security

    async def factor(self, ex: Executor, user_id: uuid.UUID) -> MfaFactor | None:
        row = await ex.fetchrow(
            "SELECT user_id, secret, enabled_at, last_used_step FROM wfm.user_mfa "
            "WHERE user_id = $1",
            user_id,
        )
        return MfaFactor(**dict(row)) if row else None

    async def enabled_among(self, ex: Executor, user_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
        """Which of `user_ids` have a confirmed second factor (of those the caller sees)."""
        rows = await ex.fetch(
            "SELECT user_id FROM wfm.user_mfa "
            "WHERE user_id = ANY($1::uuid[]) AND enabled_at IS NOT NULL",
            list(user_ids),
        )
        return {row["user_id"] for row in rows}

    async def start(self, ex: Executor, user_id: uuid.UUID, secret: str, now: datetime) -> bool:
        """A new pending secret for the user (replacing a pending one); False when the
        user's factor is confirmed already (it is left alone)."""
        written = await ex.fetchval(
            """
            INSERT INTO wfm.user_mfa AS m (user_id, tenant_id, secret, created_at, updated_at)
            SELECT u.id, u.tenant_id, $2, $3, $3 FROM wfm.users u WHERE u.id = $1
            ON CONFLICT (user_id) DO UPDATE
               SET secret = EXCLUDED.secret, last_used_step = NULL, updated_at = EXCLUDED.updated_at
             WHERE m.enabled_at IS NULL
            RETURNING true
            """,
            user_id,
            secret,
            now,
        )
        return bool(written)

    async def enable(
        self,
        ex: Executor,
        user_id: uuid.UUID,
        *,
        step: int,
        recovery_code_hashes: Sequence[str],
        now: datetime,
    ) -> bool:
        """Confirm the pending factor with the step of its first code, and give it these
        recovery codes; False when there is no pending factor (nothing changes)."""
        enabled = await ex.fetchval(
            """
            UPDATE wfm.user_mfa SET enabled_at = $2, last_used_step = $3, updated_at = $2
             WHERE user_id = $1 AND enabled_at IS NULL
            RETURNING true
            """,
            user_id,
            now,
            step,
        )
        if not enabled:
            return False
        await ex.execute("DELETE FROM wfm.mfa_recovery_codes WHERE user_id = $1", user_id)
        await ex.execute(
            """
            INSERT INTO wfm.mfa_recovery_codes (user_id, tenant_id, code_hash, created_at)
            SELECT m.user_id, m.tenant_id, h, $3
              FROM wfm.user_mfa m CROSS JOIN unnest($2::text[]) AS h
             WHERE m.user_id = $1
            """,
            user_id,
            list(recovery_code_hashes),
            now,
        )
        return True

    async def accept_step(self, ex: Executor, user_id: uuid.UUID, step: int, now: datetime) -> bool:
        """Record `step` as the last accepted, if it comes after the last one (a code is
        accepted once, and never one older than a code already used)."""
        accepted = await ex.fetchval(
            """
            UPDATE wfm.user_mfa SET last_used_step = $2, updated_at = $3
             WHERE user_id = $1 AND enabled_at IS NOT NULL
               AND (last_used_step IS NULL OR last_used_step < $2)
            RETURNING true
            """,
            user_id,
            step,
            now,
        )
        return bool(accepted)

    async def use_recovery_code(
        self, ex: Executor, user_id: uuid.UUID, code_hash: str, now: datetime
    ) -> bool:
        used = await ex.fetchval(
            "UPDATE wfm.mfa_recovery_codes SET used_at = $3 "
            "WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING true",
            user_id,
            code_hash,
            now,
        )
        return bool(used)

    async def remove(self, ex: Executor, user_id: uuid.UUID) -> bool:
        """Remove the user's factor (pending or confirmed), its recovery codes and its
        login challenges; False when it had none."""
        await ex.execute("DELETE FROM wfm.mfa_challenges WHERE user_id = $1", user_id)
        removed = await ex.fetchval(
            "DELETE FROM wfm.user_mfa WHERE user_id = $1 RETURNING true", user_id
        )
        return bool(removed)

    # --- a login, before any tenant is known: the SECURITY DEFINER functions

    async def open_challenge(
        self,
        ex: Executor,
        user_id: uuid.UUID,
        token_hash: str,
        now: datetime,
        expires_at: datetime,
    ) -> bool:
        """Store a challenge for the user if it has a confirmed factor (True)."""
        opened = await ex.fetchval(
            "SELECT wfm.auth_mfa_open_challenge($1, $2, $3, $4)",
            user_id,
            token_hash,
            now,
            expires_at,
        )
        return bool(opened)

    async def challenged(
        self, ex: Executor, token_hash: str, now: datetime
    ) -> ChallengedLogin | None:
        row = await ex.fetchrow("SELECT * FROM wfm.auth_mfa_challenge($1, $2)", token_hash, now)
        return ChallengedLogin(**dict(row)) if row else None

    async def complete_challenge(
        self,
        ex: Executor,
        token_hash: str,
        now: datetime,
        *,
        step: int | None = None,
        recovery_code_hash: str | None = None,
    ) -> ChallengeOutcome:
        """Use the challenge up with a TOTP step (checked by the caller) or a recovery code."""
        outcome = await ex.fetchval(
            "SELECT wfm.auth_mfa_complete($1, $2, $3, $4)",
            token_hash,
            now,
            step,
            recovery_code_hash,
        )
        return cast(ChallengeOutcome, outcome)
