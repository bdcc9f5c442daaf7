"""The outgoing-call policy at the moment of the call, against real peers on loopback: the
host is resolved once, every address it resolves to is checked, the connection goes to a
checked address, redirects are not followed, and the operator's allow-list lets an
internal receiver through."""

import socket
import ssl
import subprocess
from datetime import UTC, datetime
from ipaddress import ip_address
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from wfm_integrations.http_calls import (
    HttpCallSpec,
    PermanentCallError,
    RetryableCallError,
    perform_call,
)
from wfm_integrations.outgoing import outgoing_client, resolve
from wfm_integrations.webhooks import WebhookMessage, deliver, new_secret
from wfm_shared.url_policy import IPAddress, OutgoingUrlPolicy
from wfm_testing.peers import serve_asgi

NO_ALLOW_LIST = OutgoingUrlPolicy()
LOOPBACK_ALLOWED = OutgoingUrlPolicy.with_allowed(["127.0.0.1"], https_only=False)
LOOPBACK = ip_address("127.0.0.1")


class Peer:
    """A receiver that records every request it gets (path and Host header)."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        self.redirect_to: str | None = None

    async def handle(self, request: Request) -> Response:
        self.requests.append((request.url.path, request.headers["host"]))
        if self.redirect_to:
            return RedirectResponse(self.redirect_to, status_code=302)
        return JSONResponse({"ok": True})

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self.handle, methods=["GET", "POST"])])


def message() -> WebhookMessage:
    return WebhookMessage(id="msg_1", type="workflow.approved", timestamp=datetime.now(UTC))


def port_of(base_url: str) -> int:
    return int(base_url.rsplit(":", 1)[1])


async def test_a_host_that_resolves_to_loopback_is_refused_and_the_peer_receives_nothing():
    peer = Peer()
    async with serve_asgi(peer.app()) as base_url, outgoing_client(NO_ALLOW_LIST) as client:
        url = f"http://localhost:{port_of(base_url)}/hooks"
        attempt = await deliver(client, url, new_secret(), message(), timeout_seconds=1)
        with pytest.raises(PermanentCallError) as refused:
            await perform_call(client, HttpCallSpec(url=url), idempotency_key="k")
    assert not attempt.delivered
    assert attempt.refused
    assert attempt.status_code is None
    assert attempt.error.startswith(
        "refused by the outgoing-call policy: localhost resolves to a loopback address"
    )
    assert "localhost resolves to a loopback address" in refused.value.reason
    assert peer.requests == []


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("127.0.0.1", "127.0.0.1 points to a loopback address (127.0.0.1)"),
        ("2130706433", "2130706433 points to a loopback address (127.0.0.1)"),
        ("0x7f.1", "0x7f.1 points to a loopback address (127.0.0.1)"),
        ("127.1", "127.1 points to a loopback address (127.0.0.1)"),
        ("[::ffff:127.0.0.1]", "points to a loopback address (127.0.0.1, wrapped in IPv6"),
    ],
)
async def test_a_literal_loopback_address_is_refused_at_the_call_in_every_spelling(host, reason):
    peer = Peer()
    async with serve_asgi(peer.app()) as base_url, outgoing_client(NO_ALLOW_LIST) as client:
        url = f"http://{host}:{port_of(base_url)}/hooks"
        with pytest.raises(PermanentCallError) as refused:
            await perform_call(client, HttpCallSpec(url=url), idempotency_key="k")
    assert reason in refused.value.reason
    assert peer.requests == []


async def test_the_allow_list_lets_the_loopback_receiver_through():
    peer = Peer()
    by_name = OutgoingUrlPolicy.with_allowed(["localhost"], https_only=False)
    async with serve_asgi(peer.app()) as base_url:
        port = port_of(base_url)
        async with outgoing_client(LOOPBACK_ALLOWED) as client:
            by_address = await perform_call(
                client, HttpCallSpec(url=f"{base_url}/a"), idempotency_key="k"
            )
        async with outgoing_client(by_name) as client:
            named = await perform_call(
                client, HttpCallSpec(url=f"http://localhost:{port}/b"), idempotency_key="k"
            )
    assert (by_address.status, named.status) == (200, 200)
    assert [path for path, _ in peer.requests] == ["/a", "/b"]


async def test_the_connection_goes_to_the_address_that_was_checked():
    """The name exists only in the resolver the policy asked: the system cannot resolve it,
    so reaching the peer proves the connection used the checked answer, not a new lookup."""
    peer = Peer()
    lookups: list[str] = []

    async def registry_dns(host: str, port: int) -> list[IPAddress]:
        lookups.append(host)
        return [LOOPBACK] if host == "registry.example.test" else await resolve(host, port)

    async with serve_asgi(peer.app()) as base_url:
        port = port_of(base_url)
        async with outgoing_client(LOOPBACK_ALLOWED, resolver=registry_dns) as client:
            for _ in range(2):
                result = await perform_call(
                    client,
                    HttpCallSpec(url=f"http://registry.example.test:{port}/participants"),
                    idempotency_key="k",
                )
                assert result.status == 200
    assert peer.requests == [("/participants", f"registry.example.test:{port}")] * 2
    assert lookups == ["registry.example.test"]  # one lookup; the kept-alive connection after it
    with pytest.raises(socket.gaierror):
        await resolve("registry.example.test", port)


def certificate(directory: Path, name: str) -> tuple[str, str]:
    """A self-signed certificate for `name` (openssl), and its key."""
    cert, key = directory / f"{name}.pem", directory / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", f"/CN={name}",
         "-addext", f"subjectAltName=DNS:{name}"],
        check=True, capture_output=True,
    )  # fmt: skip
    return str(cert), str(key)


async def test_tls_verifies_the_urls_host_name_on_the_connection_to_the_checked_address(
    tmp_path,
):
    peer = Peer()
    cert, key = certificate(tmp_path, "registry.example.test")
    trusted = ssl.create_default_context(cafile=cert)

    async def registry_dns(host: str, port: int) -> list[IPAddress]:
        return [LOOPBACK]  # every name: only the certificate tells them apart

    async with serve_asgi(peer.app(), ssl_certfile=cert, ssl_keyfile=key) as base_url:
        port = port_of(base_url)
        async with outgoing_client(
            LOOPBACK_ALLOWED, resolver=registry_dns, verify=trusted
        ) as client:
            result = await perform_call(
                client,
                HttpCallSpec(url=f"https://registry.example.test:{port}/participants"),
                idempotency_key="k",
            )
            with pytest.raises(RetryableCallError) as other_name:
                await perform_call(
                    client,
                    HttpCallSpec(url=f"https://other.example.test:{port}/participants"),
                    idempotency_key="k",
                )
    assert result.status == 200
    assert "CERTIFICATE_VERIFY_FAILED" in other_name.value.reason
    assert peer.requests == [("/participants", f"registry.example.test:{port}")]


async def test_a_name_with_one_private_address_among_public_ones_is_refused():
    async def split_horizon(host: str, port: int) -> list[IPAddress]:
        return [ip_address("93.184.216.34"), ip_address("10.0.0.5")]

    async with outgoing_client(NO_ALLOW_LIST, resolver=split_horizon) as client:
        with pytest.raises(PermanentCallError) as refused:
            await perform_call(
                client, HttpCallSpec(url="https://erp.example.test/in"), idempotency_key="k"
            )
    assert refused.value.reason == (
        "refused by the outgoing-call policy: erp.example.test resolves to a private address "
        "(10.0.0.5)"
    )


async def test_a_redirect_to_a_private_address_is_not_followed():
    target, peer = Peer(), Peer()
    async with serve_asgi(target.app()) as target_url, serve_asgi(peer.app()) as base_url:
        peer.redirect_to = f"{target_url}/latest/meta-data/"
        async with outgoing_client(LOOPBACK_ALLOWED) as client:
            with pytest.raises(PermanentCallError) as call:
                await perform_call(client, HttpCallSpec(url=f"{base_url}/r"), idempotency_key="k")
            attempt = await deliver(
                client, f"{base_url}/hooks", new_secret(), message(), timeout_seconds=1
            )
    assert call.value.status == 302
    assert call.value.reason == f"HTTP 302: redirect to {target_url}/latest/meta-data/ not followed"
    assert (attempt.delivered, attempt.status_code) == (False, 302)
    assert attempt.error == f"HTTP 302: redirect to {target_url}/latest/meta-data/ not followed"
    assert [path for path, _ in peer.requests] == ["/r", "/hooks"]
    assert target.requests == []


async def test_the_form_of_the_url_is_checked_again_at_the_call():
    production = OutgoingUrlPolicy.with_allowed(["127.0.0.1"], https_only=True)
    peer = Peer()
    async with serve_asgi(peer.app()) as base_url:
        async with outgoing_client(production) as client:
            with pytest.raises(PermanentCallError) as plain_http:
                await perform_call(client, HttpCallSpec(url=f"{base_url}/a"), idempotency_key="k")
        async with outgoing_client(LOOPBACK_ALLOWED) as client:
            url = base_url.replace("http://", "http://user:pw@")
            with pytest.raises(PermanentCallError) as credentials:
                await perform_call(client, HttpCallSpec(url=url), idempotency_key="k")
    assert plain_http.value.reason == (
        "refused by the outgoing-call policy: the URL must be an https:// URL "
        "(plain http is not allowed here)"
    )
    assert credentials.value.reason.endswith("must not carry a user name or password")
    assert peer.requests == []


async def test_a_name_that_does_not_resolve_is_worth_retrying_not_refused():
    async with outgoing_client(NO_ALLOW_LIST) as client:
        with pytest.raises(RetryableCallError) as call:
            await perform_call(
                client,
                HttpCallSpec(url="https://b.example.test/hook", timeout_seconds=2),
                idempotency_key="k",
            )
    assert "cannot resolve b.example.test" in call.value.reason
