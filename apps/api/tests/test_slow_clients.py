"""`wfm serve` against slow clients, over real sockets: a connection that never completes
its request headers, or trickles its body, is let go within the configured time instead of
being held forever."""

import json
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from wfm_devkit.servers import ApiProcess
from wfm_testing.pytest_plugin import api_env

TIMEOUT = 1  # seconds, for headers, bodies and idle keep-alive connections alike


@pytest.fixture(scope="module")
def slow_api(wfm_settings) -> Iterator[tuple[str, int]]:
    env = api_env(
        wfm_settings,
        WFM_HTTP_HEADER_TIMEOUT_SECONDS=str(TIMEOUT),
        WFM_HTTP_BODY_TIMEOUT_SECONDS=str(TIMEOUT),
        WFM_HTTP_KEEP_ALIVE_SECONDS=str(TIMEOUT),
    )
    api = ApiProcess(env, Path.cwd() / ".wfm" / f"slow-api-{uuid.uuid4().hex[:8]}.log")
    try:
        url = urlsplit(api.start())
        yield url.hostname or "127.0.0.1", url.port or 80
    finally:
        api.stop()
        api.log_path.unlink(missing_ok=True)


def connect(address: tuple[str, int]) -> socket.socket:
    conn = socket.create_connection(address, timeout=10)
    conn.settimeout(10)
    return conn


def closed_by_server(conn: socket.socket) -> bytes:
    """Everything the server sent until it closed the connection."""
    received = b""
    try:
        while chunk := conn.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    return received


def one_response(conn: socket.socket) -> bytes:
    """The status line, headers and body of one response (by its Content-Length)."""
    received = b""
    while b"\r\n\r\n" not in received:
        received += conn.recv(65536)
    head, _, body = received.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += conn.recv(65536)
    return head + b"\r\n\r\n" + body


def trickle(conn: socket.socket, data: bytes, seconds_per_byte: float = 0.1) -> float:
    """Send a byte at a time until the server closes; the seconds it took."""
    started = time.monotonic()
    for byte in data:
        try:
            conn.sendall(bytes([byte]))
        except OSError:
            break
        time.sleep(seconds_per_byte)
    return time.monotonic() - started


def test_a_connection_that_sends_nothing_is_closed_after_the_header_timeout(slow_api):
    conn = connect(slow_api)
    started = time.monotonic()
    assert closed_by_server(conn) == b""
    assert TIMEOUT * 0.8 <= time.monotonic() - started < TIMEOUT + 3


def test_headers_sent_a_byte_at_a_time_are_cut_off(slow_api):
    conn = connect(slow_api)
    endless = b"GET /healthz HTTP/1.1\r\nHost: api\r\n" + b"X-Padding: a\r\n" * 100
    assert trickle(conn, endless) < TIMEOUT + 3
    assert closed_by_server(conn) == b""


def test_the_next_requests_headers_get_the_same_time_as_the_first(slow_api):
    conn = connect(slow_api)
    conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: api\r\n\r\n")
    assert one_response(conn).startswith(b"HTTP/1.1 200")
    assert (
        trickle(conn, b"GET /healthz HTTP/1.1\r\nHost: api\r\n" + b"X-P: a\r\n" * 100) < TIMEOUT + 3
    )


def test_a_body_that_trickles_is_refused_with_a_408_and_the_connection_closed(slow_api):
    conn = connect(slow_api)
    conn.sendall(
        b"POST /graphql HTTP/1.1\r\nHost: api\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000\r\n\r\n" + b'{"query": "'
    )
    started = time.monotonic()
    answer = closed_by_server(conn)
    assert time.monotonic() - started < TIMEOUT + 3
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408")
    assert b"connection: close" in head.lower()
    [error] = json.loads(body)["errors"]
    assert error["extensions"]["code"] == "REQUEST_TIMEOUT"


def test_an_idle_kept_alive_connection_is_closed_after_the_keep_alive_time(slow_api):
    conn = connect(slow_api)
    conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: api\r\n\r\n")
    assert one_response(conn).startswith(b"HTTP/1.1 200")
    started = time.monotonic()
    assert closed_by_server(conn) == b""
    assert time.monotonic() - started < TIMEOUT + 3


def test_a_client_that_sends_in_time_is_served_on_one_connection(slow_api):
    host, port = slow_api
    with httpx.Client(base_url=f"http://{host}:{port}") as http:
        for _ in range(3):
            response = http.post("/graphql", json={"query": "{ __typename }"})
            assert response.json() == {"data": {"__typename": "Query"}}
            time.sleep(TIMEOUT / 2)
        assert "server" not in response.headers  # nothing to tell a scanner
