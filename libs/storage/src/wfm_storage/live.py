"""Live updates, the PostgreSQL part: every projection that moves a workflow's index row
forward announces it with NOTIFY on one channel, in its own transaction (so a rolled-back
projection announces nothing, and every API process LISTENing sees every change, whichever
process or worker made it), with the statement that writes the row's work columns
(`WorkAnnouncement`); `ChangeListener` is one process's LISTENing connection.

The announcement names the workflow and its tenant and nothing personal: listeners decide
from it whom it may concern, then re-read the row for each subscriber under RLS."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from wfm_engine import InstanceState
from wfm_shared.logging import get_logger
from wfm_storage.postgres import CONNECTION_LOST, Executor

log = get_logger("wfm.live")

CHANNEL = "wfm_workflow_changes"
# the listening connections' application_name (pg_stat_activity tells them apart)
LISTENER_NAME = "wfm-live-listener"


@dataclass(frozen=True)
class WorkflowChanged:
    """A workflow's index row moved forward (to `version`); `work`: what waits for a person
    on it (the work queue's columns) changed too."""

    workflow_id: uuid.UUID
    tenant_id: uuid.UUID
    version: int
    status: str
    template_key: str
    work: bool = False

    @classmethod
    def of(cls, state: InstanceState, *, work: bool) -> WorkflowChanged:
        return cls(
            workflow_id=uuid.UUID(state.id),
            tenant_id=uuid.UUID(state.tenant_id),
            version=state.version,
            status=state.status.value,
            template_key=state.template_key,
            work=work,
        )

    def payload(self) -> str:
        """A few hundred bytes at most: far below PostgreSQL's 8000-byte limit."""
        return json.dumps(
            {
                "id": str(self.workflow_id),
                "tenantId": str(self.tenant_id),
                "version": self.version,
                "status": self.status,
                "templateKey": self.template_key,
                "work": self.work,
            },
            separators=(",", ":"),
        )

    @classmethod
    def parse(cls, payload: str) -> WorkflowChanged | None:
        """None for anything that is not an announcement of ours."""
        try:
            fields = json.loads(payload)
            return cls(
                workflow_id=uuid.UUID(fields["id"]),
                tenant_id=uuid.UUID(fields["tenantId"]),
                version=int(fields["version"]),
                status=str(fields["status"]),
                template_key=str(fields["templateKey"]),
                work=bool(fields.get("work", False)),
            )
        except (ValueError, TypeError, KeyError):
            return None


async def announce(ex: Executor, change: WorkflowChanged) -> None:
    """NOTIFY the change; delivered when (and only if) the caller's transaction commits."""
    await ex.execute("SELECT pg_notify($1, $2)", CHANNEL, change.payload())


@dataclass(frozen=True)
class WorkAnnouncement:
    """The announcement of `state` that the statement writing its work columns sends itself
    (`InstanceIndex.write_work`: one round trip less), its `work` flag saying whether they
    changed; `only_if_work_changed`: nothing is announced when they did not."""

    state: InstanceState
    only_if_work_changed: bool = False

    def payloads(self) -> tuple[str, str | None]:
        """The payload when the work changed, and when it did not (None: no announcement)."""
        changed = WorkflowChanged.of(self.state, work=True).payload()
        if self.only_if_work_changed:
            return changed, None
        return changed, WorkflowChanged.of(self.state, work=False).payload()


class ChangeListener:
    """One dedicated connection (never the pool's: a LISTEN outlives any transaction) that
    LISTENs on the channel and hands each change to `on_change`. When the connection is
    lost it connects again, backing off up to `max_backoff_seconds`, then calls
    `on_resync(since)`: announcements from `since` on may have been missed. A connection
    that stops answering (a network cut) is found by a `SELECT 1` every
    `check_interval_seconds`."""

    def __init__(
        self,
        dsn: str,
        *,
        on_change: Callable[[WorkflowChanged], None],
        on_resync: Callable[[datetime], None],
        now: Callable[[], datetime],
        check_interval_seconds: float = 10.0,
        max_backoff_seconds: float = 30.0,
    ) -> None:
        self._dsn = dsn
        self._on_change = on_change
        self._on_resync = on_resync
        self._now = now
        self._check_interval = check_interval_seconds
        self._max_backoff = max_backoff_seconds
        self._task: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()
        # when the feed was last known complete: the start of a gap, should one come
        self._complete_at: datetime | None = None
        self.reconnects = 0

    async def start(self, *, wait_seconds: float = 10.0) -> None:
        """Start listening; waits (up to `wait_seconds`) for the first LISTEN, so that nothing
        committed after the API is ready goes unseen. Without PostgreSQL it keeps trying
        in the background."""
        self._task = asyncio.create_task(self._run(), name="wfm-live-listener")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._listening.wait(), wait_seconds)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    @property
    def listening(self) -> bool:
        return self._listening.is_set()

    async def _run(self) -> None:
        backoff = 0.1
        while True:
            try:
                await self._listen_until_lost()
                backoff = 0.1  # it was listening: the next failure starts over
            except Exception as error:  # whatever it was, the listener must live on
                log.warning("live_listener_lost", error=repr(error), retry_in=backoff)
            self._listening.clear()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self._max_backoff)

    async def _listen_until_lost(self) -> None:
        conn: asyncpg.Connection = await asyncpg.connect(
            self._dsn, timeout=10, server_settings={"application_name": LISTENER_NAME}
        )
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _: lost.set())
        try:
            await conn.add_listener(CHANNEL, self._received)
            gap_from = self._complete_at
            self._complete_at = self._now()
            self._listening.set()
            if gap_from is not None:
                self.reconnects += 1
                log.info("live_listener_resumed", gap_from=gap_from.isoformat())
                self._on_resync(gap_from)
            while not lost.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(lost.wait(), self._check_interval)
                if lost.is_set():
                    break
                checked_at = self._now()
                await conn.fetchval("SELECT 1", timeout=self._check_interval)
                self._complete_at = checked_at
            log.warning("live_listener_connection_closed")
        finally:
            with contextlib.suppress(*CONNECTION_LOST, asyncpg.PostgresError):
                await asyncio.wait_for(conn.close(), 2)
            conn.terminate()

    def _received(self, _conn: object, _pid: int, _channel: str, payload: object) -> None:
        change = WorkflowChanged.parse(payload) if isinstance(payload, str) else None
        if change is None:
            log.warning("live_announcement_ignored", payload=str(payload)[:200])
            return
        self._on_change(change)
