"""How an API process serves HTTP: uvicorn, configured against slow and greedy clients.

uvicorn closes an idle keep-alive connection after a response, but starts no clock before a
request's headers are complete: a client that connects and sends nothing, or its headers a
byte at a time, would hold its connection forever. `HeaderDeadline` gives the headers
`http_header_timeout_seconds` from the connection, or from the first byte after the previous
response; the body's own deadline is the app's (`wfm_api.limits.BodyLimits`). In production a
reverse proxy in front buffers requests anyway (see the README); these bound what reaches
the API without one."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.h11_impl import H11Protocol

from wfm_shared.settings import Settings

if TYPE_CHECKING:
    import h11  # uvicorn's HTTP/1.1 parser

# Request line and headers together (h11's buffer of an incomplete event): uvicorn's default.
MAX_HEADER_BYTES = 16 * 1024
# SIGTERM: requests in flight get this long to finish before their connections are closed.
GRACEFUL_SHUTDOWN_SECONDS = 10


class HeaderDeadline(H11Protocol):
    header_timeout_seconds: float = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._header_deadline: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        self._await_headers()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._between_requests():
            self._await_headers()
        else:
            self._cancel_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_deadline()
        super().connection_lost(exc)

    def _between_requests(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def handle_websocket_upgrade(self, event: h11.Request) -> None:
        self._cancel_deadline()
        super().handle_websocket_upgrade(event)

    def _upgraded(self) -> bool:
        """A WebSocket (live updates) has taken the connection over: no more headers come."""
        return self.transport.get_protocol() is not self

    def _await_headers(self) -> None:
        if (
            self._header_deadline is None
            and not self.transport.is_closing()
            and not self._upgraded()
        ):
            self._header_deadline = self.loop.call_later(
                self.header_timeout_seconds, self._headers_too_slow
            )

    def _cancel_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if self._between_requests() and not self.transport.is_closing() and not self._upgraded():
            self.logger.info("closing a connection whose request headers did not arrive in time")
            self.transport.close()


def server_config(app: ASGIApp, settings: Settings, *, host: str, port: int) -> uvicorn.Config:
    deadline = type(
        "HeaderDeadline",
        (HeaderDeadline,),
        {"header_timeout_seconds": settings.http_header_timeout_seconds},
    )
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=deadline,
        # live updates: the graphql-transport-ws messages are small
        ws="websockets-sansio",
        ws_max_size=settings.max_body_bytes,
        log_level="warning",
        proxy_headers=False,  # WFM_TRUSTED_PROXIES decides whose X-Forwarded-For counts
        server_header=False,  # nothing to tell a scanner
        timeout_keep_alive=settings.http_keep_alive_seconds,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
        limit_concurrency=settings.http_max_concurrency,
    )
