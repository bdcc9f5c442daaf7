"""The HTTP call of an `api_call` system step: one attempt at a time, classified as a
result, a failure worth retrying, or a permanent failure. The worker owns the retry loop
and the schedule (`backoff_delay`)."""

from __future__ import annotations

import json
import random as _random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx

from wfm_integrations.excerpts import excerpt
from wfm_integrations.outgoing import OutgoingCallRefused, redirect_reason

DEFAULT_RETRY_ON_STATUS: frozenset[int] = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class HttpCallSpec:
    url: str
    method: str = "POST"
    headers: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)  # added to the url's own
    body: Any = None  # JSON-serialisable; None sends no body
    timeout_seconds: float = 10.0
    retry_on_status: frozenset[int] = DEFAULT_RETRY_ON_STATUS


@dataclass(frozen=True)
class HttpCallResult:
    status: int
    body: Any  # parsed JSON when the peer says JSON, else the text


class CallError(Exception):
    """An attempt that produced no result; `status` is None when no response came back."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class RetryableCallError(CallError):
    """The same call may succeed later: a timeout, a lost connection, a listed status."""


class PermanentCallError(CallError):
    """Repeating the call will not help: the step fails with this reason."""


async def perform_call(
    client: httpx.AsyncClient, spec: HttpCallSpec, *, idempotency_key: str
) -> HttpCallResult:
    """Make ONE attempt. Every retry of a step sends the same `idempotency_key`, so the peer
    can recognise a request it already carried out (e.g. when only our read timed out)."""
    headers = {**spec.headers, "Idempotency-Key": idempotency_key}
    try:
        # merged: httpx's `params` would replace the url's query
        url = httpx.URL(spec.url).copy_merge_params(dict(spec.query)) if spec.query else spec.url
        response = await client.request(
            spec.method.upper(),
            url,
            headers=headers,
            json=spec.body,
            timeout=spec.timeout_seconds,
        )
    except httpx.TimeoutException as exc:
        raise RetryableCallError(
            f"no response within {spec.timeout_seconds:g} s ({type(exc).__name__})"
        ) from exc
    except OutgoingCallRefused as exc:
        raise PermanentCallError(exc.reason) from exc
    except (httpx.UnsupportedProtocol, httpx.LocalProtocolError, httpx.InvalidURL) as exc:
        raise PermanentCallError(f"cannot call {spec.url!r}: {exc}") from exc
    except httpx.TransportError as exc:
        raise RetryableCallError(f"{type(exc).__name__}: {exc}") from exc

    if response.status_code in spec.retry_on_status:
        raise RetryableCallError(_status_reason(response), response.status_code)
    if response.status_code >= 400:
        raise PermanentCallError(_status_reason(response), response.status_code)
    if response.status_code >= 300:
        raise PermanentCallError(redirect_reason(response), response.status_code)
    return HttpCallResult(response.status_code, _parse_body(response))


def _status_reason(response: httpx.Response) -> str:
    reason = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
    text = excerpt(response.text)
    return f"{reason}: {text}" if text else reason


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


def _parse_body(response: httpx.Response) -> Any:
    if not _is_json(response.headers.get("content-type", "")):
        return response.text
    if not response.content:
        return None
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return response.text  # a peer that mislabels its body still gets its answer recorded


def backoff_delay(
    attempt: int,
    base: timedelta,
    *,
    cap: timedelta,
    random: Callable[[], float] = _random.random,
) -> timedelta:
    """Delay before retry number `attempt` (1 = first retry): base * 2**(attempt-1), capped,
    with full jitter: a uniform draw in [0, delay].

    Jitter because many steps fail together when a peer goes down (same outage, same
    schedule): without it they all retry in the same instant and knock it over again as it
    comes back; spreading them over the whole window keeps the load flat.
    """
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    # In float seconds: 2**attempt overflows a timedelta long before it overflows a float
    # (and inf is still capped).
    exponential = base.total_seconds() * 2.0 ** min(attempt - 1, 1000)
    delay = max(0.0, min(cap.total_seconds(), exponential))
    return timedelta(seconds=delay * random())
