"""Live updates in one API process: the changes its PostgreSQL listener receives, fanned out
to the process's subscriptions.

Every API process LISTENs (`wfm_storage.live.ChangeListener`), so a change made through any
of them, or by the worker, reaches every subscriber. Each subscription reads its changes from
a `ChangeFeed`: bounded, so that a subscriber that does not keep up costs no memory; its
pending changes are then replaced by one `Resync` ("changes from then on may be missing"),
which the subscription answers with a fresh state. The listener's reconnection after a lost
connection is announced to every feed the same way.

An announcement only says which workflow changed and whose it is: subscriptions re-read the
workflow under the subscriber's principal (RLS) before sending anything."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from wfm_shared.clock import Clock
from wfm_shared.errors import RateLimited
from wfm_shared.logging import get_logger
from wfm_shared.settings import Settings
from wfm_storage.live import ChangeListener, WorkflowChanged

log = get_logger("wfm.live")


@dataclass(frozen=True)
class Resync:
    """Changes announced from `since` on may not have reached the subscription."""

    since: datetime


FeedItem = WorkflowChanged | Resync


class ChangeFeed:
    """One subscription's pending changes, at most `size` of them."""

    def __init__(self, size: int, clock: Clock) -> None:
        self._size = size
        self._clock = clock
        # (since when it may be missing, what): a change is missing from its arrival on
        self._pending: deque[tuple[datetime, FeedItem]] = deque()
        self._arrived = asyncio.Event()

    def offer(self, item: FeedItem) -> None:
        if isinstance(item, Resync):
            self._pending.append((item.since, item))
            self._collapse()
        elif len(self._pending) >= self._size:
            self._pending.append((self._clock.now(), item))
            self._collapse()
        else:
            self._pending.append((self._clock.now(), item))
        self._arrived.set()

    def _collapse(self) -> None:
        """Everything pending becomes one Resync from the earliest moment it stands for."""
        since = min(moment for moment, _ in self._pending)
        self._pending.clear()
        self._pending.append((since, Resync(since)))

    async def next(self) -> FeedItem:
        while not self._pending:
            self._arrived.clear()
            await self._arrived.wait()
        return self._pending.popleft()[1]


class TooManyLiveConnections(RateLimited):
    """The user has as many live connections to this process as the setting allows."""


class LiveUpdates:
    """The process's listener and the feeds of its subscriptions."""

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self._clock = clock
        self._queue_size = settings.live_queue_size
        self._max_connections = settings.live_max_connections_per_user
        self._feeds: set[ChangeFeed] = set()
        self._connections: Counter[uuid.UUID] = Counter()
        self.listener = ChangeListener(
            settings.app_dsn(), on_change=self._fan_out, on_resync=self._resync, now=clock.now
        )

    async def start(self) -> None:
        await self.listener.start()

    async def stop(self) -> None:
        await self.listener.stop()

    @contextlib.contextmanager
    def feed(self) -> Iterator[ChangeFeed]:
        """A subscription's feed, for as long as it runs."""
        feed = ChangeFeed(self._queue_size, self._clock)
        self._feeds.add(feed)
        try:
            yield feed
        finally:
            self._feeds.discard(feed)

    @contextlib.contextmanager
    def connection_of(self, user_id: uuid.UUID) -> Iterator[None]:
        """Count a live connection of the user while it is open; refused past the limit."""
        if self._connections[user_id] >= self._max_connections:
            raise TooManyLiveConnections(
                f"at most {self._max_connections} live connections per user"
            )
        self._connections[user_id] += 1
        try:
            yield
        finally:
            self._connections[user_id] -= 1
            if self._connections[user_id] <= 0:
                del self._connections[user_id]

    @property
    def subscriptions(self) -> int:
        return len(self._feeds)

    def _fan_out(self, change: WorkflowChanged) -> None:
        for feed in list(self._feeds):
            feed.offer(change)

    def _resync(self, since: datetime) -> None:
        log.info("live_resync", subscriptions=len(self._feeds), since=since.isoformat())
        for feed in list(self._feeds):
            feed.offer(Resync(since))
