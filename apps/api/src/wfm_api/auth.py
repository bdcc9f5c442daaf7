"""Authentication: login, rotating refresh tokens, logout; and the principal of a request."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from starlette.requests import HTTPConnection

from wfm_api.limits import LoginThrottle, current_client_address
from wfm_shared.clock import Clock
from wfm_shared.errors import Unauthenticated, WfmError
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
from wfm_storage.records import LoginRecord
from wfm_storage.repositories.users import CredentialStore

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
    ) -> None:
        self._db = db
        self._credentials = credentials
        self._codec = codec
        self._clock = clock
        self._refresh_ttl = refresh_ttl
        self._rounds = bcrypt_rounds
        self._throttle = throttle

    async def login(
        self, email: str, password: str, *, client_address: str | None = None
    ) -> AuthSession:
        """A session for valid credentials. Throttled before any password is checked: by
        failed logins of the account and by attempts from the client's address (by default
        the address of the current request)."""
        address = client_address or current_client_address.get()
        attempt = await self._throttle.admit(email, address)
        try:
            session = await self._check_credentials(email, password)
        except Unauthenticated:
            raise
        except BaseException:
            await attempt.void()
            raise
        await attempt.succeeded()
        return session

    async def _check_credentials(self, email: str, password: str) -> AuthSession:
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
        return await self._open_session(record)

    async def _open_session(self, record: LoginRecord) -> AuthSession:
        principal = principal_for(
            record.id, record.tenant_id, record.role, token_version=record.token_version
        )
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

    def require(self) -> Principal:
        if self.principal is None:
            raise self.error or Unauthenticated("authentication required")
        return self.principal


def identify(connection: HTTPConnection, codec: TokenCodec) -> RequestIdentity:
    header = connection.headers.get("authorization")
    if not header:
        return RequestIdentity(None)
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return RequestIdentity(None, Unauthenticated("expected 'Authorization: Bearer <token>'"))
    try:
        return RequestIdentity(codec.verify(token.strip()))
    except Unauthenticated as error:
        return RequestIdentity(None, error)
