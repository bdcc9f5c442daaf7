"""Abuse limits at the edge of the API: login throttling, the client's address, body size.

Login throttling keeps sliding windows in this process's memory: at most
`login_max_failures_per_account` failed logins per account (the e-mail, lower-cased) in
`login_failure_window_seconds`, and at most `login_max_attempts_per_address` attempts per
client address in `login_address_window_seconds`. Several API processes each keep their own
windows, so the effective budget grows with the number of processes; the production route to
an exact, shared budget is a shared store (Redis, or a Postgres table keyed by account and
address) behind the same `LoginThrottle` interface.

The other limits live where they apply: query depth, aliases and tokens in the schema's
extensions (`wfm_api.schema.build_schema`), page sizes in `wfm_api.schema.common.page_size`,
one operation per request and well-formed bodies in `wfm_api.app.GraphQLView`.
"""

from __future__ import annotations

import ipaddress
import math
from collections import OrderedDict, deque
from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wfm_shared.clock import Clock
from wfm_shared.errors import RateLimited
from wfm_shared.logging import get_logger
from wfm_shared.settings import Settings

log = get_logger("wfm.api")

# The address of the client of the current request, set by the HTTP middleware.
current_client_address: ContextVar[str | None] = ContextVar("client_address", default=None)

# Keys (accounts, addresses) remembered at most: the least recently active go first.
MAX_TRACKED_KEYS = 100_000


class LoginRateLimited(RateLimited):
    """Too many login attempts: refused before any password is checked."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(f"too many login attempts; retry in {retry_after_seconds} s")
        self.retry_after_seconds = retry_after_seconds

    def extensions(self) -> dict[str, Any]:
        return {"code": self.code, "retryAfterSeconds": self.retry_after_seconds}


class SlidingWindow:
    """At most `limit` events per key within the last `window_seconds`."""

    def __init__(self, limit: int, window_seconds: float, clock: Clock) -> None:
        self.limit = limit
        self.window = window_seconds
        self._clock = clock
        self._events: OrderedDict[str, deque[float]] = OrderedDict()

    def _now(self) -> float:
        return self._clock.now().timestamp()

    def _live(self, key: str, now: float) -> deque[float] | None:
        events = self._events.get(key)
        if events is None:
            return None
        while events and events[0] <= now - self.window:
            events.popleft()
        if not events:
            del self._events[key]
            return None
        return events

    def retry_after(self, key: str) -> float:
        """Seconds until the key may have another event; 0 when it may now."""
        now = self._now()
        events = self._live(key, now)
        if events is None or len(events) < self.limit:
            return 0.0
        return events[-self.limit] + self.window - now

    def record(self, key: str) -> float:
        """Count an event now; returns its time (to `release` it)."""
        now = self._now()
        events = self._live(key, now)
        if events is None:
            events = self._events[key] = deque()
        events.append(now)
        self._events.move_to_end(key)
        self._forget_idle(now)
        return now

    def release(self, key: str, at: float) -> None:
        """Take back an event counted by `record` that turned out not to count."""
        events = self._events.get(key)
        if events is not None and at in events:
            events.remove(at)

    def reset(self, key: str) -> None:
        self._events.pop(key, None)

    def _forget_idle(self, now: float) -> None:
        # Least recently active first: stop at the first key still inside its window.
        while self._events:
            key, events = next(iter(self._events.items()))
            idle = not events or events[-1] <= now - self.window
            if not idle and len(self._events) <= MAX_TRACKED_KEYS:
                break
            del self._events[key]

    def __len__(self) -> int:
        return len(self._events)


class LoginAttempt:
    """One admitted login attempt: counted against its address, and against its account
    as a failure until it proves to be a success (so concurrent guesses cannot overrun
    the budget while their passwords are being checked)."""

    def __init__(self, throttle: LoginThrottle, account: str, reserved_at: float) -> None:
        self._throttle = throttle
        self._account = account
        self._reserved_at = reserved_at

    def succeeded(self) -> None:
        self._throttle.failures.reset(self._account)

    def void(self) -> None:
        """Neither a success nor a wrong password (a malformed request, a storage error)."""
        self._throttle.failures.release(self._account, self._reserved_at)


class LoginThrottle:
    def __init__(
        self,
        clock: Clock,
        *,
        max_failures_per_account: int,
        failure_window_seconds: float,
        max_attempts_per_address: int,
        address_window_seconds: float,
    ) -> None:
        self.failures = SlidingWindow(max_failures_per_account, failure_window_seconds, clock)
        self.attempts = SlidingWindow(max_attempts_per_address, address_window_seconds, clock)

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock) -> LoginThrottle:
        return cls(
            clock,
            max_failures_per_account=settings.login_max_failures_per_account,
            failure_window_seconds=settings.login_failure_window_seconds,
            max_attempts_per_address=settings.login_max_attempts_per_address,
            address_window_seconds=settings.login_address_window_seconds,
        )

    def admit(self, email: str, address: str | None) -> LoginAttempt:
        """Count a login attempt, or raise RATE_LIMITED with the seconds to wait."""
        account = account_key(email)
        wait = max(
            self.failures.retry_after(account),
            self.attempts.retry_after(address) if address else 0.0,
        )
        if wait > 0:
            log.warning("login_throttled", account=account, client_address=address)
            raise LoginRateLimited(max(1, math.ceil(wait)))
        if address:
            self.attempts.record(address)
        return LoginAttempt(self, account, self.failures.record(account))


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


def payload_too_large(limit: int) -> JSONResponse:
    return JSONResponse(
        {
            "errors": [
                {
                    "message": f"request body larger than {limit} bytes",
                    "extensions": {"code": "PAYLOAD_TOO_LARGE"},
                }
            ]
        },
        status_code=413,
    )


class BodySizeLimit:
    """Pure ASGI: a declared Content-Length over the limit is refused before reading; a
    body without one (chunked) is counted as it arrives and refused once it passes it."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await payload_too_large(self.max_bytes)(scope, receive, send)
            return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise PayloadTooLarge
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
            await payload_too_large(self.max_bytes)(scope, receive, send)
