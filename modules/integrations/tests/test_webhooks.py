import asyncio
import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from wfm_integrations.webhooks import (
    WebhookMessage,
    WebhookVerificationError,
    deliver,
    new_secret,
    sign,
    verify,
)
from wfm_shared.clock import FrozenClock
from wfm_testing.peers import serve_asgi

NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
BODY = b'{"type":"workflow.completed"}'


def signed_headers(secret: str, *, message_id: str = "msg_1", at: datetime = NOW) -> dict:
    timestamp = int(at.timestamp())
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, message_id, timestamp, BODY),
    }


class Receiver:
    """A participant's endpoint: verifies with its own copy of the secret, dedupes on
    webhook-id, and can be told to be slow for the next request."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.seen_ids: list[str] = []
        self.processed: list[dict] = []
        self.refused: list[str] = []
        self.delay_next = 0.0

    async def receive(self, request: Request) -> Response:
        body = await request.body()
        try:
            verify(self.secret, request.headers, body, now=datetime.now(UTC))
        except WebhookVerificationError as exc:
            self.refused.append(str(exc))
            return PlainTextResponse(str(exc), status_code=401)
        message_id = request.headers["webhook-id"]
        self.seen_ids.append(message_id)
        if message_id not in {p["id"] for p in self.processed}:
            self.processed.append({"id": message_id, **json.loads(body)})
        if self.delay_next:
            delay, self.delay_next = self.delay_next, 0.0
            await asyncio.sleep(delay)
        return PlainTextResponse("ok")

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/hooks", self.receive, methods=["POST"])])


def completed(message_id: str = "msg_2xYz") -> WebhookMessage:
    return WebhookMessage(
        id=message_id,
        type="workflow.completed",
        timestamp=NOW,
        data={"workflowId": "7c9e", "tenant": "ardennes-energie", "status": "completed"},
    )


# --- verify, as a unit -------------------------------------------------------------


def test_new_secret_is_whsec_prefixed_base64_of_enough_random_bytes():
    secret = new_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) >= 24
    assert new_secret() != secret


def test_signature_matches_the_standard_webhooks_reference_vector():
    # Test vector from the Standard Webhooks reference libraries.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    assert (
        sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
        == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_verify_accepts_a_correctly_signed_request():
    secret = new_secret()
    verify(secret, signed_headers(secret), BODY, now=NOW + timedelta(seconds=30))


def test_verify_reads_header_names_case_insensitively():
    secret = new_secret()
    headers = {name.title(): value for name, value in signed_headers(secret).items()}
    verify(secret, headers, BODY, now=NOW)


def test_verify_accepts_any_of_several_signatures_during_secret_rotation():
    old, new = new_secret(), new_secret()
    headers = signed_headers(new)
    headers["webhook-signature"] = (
        f"{signed_headers(old)['webhook-signature']} {headers['webhook-signature']}"
    )
    verify(new, headers, BODY, now=NOW)
    verify(old, headers, BODY, now=NOW)


def test_verify_refuses_a_tampered_body():
    secret = new_secret()
    with pytest.raises(WebhookVerificationError, match="signature"):
        verify(secret, signed_headers(secret), BODY.replace(b"completed", b"cancelled"), now=NOW)


def test_verify_refuses_a_signature_made_with_another_secret():
    with pytest.raises(WebhookVerificationError, match="signature"):
        verify(new_secret(), signed_headers(new_secret()), BODY, now=NOW)


def test_verify_refuses_a_replayed_message_id_with_another_signature():
    secret = new_secret()
    headers = signed_headers(secret)
    headers["webhook-id"] = "msg_other"
    with pytest.raises(WebhookVerificationError, match="signature"):
        verify(secret, headers, BODY, now=NOW)


@pytest.mark.parametrize("skew", [timedelta(minutes=-6), timedelta(minutes=6)])
def test_verify_refuses_a_timestamp_outside_the_tolerance(skew):
    secret = new_secret()
    with pytest.raises(WebhookVerificationError, match="tolerance"):
        verify(secret, signed_headers(secret, at=NOW + skew), BODY, now=NOW)


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_verify_refuses_a_request_missing_a_header(missing):
    secret = new_secret()
    headers = signed_headers(secret)
    del headers[missing]
    with pytest.raises(WebhookVerificationError, match=missing):
        verify(secret, headers, BODY, now=NOW)


def test_verify_refuses_a_non_numeric_timestamp():
    secret = new_secret()
    headers = {**signed_headers(secret), "webhook-timestamp": "yesterday"}
    with pytest.raises(WebhookVerificationError, match="unix seconds"):
        verify(secret, headers, BODY, now=NOW)


def test_message_body_is_stable_compact_json():
    message = completed()
    reordered = WebhookMessage(
        id=message.id,
        type=message.type,
        timestamp=message.timestamp,
        data=dict(reversed(list(message.data.items()))),
    )
    assert message.body() == reordered.body()
    assert b" " not in message.body()
    assert json.loads(message.body()) == {
        "type": "workflow.completed",
        "timestamp": "2025-03-01T09:30:00Z",
        "data": {"workflowId": "7c9e", "tenant": "ardennes-energie", "status": "completed"},
    }


def test_message_timestamp_must_be_timezone_aware():
    with pytest.raises(ValueError, match="timezone"):
        WebhookMessage(id="m", type="t", timestamp=datetime(2025, 1, 1), data={})


# --- deliver, against a real receiver ------------------------------------------------


async def test_receiver_verifies_and_records_a_delivered_message(client):
    secret = new_secret()
    receiver = Receiver(secret)
    async with serve_asgi(receiver.app()) as base_url:
        attempt = await deliver(client, f"{base_url}/hooks", secret, completed(), timeout_seconds=1)
    assert attempt.delivered
    assert attempt.status_code == 200
    assert attempt.error is None
    assert attempt.duration_ms >= 0
    assert receiver.processed == [
        {
            "id": "msg_2xYz",
            "type": "workflow.completed",
            "timestamp": "2025-03-01T09:30:00Z",
            "data": {"workflowId": "7c9e", "tenant": "ardennes-energie", "status": "completed"},
        }
    ]


async def test_receiver_with_another_secret_refuses_and_the_attempt_says_why(client):
    receiver = Receiver(new_secret())
    async with serve_asgi(receiver.app()) as base_url:
        attempt = await deliver(
            client, f"{base_url}/hooks", new_secret(), completed(), timeout_seconds=1
        )
    assert not attempt.delivered
    assert attempt.status_code == 401
    assert attempt.error == "HTTP 401: no matching signature"
    assert receiver.processed == []


async def test_receiver_refuses_a_delivery_signed_long_ago(client):
    secret = new_secret()
    receiver = Receiver(secret)
    stale_clock = FrozenClock(datetime.now(UTC) - timedelta(minutes=10))
    async with serve_asgi(receiver.app()) as base_url:
        attempt = await deliver(
            client, f"{base_url}/hooks", secret, completed(), timeout_seconds=1, clock=stale_clock
        )
    assert (attempt.delivered, attempt.status_code) == (False, 401)
    assert receiver.refused == ["webhook-timestamp outside the tolerance"]


async def test_timed_out_delivery_is_retried_with_the_same_id_and_processed_once(client):
    secret = new_secret()
    receiver = Receiver(secret)
    receiver.delay_next = 0.5
    message = completed()
    async with serve_asgi(receiver.app()) as base_url:
        first = await deliver(client, f"{base_url}/hooks", secret, message, timeout_seconds=0.2)
        retry = await deliver(client, f"{base_url}/hooks", secret, message, timeout_seconds=1)

    assert not first.delivered
    assert first.status_code is None
    assert first.error == "no response within 0.2 s"
    assert 150 <= first.duration_ms < 1000
    assert retry.delivered
    assert retry.status_code == 200
    # The receiver got it twice (the first answer was lost) but acted on it once.
    assert receiver.seen_ids == ["msg_2xYz", "msg_2xYz"]
    assert [p["id"] for p in receiver.processed] == ["msg_2xYz"]


async def test_unreachable_receiver_is_reported_not_raised(client, closed_port):
    attempt = await deliver(
        client,
        f"http://127.0.0.1:{closed_port}/hooks",
        new_secret(),
        completed(),
        timeout_seconds=0.5,
    )
    assert attempt.status_code is None
    assert not attempt.delivered
    assert attempt.error
    assert "ConnectError" in attempt.error
