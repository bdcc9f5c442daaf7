import asyncio
from datetime import timedelta

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from wfm_integrations.http_calls import (
    HttpCallSpec,
    PermanentCallError,
    RetryableCallError,
    backoff_delay,
    perform_call,
)
from wfm_testing.peers import serve_asgi


def flaky_registry() -> tuple[Starlette, list[dict]]:
    """Fails twice with 500, then registers the participant: like a peer that recovers."""
    seen: list[dict] = []

    async def register(request: Request) -> Response:
        seen.append({"key": request.headers.get("idempotency-key"), "body": await request.json()})
        if len(seen) <= 2:
            return PlainTextResponse("database is restarting", status_code=500)
        return JSONResponse({"registered": True, "ean": "541234567890123456"}, status_code=201)

    async def missing(request: Request) -> Response:
        return JSONResponse({"error": "no such participant"}, status_code=404)

    async def slow(request: Request) -> Response:
        await asyncio.sleep(0.5)
        return JSONResponse({"late": True})

    async def plain(request: Request) -> Response:
        return PlainTextResponse("ok")

    app = Starlette(
        routes=[
            Route("/participants", register, methods=["POST"]),
            Route("/participants/unknown", missing, methods=["GET"]),
            Route("/slow", slow, methods=["GET"]),
            Route("/plain", plain, methods=["GET"]),
        ]
    )
    return app, seen


async def test_retried_call_sends_the_same_idempotency_key_until_the_peer_recovers(client):
    app, seen = flaky_registry()
    async with serve_asgi(app) as base_url:
        spec = HttpCallSpec(
            url=f"{base_url}/participants",
            method="POST",
            body={"vat": "BE0123456749"},
            retry_on_status=frozenset({500}),
        )
        outcomes: list[object] = []
        for _ in range(3):
            try:
                outcomes.append(await perform_call(client, spec, idempotency_key="step-42"))
            except RetryableCallError as exc:
                outcomes.append(exc)

    first, second, result = outcomes
    assert isinstance(first, RetryableCallError)
    assert first.status == 500
    assert isinstance(second, RetryableCallError)
    assert "database is restarting" in first.reason
    assert result.status == 201
    assert result.body == {"registered": True, "ean": "541234567890123456"}
    assert [s["key"] for s in seen] == ["step-42", "step-42", "step-42"]
    assert all(s["body"] == {"vat": "BE0123456749"} for s in seen)


async def test_status_not_listed_for_retry_is_permanent_with_a_short_reason(client):
    app, _ = flaky_registry()
    async with serve_asgi(app) as base_url:
        spec = HttpCallSpec(url=f"{base_url}/participants/unknown", method="GET")
        with pytest.raises(PermanentCallError) as caught:
            await perform_call(client, spec, idempotency_key="k")
    assert caught.value.status == 404
    assert caught.value.reason.startswith("HTTP 404")
    assert "no such participant" in caught.value.reason


async def test_peer_slower_than_the_timeout_is_retryable(client):
    app, _ = flaky_registry()
    async with serve_asgi(app) as base_url:
        spec = HttpCallSpec(url=f"{base_url}/slow", method="GET", timeout_seconds=0.2)
        with pytest.raises(RetryableCallError) as caught:
            await perform_call(client, spec, idempotency_key="k")
    assert caught.value.status is None
    assert "0.2 s" in caught.value.reason


async def test_refused_connection_is_retryable(client, closed_port):
    spec = HttpCallSpec(url=f"http://127.0.0.1:{closed_port}/", method="GET", timeout_seconds=0.5)
    with pytest.raises(RetryableCallError):
        await perform_call(client, spec, idempotency_key="k")


async def test_non_json_answer_is_returned_as_text(client):
    app, _ = flaky_registry()
    async with serve_asgi(app) as base_url:
        spec = HttpCallSpec(url=f"{base_url}/plain", method="GET")
        result = await perform_call(client, spec, idempotency_key="k")
    assert (result.status, result.body) == (200, "ok")


async def test_unsupported_scheme_is_permanent(client):
    spec = HttpCallSpec(url="ftp://example.invalid/x", method="GET")
    with pytest.raises(PermanentCallError):
        await perform_call(client, spec, idempotency_key="k")


@pytest.mark.parametrize(
    ("attempt", "expected_ceiling"),
    [(1, 1), (2, 2), (3, 4), (4, 8), (5, 10), (200, 10)],
)
def test_backoff_doubles_from_base_up_to_the_cap(attempt, expected_ceiling):
    base, cap = timedelta(seconds=1), timedelta(seconds=10)
    assert backoff_delay(attempt, base, cap=cap, random=lambda: 1.0) == timedelta(
        seconds=expected_ceiling
    )
    assert backoff_delay(attempt, base, cap=cap, random=lambda: 0.0) == timedelta(0)
    assert backoff_delay(attempt, base, cap=cap, random=lambda: 0.5) == timedelta(
        seconds=expected_ceiling / 2
    )


def test_backoff_with_the_real_random_stays_within_the_window():
    delays = [backoff_delay(3, timedelta(seconds=1), cap=timedelta(minutes=1)) for _ in range(50)]
    assert all(timedelta(0) <= d <= timedelta(seconds=4) for d in delays)
    assert len(set(delays)) > 1  # jittered, not one fixed instant


def test_backoff_attempts_count_from_one():
    with pytest.raises(ValueError, match="from 1"):
        backoff_delay(0, timedelta(seconds=1), cap=timedelta(seconds=10))
