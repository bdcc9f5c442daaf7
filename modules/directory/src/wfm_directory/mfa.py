"""Multi-factor sign-in (TOTP, RFC 6238): a user enrols an authenticator app, and its logins
then ask, after the password, for the app's current code or one of its recovery codes.

- Enrolment: `begin_enrolment` makes a pending secret and answers its `otpauth://` URI (for a
  QR code); `confirm_enrolment` checks a first code, turns the factor on and answers ten
  single-use recovery codes, shown that once. A confirmed secret is never answered again.
- A login (`wfm_api.auth.AuthService`): after a right password, `open_challenge` hands out an
  opaque challenge (five minutes, single-use, bound to the user, kept only as a hash), which
  `complete` exchanges for the user with a code.
- A code is 6 digits of a 30-second step; the steps just before and after the current one
  are accepted too (clocks drift), and each step only once: the last one accepted is kept,
  and no code of that step or an earlier one is accepted again.
- Market operations may have to enrol before anything else (`enrolment_required`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pyotp

from wfm_directory.audit import audit_user
from wfm_integrations.vault import KeyVault
from wfm_shared.authorization import Permission, authorize
from wfm_shared.clock import Clock
from wfm_shared.errors import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    Unauthenticated,
    ValidationFailed,
)
from wfm_shared.principal import Principal
from wfm_storage.postgres import Database, Executor
from wfm_storage.records import User
from wfm_storage.repositories.audit import AuditLog
from wfm_storage.repositories.mfa import ChallengedLogin, MfaFactor, MfaRepository
from wfm_storage.repositories.users import UserRepository

ISSUER = "Workflow Manager"
CHALLENGE_TTL = timedelta(minutes=5)
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_BYTES = 10  # 80 bits: 16 base32 characters
DRIFT_STEPS = 1  # the step before and the step after the current one are accepted too
TOTP_CODE = re.compile(r"^[0-9]{6}$")
RECOVERY_CODE = re.compile(r"^[A-Z2-7]{16}$")

INVALID_CHALLENGE = "the sign-in challenge is invalid, used or expired: log in again"
WRONG_CODE = "wrong code, or a code already used"


@dataclass(frozen=True)
class MfaEnrolment:
    """A pending secret: what an authenticator app needs (the URI as a QR code, or the
    secret typed in)."""

    provisioning_uri: str = field(repr=False)
    secret: str = field(repr=False)


@dataclass(frozen=True)
class MfaChallenge:
    """What a login whose password was right hands out instead of a session."""

    token: str = field(repr=False)
    expires_at: datetime


def token_hash(token: str) -> str:
    # a 256-bit random token: a fast hash is the right tool (as for refresh tokens)
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalized_code(code: str) -> str:
    """A code as typed: spaces and dashes dropped, letters upper-cased."""
    return re.sub(r"[\s-]", "", code).upper()


def recovery_code_hash(user_id: uuid.UUID, code: str) -> str:
    # 80 random bits, salted with the user: a fast hash gives nothing to guess
    return hashlib.sha256(f"{user_id}:{normalized_code(code)}".encode()).hexdigest()


def new_recovery_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(RECOVERY_CODE_BYTES)).decode("ascii")
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def matching_step(secret: str | None, code: str, at: datetime) -> int | None:
    """The time step (around `at`, within the drift) whose code `code` is, or None (also for
    a secret sealed under another WFM_CREDENTIAL_SECRET: `secret` None)."""
    code = normalized_code(code)
    if secret is None or not TOTP_CODE.match(code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(at)
    matches = [
        step
        for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1)
        if hmac.compare_digest(totp.generate_otp(step), code)
    ]
    return max(matches, default=None)


def wrong_code() -> ValidationFailed:
    return ValidationFailed(WRONG_CODE, [FieldError(("code",), "is not a current code")])


class MfaService:
    def __init__(
        self,
        db: Database,
        *,
        factors: MfaRepository,
        users: UserRepository,
        audit: AuditLog,
        clock: Clock,
        vault: KeyVault,
        required_for_market_ops: bool = False,
    ) -> None:
        self._db = db
        self._vault = vault  # the secrets are stored sealed
        self._factors = factors
        self._users = users
        self._audit_log = audit
        self._clock = clock
        self._required_roles = frozenset({"market_ops"} if required_for_market_ops else ())

    def enrolment_required(self, role: str) -> bool:
        """Whether a user of `role` must have a second factor before anything else."""
        return role in self._required_roles

    # --- one's own second factor: every signed-in user manages its own, no permission needed

    async def begin_enrolment(self, principal: Principal) -> MfaEnrolment:
        """A new pending secret (replacing a pending one); CONFLICT once a factor is on."""
        secret = pyotp.random_base32()
        async with self._db.transaction(principal) as conn:
            user = await self._own_user(conn, principal)
            sealed = self._vault.seal(secret)
            if not await self._factors.start(conn, user.id, sealed, self._clock.now()):
                raise Conflict(
                    "multi-factor sign-in is on already: turn it off (disableMfa) to enrol "
                    "another authenticator"
                )
            await audit_user(self._audit_log, conn, principal, user, "MFA_ENROLMENT_STARTED")
        uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
        return MfaEnrolment(provisioning_uri=uri, secret=secret)

    async def confirm_enrolment(self, principal: Principal, code: str) -> list[str]:
        """Turn the pending factor on with its current code: the recovery codes, shown once."""
        now = self._clock.now()
        codes = [new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
        async with self._db.transaction(principal) as conn:
            user = await self._own_user(conn, principal)
            factor = await self._factors.factor(conn, user.id)
            if factor is None or factor.enabled:
                raise Conflict(
                    "no enrolment is pending: begin one with beginMfaEnrolment"
                    if factor is None
                    else "multi-factor sign-in is on already"
                )
            step = matching_step(self._vault.open(factor.secret), code, now)
            if step is None:
                raise wrong_code()
            enabled = await self._factors.enable(
                conn,
                user.id,
                step=step,
                recovery_code_hashes=[recovery_code_hash(user.id, c) for c in codes],
                now=now,
            )
            if not enabled:  # confirmed concurrently by another request
                raise Conflict("multi-factor sign-in is on already")
            await audit_user(self._audit_log, conn, principal, user, "MFA_ENABLED")
        return codes

    async def account_of(self, principal: Principal) -> str:
        """The e-mail of the principal's user: the account its wrong codes count against."""
        async with self._db.transaction(principal) as conn:
            return (await self._own_user(conn, principal)).email

    async def disable(self, principal: Principal, code: str) -> None:
        """Turn one's own factor off, proven by a current code or a recovery code (which a
        wrong one answers VALIDATION_FAILED)."""
        now = self._clock.now()
        async with self._db.transaction(principal) as conn:
            user = await self._own_user(conn, principal)
            factor = await self._factors.factor(conn, user.id)
            if factor is None or not factor.enabled:
                raise Conflict("multi-factor sign-in is not on")
            if not await self._proven(conn, factor, code, now):
                raise wrong_code()
            await self._factors.remove(conn, user.id)
            await audit_user(self._audit_log, conn, principal, user, "MFA_DISABLED")

    async def _proven(self, conn: Executor, factor: MfaFactor, code: str, now: datetime) -> bool:
        """A current code (its step then used up) or an unused recovery code (then used)."""
        normalized = normalized_code(code)
        if RECOVERY_CODE.match(normalized):
            return await self._factors.use_recovery_code(
                conn, factor.user_id, recovery_code_hash(factor.user_id, normalized), now
            )
        step = matching_step(self._vault.open(factor.secret), normalized, now)
        return step is not None and await self._factors.accept_step(conn, factor.user_id, step, now)

    # --- someone else's second factor

    async def reset(self, principal: Principal, user_id: uuid.UUID) -> User:
        """Turn off another user's factor (a lost phone): market operations for anyone, a
        tenant's administrators for the users of their tenant. The user enrols again."""
        authorize(principal, Permission.USERS_MANAGE)
        if user_id == principal.user_id:
            # otherwise a stolen session would drop its own second factor without a code
            raise Forbidden("turn your own multi-factor sign-in off with disableMfa and a code")
        async with self._db.transaction(principal) as conn:
            # RLS shows a tenant's administrator the users of its tenant alone
            user = (await self._users.by_ids(conn, [user_id])).get(user_id)
            if user is None:
                raise NotFound("user", user_id)
            if user.tenant_id is None:
                # a user without tenant is the platform's own
                authorize(principal, Permission.OPERATORS_MANAGE)
            else:
                authorize(principal, Permission.USERS_MANAGE, tenant_id=user.tenant_id)
            removed = await self._factors.remove(conn, user.id)
            await audit_user(self._audit_log, conn, principal, user, "MFA_RESET", hadFactor=removed)
        return user

    # --- a login, before anyone is signed in (no principal: the SECURITY DEFINER functions)

    async def open_challenge(self, user_id: uuid.UUID) -> MfaChallenge | None:
        """After a right password: a challenge if the user has a second factor on."""
        token = secrets.token_urlsafe(32)
        now = self._clock.now()
        expires = now + CHALLENGE_TTL
        async with self._db.connection() as conn:
            opened = await self._factors.open_challenge(
                conn, user_id, token_hash(token), now, expires
            )
        return MfaChallenge(token, expires) if opened else None

    async def challenged(self, challenge: str) -> ChallengedLogin | None:
        """Who a valid challenge stands for (None: unknown, used or expired)."""
        async with self._db.connection() as conn:
            return await self._factors.challenged(conn, token_hash(challenge), self._clock.now())

    async def complete(self, challenge: str, login: ChallengedLogin, code: str) -> None:
        """Use the challenge up with a current code or a recovery code (used up with it);
        UNAUTHENTICATED for a wrong, replayed or used code or a challenge no longer valid."""
        now = self._clock.now()
        normalized = normalized_code(code)
        step: int | None = None
        recovery: str | None = None
        if RECOVERY_CODE.match(normalized):
            recovery = recovery_code_hash(login.user_id, normalized)
        else:
            step = matching_step(self._vault.open(login.secret), normalized, now)
            if step is None:
                raise Unauthenticated(WRONG_CODE)
        async with self._db.connection() as conn:
            outcome = await self._factors.complete_challenge(
                conn, token_hash(challenge), now, step=step, recovery_code_hash=recovery
            )
        if outcome == "invalid":
            raise Unauthenticated(INVALID_CHALLENGE)
        if outcome == "refused":
            raise Unauthenticated(WRONG_CODE)

    # ---

    async def _own_user(self, conn: Executor, principal: Principal) -> User:
        user = (await self._users.by_ids(conn, [principal.user_id])).get(principal.user_id)
        if user is None:  # a session's user is always visible to itself
            raise NotFound("user", principal.user_id)
        return user
