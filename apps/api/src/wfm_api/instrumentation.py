"""Database round trips per request, in a response header (for benchmarks; off by default:
`WFM_EXPOSE_ROUND_TRIPS`)."""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wfm_storage.instrumentation import counting_round_trips

HEADER = b"x-wfm-round-trips"


class RoundTripHeader:
    """Pure ASGI: the counter is set in the request's own context, which every query of the
    request inherits; the header is added when the response starts."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with counting_round_trips() as trips:

            async def send_with_count(message: Message) -> None:
                if message["type"] == "http.response.start":
                    # asyncpg reports queries to its loggers with call_soon: let them land
                    await asyncio.sleep(0)
                    value = f"postgres={trips.postgres}, mongo={trips.mongo}".encode()
                    message["headers"] = [*message.get("headers", []), (HEADER, value)]
                await send(message)

            await self.app(scope, receive, send_with_count)
