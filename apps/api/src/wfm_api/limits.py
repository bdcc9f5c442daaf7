"""Abuse limits at the edge of the API: per-client throttling, the client's address, body
size and how fast a body must arrive.

Per-client limits are sliding windows counted in PostgreSQL (`wfm.throttle_windows`, one
atomic statement per admission), so that a budget holds behind any number of API processes:
at most `login_max_failures_per_account` failed logins per account (the e-mail, lower-cased)
in `login_failure_window_seconds`, and at most `login_max_attempts_per_address` attempts per
client address in `login_address_window_seconds`. A new per-client limit is a `Limit` checked
through the same `ClientThrottle`. Times come from the API's clock: the hosts of the API
processes keep their clocks in sync (NTP), as they do for tokens anyway.

The other limits live where they apply: query depth, aliases and tokens in the schema's
extensions (`wfm_api.schema.build_schema`), page sizes in `wfm_api.schema.common.page_size`,
one operation per request and well-formed bodies in `wfm_api.app.GraphQLView`.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wfm_api.refusals import http_error
from wfm_shared.clock import Clock
from wfm_shared.errors import RateLimited
from wfm_shared.logging import get_logger
from wfm_shared.request_origin import current_client_address as current_client_address
from wfm_shared.settings import Settings
from wfm_storage.postgres import Database
from wfm_storage.repositories.throttle import ThrottleWindows, WindowCheck

log = get_logger("wfm.api")

# `current_client_address` (imported above, the API reads it from here) is set by the HTTP
# middleware; the audit trail reads it too.


class LoginRateLimited(RateLimited):
    """Too many login attempts: refused before any password is checked."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(f"too many login attempts; retry in {retry_after_seconds} s")
        self.retry_after_seconds = retry_after_seconds

    def extensions(self) -> dict[str, Any]:
        return {"code": self.code, "retryAfterSeconds": self.retry_after_seconds}


@dataclass(frozen=True)
class Limit:
    """At most `count` events per key (an account, a client address) within `window_seconds`."""

    scope: str
    count: int
    window_seconds: float

    def of(self, key: str) -> WindowCheck:
        return WindowCheck(self.scope, key, self.count, self.window_seconds)


class ClientThrottle:
    """Per-client limits, counted in PostgreSQL for every API process alike."""

    def __init__(self, db: Database, windows: ThrottleWindows, clock: Clock) -> None:
        self._db = db
        self._windows = windows
        self._clock = clock

    async def admit(self, *checks: WindowCheck) -> tuple[datetime, float]:
        """Count an event now under every check, or under none: (when it was counted, 0.0),
        or (now, the seconds to wait) when one of them is used up."""
        at = self._clock.now()
        async with self._db.connection() as conn:
            return at, await self._windows.admit(conn, checks, at)

    async def release(self, limit: Limit, key: str, at: datetime) -> None:
        async with self._db.connection() as conn:
            await self._windows.release(conn, limit.scope, key, at)

    async def reset(self, limit: Limit, key: str) -> None:
        async with self._db.connection() as conn:
            await self._windows.reset(conn, limit.scope, key)


class LoginAttempt:
    """One admitted login attempt: counted against its address, and against its account
    as a failure until it proves to be a success (so concurrent guesses cannot overrun
    the budget while their passwords are being checked)."""

    def __init__(self, throttle: LoginThrottle, account: str, reserved_at: datetime) -> None:
        self._throttle = throttle
        self._account = account
        self._reserved_at = reserved_at

    async def succeeded(self) -> None:
        await self._throttle.store.reset(self._throttle.failures, self._account)

    async def void(self) -> None:
        """Neither a success nor a wrong password (a malformed request, a storage error).
        Best effort: a reservation that cannot be taken back expires with its window."""
        with contextlib.suppress(Exception):
            await asyncio.shield(
                self._throttle.store.release(
                    self._throttle.failures, self._account, self._reserved_at
                )
            )


class LoginThrottle:
    def __init__(
        self,
        store: ClientThrottle,
        *,
        max_failures_per_account: int,
        failure_window_seconds: float,
        max_attempts_per_address: int,
        address_window_seconds: float,
    ) -> None:
        self.store = store
        self.failures = Limit("login_account", max_failures_per_account, failure_window_seconds)
        self.attempts = Limit("login_address", max_attempts_per_address, address_window_seconds)

    @classmethod
    def from_settings(cls, settings: Settings, store: ClientThrottle) -> LoginThrottle:
        return cls(
            store,
            max_failures_per_account=settings.login_max_failures_per_account,
            failure_window_seconds=settings.login_failure_window_seconds,
            max_attempts_per_address=settings.login_max_attempts_per_address,
            address_window_seconds=settings.login_address_window_seconds,
        )

    async def admit(self, email: str, address: str | None) -> LoginAttempt:
        """Count a login attempt, or raise RATE_LIMITED with the seconds to wait."""
        account = account_key(email)
        checks = [self.failures.of(account)]
        if address:
            checks.append(self.attempts.of(address))
        at, wait = await self.store.admit(*checks)
        if wait > 0:
            log.warning("login_throttled", account=account, client_address=address)
            raise LoginRateLimited(max(1, math.ceil(wait)))
        return LoginAttempt(self, account, at)

    async def admit_address(self, address: str | None) -> None:
        """Count an attempt that names no account (a sign-in challenge no longer valid)
        against the client's address, or raise RATE_LIMITED."""
        if not address:
            return
        _, wait = await self.store.admit(self.attempts.of(address))
        if wait > 0:
            log.warning("login_throttled", client_address=address)
            raise LoginRateLimited(max(1, math.ceil(wait)))


def account_key(email: str) -> str:
    return email.strip().lower()


def _networks(entries: Iterable[str]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


class ClientAddress:
    """The client's address: the peer's, or, when the peer is a trusted proxy, the
    nearest address in X-Forwarded-For that is not itself a trusted proxy."""

    def __init__(self, trusted_proxies: Sequence[str]) -> None:
        self._trusted = _networks(trusted_proxies)

    def _is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self._trusted)

    def of(self, peer: str | None, forwarded_for: str | None) -> str | None:
        if peer is None or not forwarded_for or not self._is_trusted(peer):
            return peer
        # Each proxy appends the address it received from: read from the right.
        for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
            if not self._is_trusted(hop):
                return hop if _is_address(hop) else peer
        return peer


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


class PayloadTooLarge(Exception):
    """The request body grew past the limit while it was being read."""


class BodyTooSlow(Exception):
    """The request body did not arrive in time."""


def payload_too_large(limit: int) -> JSONResponse:
    return http_error(413, f"request body larger than {limit} bytes")


def body_too_slow(seconds: float) -> JSONResponse:
    # the rest of the body may still be on its way: the connection is not reused
    return http_error(
        408, f"the request body did not arrive within {seconds:g} s", {"connection": "close"}
    )


@dataclass(frozen=True)
class BodyAllowance:
    """The body limit of one path that takes larger bodies than the others (uploads)."""

    max_bytes: int
    timeout_seconds: float


class BodyLimits:
    """Pure ASGI: a declared Content-Length over the limit is refused before reading; a
    body without one (chunked) is counted as it arrives and refused once it passes it. The
    whole body must arrive within `timeout_seconds` of the request's start: a client that
    sends it a byte at a time holds a request open no longer than that. A path among
    `allowances` has its own limit and time (`POST /files`: a file, streamed to storage)."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        timeout_seconds: float,
        allowances: Mapping[str, BodyAllowance] | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_seconds = timeout_seconds
        self.allowances = dict(allowances or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        allowance = self.allowances.get(scope["path"])
        max_bytes = allowance.max_bytes if allowance else self.max_bytes
        timeout_seconds = allowance.timeout_seconds if allowance else self.timeout_seconds
        length = Headers(scope=scope).get("content-length")
        if length is not None and (not length.isdigit() or int(length) > max_bytes):
            await payload_too_large(max_bytes)(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_seconds
        received = 0
        complete = False
        started = False

        async def counted_receive() -> Message:
            nonlocal received, complete
            if complete:  # the body is in: what is left to receive is the disconnect
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise BodyTooSlow from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise PayloadTooLarge
                complete = not message.get("more_body", False)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except PayloadTooLarge:
            if started:
                raise
            await payload_too_large(max_bytes)(scope, receive, send)
        except BodyTooSlow:
            if started:
                raise
            log.warning("request_body_too_slow", path=scope["path"])
            await body_too_slow(timeout_seconds)(scope, receive, send)
