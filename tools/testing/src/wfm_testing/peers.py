"""Real local peers for integration tests: an HTTP server for any ASGI app and an SMTP
sink, both on loopback, so adapters are proven against the real protocols, not mocks."""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from email.message import EmailMessage
from types import TracebackType
from typing import Any

import uvicorn
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from wfm_devkit.servers import _free_port

_POLL_SECONDS = 0.01


class _InLoopServer(uvicorn.Server):
    """A uvicorn server that leaves the process's signal handlers alone: it runs as a
    task inside the test's event loop, and Ctrl-C must still stop pytest."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    def install_signal_handlers(self) -> None:  # older uvicorn releases call this instead
        return None


async def _serve(server: uvicorn.Server) -> None:
    try:
        await server.serve()
    except SystemExit as exc:  # uvicorn exits the process when startup fails
        raise RuntimeError(f"uvicorn failed to start (exit code {exc.code})") from None


@contextlib.asynccontextmanager
async def serve_asgi(
    app: Any, *, startup_timeout: float = 5.0, **options: Any
) -> AsyncIterator[str]:
    """Serve `app` with uvicorn on 127.0.0.1 in the current event loop; yield its base URL.
    `options` go to uvicorn (`ssl_certfile=..., ssl_keyfile=...` serve https)."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,  # the kernel picks a free port; it is read back from the bound socket
        log_level="warning",
        log_config=None,  # leave the logging configuration (and pytest's capture) alone
        access_log=False,
        lifespan="auto",
        timeout_graceful_shutdown=1,
        **options,
    )
    server = _InLoopServer(config)
    task = asyncio.create_task(_serve(server))
    try:
        deadline = time.monotonic() + startup_timeout
        while not server.started:
            if task.done():
                task.result()  # re-raise the startup failure
                raise RuntimeError("uvicorn stopped before it started")
            if time.monotonic() > deadline:
                raise TimeoutError(f"uvicorn did not start within {startup_timeout} s")
            await asyncio.sleep(_POLL_SECONDS)
        sockets = server.servers[0].sockets
        host, port = sockets[0].getsockname()[:2]
        yield f"{'https' if options.get('ssl_certfile') else 'http'}://{host}:{port}"
    finally:
        server.should_exit = True
        await task


class _Collector:
    """aiosmtpd handler: parse every accepted message and keep it."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content
        data = raw if isinstance(raw, bytes) else str(raw).encode()
        message = email.message_from_bytes(data, policy=email.policy.default)
        # list.append is atomic: the SMTP thread appends, the test's loop reads.
        self.messages.append(message)
        return "250 Message accepted for delivery"


class SmtpSink:
    """A real SMTP server (aiosmtpd, in its own thread) on 127.0.0.1 that keeps every
    message it receives as an `EmailMessage`."""

    host = "127.0.0.1"

    def __init__(self) -> None:
        self.port = _free_port()
        self._collector = _Collector()
        self._controller = Controller(self._collector, hostname=self.host, port=self.port)

    @property
    def messages(self) -> list[EmailMessage]:
        return self._collector.messages

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> SmtpSink:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # A polling deadline, as the name says: no cancel scope to replace it with.
    async def wait_for(self, count: int, timeout: float = 2.0) -> list[EmailMessage]:  # noqa: ASYNC109
        """Wait until at least `count` messages have arrived; return them all."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"expected {count} message(s) within {timeout} s, got {len(self.messages)}"
                )
            await asyncio.sleep(_POLL_SECONDS)
        return list(self.messages)


class FakeKongAdmin:
    """The slice of Kong's Admin API the adapter uses, with Kong's upsert semantics: PUT
    replaces the whole entity, so a PUT without `key` generates a fresh one."""

    def __init__(self) -> None:
        self.consumers: dict[str, dict[str, Any]] = {}
        self.credentials: dict[str, dict[str, Any]] = {}
        self.requests: list[str] = []

    def _not_found(self) -> JSONResponse:
        return JSONResponse({"message": "Not found"}, status_code=404)

    async def put_consumer(self, request: Request) -> JSONResponse:
        username = request.path_params["username"]
        body = await request.json()
        self.requests.append(f"PUT consumer {username}")
        for other in self.consumers.values():
            if other["username"] != username and other["custom_id"] == body.get("custom_id"):
                return JSONResponse(
                    {
                        "message": f"UNIQUE violation detected on '{{custom_id=\"{other['custom_id']}\"}}'"
                    },
                    status_code=409,
                )
        previous = self.consumers.get(username)
        self.consumers[username] = {
            "id": previous["id"] if previous else str(uuid.uuid4()),
            "username": username,
            "custom_id": body.get("custom_id"),
            "tags": body.get("tags"),
            "created_at": previous["created_at"] if previous else int(time.time()),
        }
        return JSONResponse(self.consumers[username])

    async def key_auth(self, request: Request) -> Response:
        username, credential_id = request.path_params["username"], request.path_params["id"]
        self.requests.append(f"{request.method} key-auth {credential_id}")
        consumer = self.consumers.get(username)
        if consumer is None:
            return self._not_found()
        if request.method == "GET":
            credential = self.credentials.get(credential_id)
            return JSONResponse(credential) if credential else self._not_found()
        if request.method == "DELETE":  # Kong answers 204, whether or not it existed
            self.credentials.pop(credential_id, None)
            return Response(status_code=204)
        body = await request.json()
        self.credentials[credential_id] = {
            "id": credential_id,
            "consumer": {"id": consumer["id"]},
            "key": body.get("key") or secrets.token_urlsafe(24),
            "tags": body.get("tags"),
            "ttl": None,
            "created_at": int(time.time()),
        }
        return JSONResponse(self.credentials[credential_id])

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/consumers/{username}", self.put_consumer, methods=["PUT"]),
                Route(
                    "/consumers/{username}/key-auth/{id}",
                    self.key_auth,
                    methods=["GET", "PUT", "DELETE"],
                ),
            ]
        )
