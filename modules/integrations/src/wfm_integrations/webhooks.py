"""Outgoing webhooks signed with the Standard Webhooks scheme (standardwebhooks.com):
headers `webhook-id`, `webhook-timestamp` (unix seconds) and `webhook-signature`
(`v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, space-separated when several).
Receivers deduplicate on `webhook-id`, which stays the same on every retry."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from wfm_integrations.excerpts import excerpt
from wfm_integrations.outgoing import OutgoingCallRefused, redirect_reason
from wfm_shared.clock import Clock, SystemClock

SECRET_PREFIX = "whsec_"
SIGNATURE_VERSION = "v1"
SECRET_BYTES = 32
DEFAULT_TOLERANCE = timedelta(minutes=5)


class WebhookVerificationError(Exception):
    """A request that must not be trusted: missing header, bad signature, stale timestamp."""


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _key(secret: str) -> bytes:
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        return base64.b64decode(encoded, validate=True)
    except binascii.Error as exc:
        raise ValueError("a webhook secret is 'whsec_' followed by base64") from exc


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value for one delivery attempt."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode()}"


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: datetime,
    tolerance: timedelta = DEFAULT_TOLERANCE,
) -> None:
    """Raise WebhookVerificationError unless `body` was signed with `secret` recently.

    The timestamp window bounds replays of a captured request; several signatures are
    accepted so a sender can sign with an old and a new secret while rotating."""
    lowered = {name.lower(): value for name, value in headers.items()}
    try:
        message_id = lowered["webhook-id"]
        raw_timestamp = lowered["webhook-timestamp"]
        signatures = lowered["webhook-signature"]
    except KeyError as missing:
        raise WebhookVerificationError(f"missing header {missing.args[0]}") from None
    try:
        timestamp = int(raw_timestamp)
    except ValueError:
        raise WebhookVerificationError("webhook-timestamp is not unix seconds") from None
    if abs(now.timestamp() - timestamp) > tolerance.total_seconds():
        raise WebhookVerificationError("webhook-timestamp outside the tolerance")

    expected = sign(secret, message_id, timestamp, body).encode()
    # Compare against every candidate, without stopping early, in constant time each.
    matches = [
        hmac.compare_digest(expected, candidate.encode())
        for candidate in signatures.split(" ")
        if candidate.startswith(f"{SIGNATURE_VERSION},")
    ]
    if not any(matches):
        raise WebhookVerificationError("no matching signature")


@dataclass(frozen=True)
class WebhookMessage:
    id: str
    type: str
    timestamp: datetime
    data: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.timestamp.tzinfo is None:
            raise ValueError("a webhook timestamp must be timezone-aware")

    def body(self) -> bytes:
        """Compact JSON with sorted keys: the same message gives the same bytes, whatever
        order its data came back in from storage."""
        payload = {
            "type": self.type,
            "timestamp": _iso(self.timestamp),
            "data": self.data,
        }
        return json.dumps(
            payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False
        ).encode()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class DeliveryAttempt:
    status_code: int | None  # None when no response came back
    error: str | None
    duration_ms: int
    delivered: bool
    refused: bool = False  # by the outgoing-call policy: no retry will deliver it


async def deliver(
    client: httpx.AsyncClient,
    url: str,
    secret: str,
    message: WebhookMessage,
    *,
    timeout_seconds: float,
    clock: Clock | None = None,
) -> DeliveryAttempt:
    """POST `message` once. Every outcome, a timeout included, is reported, never raised:
    the caller records the attempt and schedules the retry (same message id)."""
    body = message.body()
    timestamp = int((clock or SystemClock()).now().timestamp())
    headers = {
        "content-type": "application/json",
        "webhook-id": message.id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, message.id, timestamp, body),
    }
    started = time.perf_counter()

    def attempt(
        status_code: int | None, error: str | None, refused: bool = False
    ) -> DeliveryAttempt:
        duration_ms = round((time.perf_counter() - started) * 1000)
        delivered = status_code is not None and 200 <= status_code < 300
        return DeliveryAttempt(status_code, error, duration_ms, delivered, refused)

    try:
        response = await client.post(url, content=body, headers=headers, timeout=timeout_seconds)
    except OutgoingCallRefused as refused:
        return attempt(None, refused.reason, refused=True)
    except httpx.TimeoutException:
        return attempt(None, f"no response within {timeout_seconds:g} s")
    except (httpx.TransportError, httpx.InvalidURL) as exc:
        return attempt(None, f"{type(exc).__name__}: {exc}")
    if 200 <= response.status_code < 300:
        return attempt(response.status_code, None)
    if 300 <= response.status_code < 400:
        return attempt(response.status_code, redirect_reason(response))
    text = excerpt(response.text)
    reason = f"HTTP {response.status_code}: {text}" if text else f"HTTP {response.status_code}"
    return attempt(response.status_code, reason)
