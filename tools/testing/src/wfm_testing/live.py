"""A small client of the API's live updates for tests: the graphql-transport-ws protocol (the
graphql-ws library's) over a real WebSocket, as the web app speaks it.

    async with live_connection(api_url, token=account.token) as live:
        changes = await live.subscribe("subscription { workQueueChanged { at } }")
        payload = await changes.next_payload()
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import AsyncIterator
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin, Subprotocol

PROTOCOL = Subprotocol("graphql-transport-ws")


class ConnectionRefused(Exception):
    """The server closed the connection instead of acknowledging it."""

    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(f"closed with {code}: {reason}")
        self.code = code
        self.reason = reason


def websocket_url(api_url: str, path: str = "/graphql") -> str:
    return api_url.replace("http://", "ws://", 1).replace("https://", "wss://", 1) + path


class LiveSubscription:
    """The messages of one subscription: `next` payloads, then `error` or `complete`."""

    def __init__(self, connection: LiveConnection, operation_id: str) -> None:
        self._connection = connection
        self.id = operation_id
        self.messages: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def next_message(self, within: float = 15) -> dict[str, Any]:
        return await asyncio.wait_for(self.messages.get(), within)

    async def next_payload(self, within: float = 15) -> dict[str, Any]:
        """The next result (`data`, maybe `errors`); fails on anything else."""
        message = await self.next_message(within)
        assert message["type"] == "next", message
        payload: dict[str, Any] = message["payload"]
        return payload

    async def next_data(self, within: float = 15) -> dict[str, Any]:
        payload = await self.next_payload(within)
        assert not payload.get("errors"), payload["errors"]
        data: dict[str, Any] = payload["data"]
        return data

    async def nothing_within(self, seconds: float) -> None:
        """Assert that no message arrives for `seconds`."""
        with contextlib.suppress(TimeoutError):
            message = await asyncio.wait_for(self.messages.get(), seconds)
            raise AssertionError(f"expected nothing, got {message}")

    async def complete(self) -> None:
        await self._connection.send({"id": self.id, "type": "complete"})


class LiveConnection:
    """An acknowledged connection; a reader task hands each message to its subscription."""

    def __init__(self, websocket: ClientConnection, ack: dict[str, Any]) -> None:
        self.websocket = websocket
        self.ack = ack
        self._ids = itertools.count(1)
        self._subscriptions: dict[str, LiveSubscription] = {}
        self._reader = asyncio.create_task(self._read())
        self.closed: asyncio.Future[tuple[int | None, str]] = (
            asyncio.get_running_loop().create_future()
        )

    async def send(self, message: dict[str, Any]) -> None:
        await self.websocket.send(json.dumps(message))

    async def subscribe(
        self, query: str, variables: dict[str, Any] | None = None
    ) -> LiveSubscription:
        subscription = LiveSubscription(self, str(next(self._ids)))
        self._subscriptions[subscription.id] = subscription
        payload = {"query": query, "variables": variables or {}}
        await self.send({"id": subscription.id, "type": "subscribe", "payload": payload})
        return subscription

    async def _read(self) -> None:
        try:
            async for raw in self.websocket:
                message = json.loads(raw)
                if message.get("type") == "ping":
                    await self.send({"type": "pong"})
                    continue
                subscription = self._subscriptions.get(message.get("id", ""))
                if subscription is not None:
                    subscription.messages.put_nowait(message)
        except ConnectionClosed:
            pass
        finally:
            close = self.websocket.close_code, self.websocket.close_reason or ""
            if not self.closed.done():
                self.closed.set_result(close)

    async def close(self) -> None:
        await self.websocket.close()
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader


async def open_live_connection(
    api_url: str,
    *,
    token: str | None,
    origin: str | None = None,
    payload: dict[str, Any] | None = None,
) -> LiveConnection:
    """Connect and send `connection_init` with the token (or `payload` as it is); raises
    ConnectionRefused when the server closes the connection instead of acknowledging."""
    websocket = await connect(
        websocket_url(api_url),
        subprotocols=[PROTOCOL],
        origin=Origin(origin) if origin else None,
        open_timeout=10,
    )
    init = payload if payload is not None else {}
    if payload is None and token is not None:
        init = {"authorization": f"Bearer {token}"}
    await websocket.send(json.dumps({"type": "connection_init", "payload": init}))
    try:
        ack = json.loads(await asyncio.wait_for(websocket.recv(), 15))
    except ConnectionClosed:
        raise ConnectionRefused(websocket.close_code, websocket.close_reason or "") from None
    assert ack["type"] == "connection_ack", ack
    return LiveConnection(websocket, ack)


@contextlib.asynccontextmanager
async def live_connection(
    api_url: str, *, token: str | None, origin: str | None = None
) -> AsyncIterator[LiveConnection]:
    connection = await open_live_connection(api_url, token=token, origin=origin)
    try:
        yield connection
    finally:
        await connection.close()
