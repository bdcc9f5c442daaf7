"""Authentication: login (with a second factor when the user has one), rotating refresh
tokens, logout; and the principal of a request.

A login in two steps: `login` checks the password; for a user with a second factor it
answers a challenge instead of a session, which `verify_mfa` exchanges, with a code, for
the session. Wrong codes count against the login throttle as wrong passwords do. A user
who must have a second factor and has none (market operations, when configured) gets an
`EnrolmentSession`: an access token that only the enrolment mutations accept. That is
enforced in one place, `identify`: such a token has an audience of its own, which the
API's token check refuses, so the request has no principal, only `enrolling`."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import HTTPConnection

from wfm_api.limits import LoginRateLimited, LoginThrottle, current_client_address
from wfm_directory.audit import AuditService
from wfm_directory.mfa import INVALID_CHALLENGE, MfaChallenge, MfaService
from wfm_shared.clock import Clock
from wfm_shared.errors import Forbidden, Unauthenticated, ValidationFailed, WfmError
from wfm_shared.logging import get_logger
from wfm_shared.principal import Principal, principal_for
from wfm_shared.security import (
    TokenCodec,
    could_be_a_password,
    dummy_password_hash,
    hash_refresh_token,
    new_refresh_token,
    verify_password,
)
from wfm_storage.postgres import Database
from wfm_storage.records import LoginRecord, User
from wfm_storage.repositories.users import CredentialStore

log = get_logger("wfm.api")

INVALID_LOGIN = "invalid email or password"
# what is checked against the dummy hash when there is nothing real to check
DUMMY_ATTEMPT = "never-a-password"


@dataclass(frozen=True)
class AuthSession:
    principal: Principal
    access_token: str
    expires_at: datetime
    refresh_token: str
    email: str | None = None


@dataclass(frozen=True)
class EnrolmentSession:
    """The login of a user who must enrol a second factor first: an access token that may
    only enrol one (`identify`), and no refresh token. After enrolling, the user logs in
    again, with a code."""

    principal: Principal
    access_token: str
    expires_at: datetime
    email: str | None = None


# what a right password gets: a session, a challenge for a code, or an enrolment session
SignIn = AuthSession | MfaChallenge | EnrolmentSession

ENROLMENT_AUDIENCE_SUFFIX = "#mfa-enrolment"


def enrolment_codec(codec: TokenCodec) -> TokenCodec:
    """The codec of enrolment sessions: the API's, under an audience of its own (which the
    API's codec refuses)."""
    return replace(codec, audience=codec.audience + ENROLMENT_AUDIENCE_SUFFIX)


class MfaEnrolmentRequired(Forbidden):
    """A session restricted to enrolling a second factor asked for something else."""

    def __init__(self) -> None:
        super().__init__(
            "enrol a second factor first (beginMfaEnrolment, then confirmMfaEnrolment), "
            "then log in again"
        )

    def extensions(self) -> dict[str, Any]:
        return {"code": self.code, "mfaEnrolmentRequired": True}


class AuthService:
    def __init__(
        self,
        db: Database,
        credentials: CredentialStore,
        codec: TokenCodec,
        clock: Clock,
        *,
        refresh_ttl: timedelta,
        bcrypt_rounds: int,
        throttle: LoginThrottle,
        audit: AuditService,
        mfa: MfaService,
    ) -> None:
        self._db = db
        self._credentials = credentials
        self._codec = codec
        self._clock = clock
        self._refresh_ttl = refresh_ttl
        self._rounds = bcrypt_rounds
        self._throttle = throttle
        self._audit = audit  # refused logins go to the audit trail
        self._mfa = mfa
        self.enrolment_codec = enrolment_codec(codec)

    async def login(
        self, email: str, password: str, *, client_address: str | None = None
    ) -> SignIn:
        """A session for valid credentials, or, for a user with a second factor, a challenge
        for `verify_mfa` (or an enrolment session when one is required and missing).
        Throttled before any password is checked: by failed logins of the account and by
        attempts from the client's address (by default the address of the current request)."""
        address = client_address or current_client_address.get()
        try:
            attempt = await self._throttle.admit(email, address)
        except LoginRateLimited:
            await self._audit_refused_login(email, address, throttled=True)
            raise
        try:
            signed_in = await self._second_step(await self._check_credentials(email, password))
        except Unauthenticated:
            await self._audit_refused_login(email, address, throttled=False)
            raise
        except BaseException:
            await attempt.void()
            raise
        if isinstance(signed_in, MfaChallenge):
            # a right password, a login not done: its code counts, as a failure until right
            await attempt.void()
        else:
            await attempt.succeeded()
        return signed_in

    async def _second_step(self, record: LoginRecord) -> SignIn:
        challenge = await self._mfa.open_challenge(record.id)
        if challenge is not None:
            return challenge
        if self._mfa.enrolment_required(record.role):
            principal = self._principal_of(record)
            access, expires = self.enrolment_codec.issue(principal, self._clock.now())
            return EnrolmentSession(principal, access, expires, record.email)
        return await self._open_session(record)

    async def verify_mfa(
        self, challenge: str, code: str, *, client_address: str | None = None
    ) -> AuthSession:
        """The session of a login's challenge, for a current code of the user's second
        factor or one of its recovery codes (used up). A wrong code counts against the
        account as a wrong password; a used, expired or unknown challenge counts against
        the client's address."""
        address = client_address or current_client_address.get()
        login = await self._mfa.challenged(challenge)
        if login is None:
            await self._throttle.admit_address(address)
            raise Unauthenticated(INVALID_CHALLENGE)
        try:
            attempt = await self._throttle.admit(login.email, address)
        except LoginRateLimited:
            await self._audit_refused_login(login.email, address, throttled=True)
            raise
        try:
            await self._mfa.complete(challenge, login, code)
            async with self._db.connection() as conn:
                record = await self._credentials.find_login(conn, login.email)
            if record is None or not record.may_log_in:  # disabled since the password
                raise Unauthenticated(INVALID_CHALLENGE)
            session = await self._open_session(record)
        except Unauthenticated:
            await self._audit_refused_login(login.email, address, throttled=False)
            raise
        except BaseException:
            await attempt.void()
            raise
        await attempt.succeeded()
        return session

    async def disable_mfa(
        self, principal: Principal, code: str, *, client_address: str | None = None
    ) -> None:
        """Turn the principal's own second factor off (`MfaService.disable`), its wrong
        codes counted against the account as wrong passwords (a stolen session cannot
        guess its way through)."""
        address = client_address or current_client_address.get()
        attempt = await self._throttle.admit(await self._mfa.account_of(principal), address)
        try:
            await self._mfa.disable(principal, code)
        except ValidationFailed:
            raise  # a wrong code: counted
        except BaseException:
            await attempt.void()
            raise
        await attempt.succeeded()

    async def session_after_password_change(self, changed: User) -> AuthSession:
        """A new session for the signed-in user who has just changed its password
        (`UserService.change_password`, which ended every session the user had): so only
        its other sessions end. Refused if anything changed the user since."""
        async with self._db.connection() as conn:
            record = await self._credentials.find_login(conn, changed.email)
        if (
            record is None
            or record.id != changed.id
            or record.token_version != changed.token_version
            or not record.may_log_in
        ):
            raise Unauthenticated("the session has ended; log in again")
        return await self._open_session(record)

    async def _audit_refused_login(
        self, email: str, address: str | None, *, throttled: bool
    ) -> None:
        """Best effort: the refusal stands whether or not the audit trail could take it."""
        try:
            await self._audit.record_refused_login(
                email, throttled=throttled, client_address=address
            )
        except Exception as error:  # the log says what the audit trail missed
            log.warning("refused_login_not_audited", error=repr(error), client_address=address)

    async def _check_credentials(self, email: str, password: str) -> LoginRecord:
        async with self._db.connection() as conn:
            record = await self._credentials.find_login(conn, email.strip())
        if record is None or not could_be_a_password(password):
            # the same bcrypt work as a real check, so that timing tells nothing either
            await asyncio.to_thread(
                verify_password, DUMMY_ATTEMPT, dummy_password_hash(self._rounds)
            )
            raise Unauthenticated(INVALID_LOGIN)
        # bcrypt takes a few hundred milliseconds of CPU: keep it off the event loop.
        if not await asyncio.to_thread(verify_password, password, record.password_hash):
            raise Unauthenticated(INVALID_LOGIN)
        if not record.may_log_in:
            raise Unauthenticated(INVALID_LOGIN)
        return record

    @staticmethod
    def _principal_of(record: LoginRecord) -> Principal:
        return principal_for(
            record.id, record.tenant_id, record.role, token_version=record.token_version
        )

    async def _open_session(self, record: LoginRecord) -> AuthSession:
        principal = self._principal_of(record)
        now = self._clock.now()
        access, expires = self._codec.issue(principal, now)
        refresh = new_refresh_token()
        async with self._db.connection() as conn:
            await self._credentials.store_refresh_token(
                conn, record.id, uuid.uuid4(), hash_refresh_token(refresh), now + self._refresh_ttl
            )
        return AuthSession(principal, access, expires, refresh, record.email)

    async def refresh(self, refresh_token: str) -> AuthSession:
        now = self._clock.now()
        new_token = new_refresh_token()
        async with self._db.connection() as conn:
            result = await self._credentials.rotate_refresh_token(
                conn,
                hash_refresh_token(refresh_token),
                hash_refresh_token(new_token),
                now + self._refresh_ttl,
            )
        if result.outcome == "reused":
            raise Unauthenticated(
                "refresh token was already used; every session of this login is revoked"
            )
        if (
            result.outcome != "ok"
            or result.user_id is None
            or result.role is None
            or result.token_version is None
        ):
            raise Unauthenticated("invalid refresh token")
        principal = principal_for(
            result.user_id, result.tenant_id, result.role, token_version=result.token_version
        )
        access, expires = self._codec.issue(principal, now)
        return AuthSession(principal, access, expires, new_token)

    async def logout(self, refresh_token: str) -> bool:
        """Revoke the refresh token's family and end the user's access tokens at once (all
        of them: the token version is the user's)."""
        async with self._db.connection() as conn:
            return await self._credentials.revoke_refresh_family(
                conn, hash_refresh_token(refresh_token)
            )


@dataclass(frozen=True)
class RequestIdentity:
    """The principal of a request, or why there is none (raised only when one is needed)."""

    principal: Principal | None
    error: WfmError | None = None
    # the principal of an enrolment session: accepted by `require_enrolling` alone
    enrolling: Principal | None = None

    def require(self) -> Principal:
        if self.principal is None:
            raise self.error or Unauthenticated("authentication required")
        return self.principal

    def require_enrolling(self) -> Principal:
        """Who may enrol a second factor: a session's principal, or an enrolment session's."""
        return self.enrolling or self.require()


def identify(
    connection: HTTPConnection, codec: TokenCodec, enrolment: TokenCodec | None = None
) -> RequestIdentity:
    """The request's principal from its bearer token. A token of an enrolment session
    (verified by `enrolment`) gives none: only `enrolling`, and MFA_ENROLMENT_REQUIRED
    (FORBIDDEN) wherever a principal is needed."""
    return identify_bearer(connection.headers.get("authorization"), codec, enrolment)


def identify_bearer(
    header: str | None, codec: TokenCodec, enrolment: TokenCodec | None = None
) -> RequestIdentity:
    """`identify` from the value of an Authorization header (a WebSocket's is sent in its
    `connection_init` message: browsers cannot set a WebSocket's headers)."""
    if not header:
        return RequestIdentity(None)
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return RequestIdentity(None, Unauthenticated("expected 'Authorization: Bearer <token>'"))
    try:
        return RequestIdentity(codec.verify(token.strip()))
    except Unauthenticated as error:
        if enrolment is not None:
            try:
                restricted = enrolment.verify(token.strip())
            except Unauthenticated:
                return RequestIdentity(None, error)
            return RequestIdentity(None, MfaEnrolmentRequired(), enrolling=restricted)
        return RequestIdentity(None, error)
