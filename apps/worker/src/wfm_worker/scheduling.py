"""Time-driven work: due timers (SLAs, approval deadlines, delays) and schedule triggers.
Both run on the injectable clock, so tests move time instead of waiting for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from croniter import croniter

from wfm_storage import jobs
from wfm_worker.context import WorkerDeps

TIMER_BATCH = 200


@dataclass
class TickReport:
    timers: int = 0
    schedules: list[str] = field(default_factory=list)


def latest_slot(cron: str, timezone: str, now: datetime) -> datetime:
    """The most recent time at or before `now` the cron expression names, read in `timezone`
    (so `0 6 * * *` in Europe/Brussels follows daylight saving)."""
    local_now = now.astimezone(ZoneInfo(timezone))
    if croniter.match(cron, local_now.replace(second=0, microsecond=0)) and local_now.second == 0:
        return local_now
    slot: datetime = croniter(cron, local_now).get_prev(datetime)
    return slot


async def fire_due_timers(deps: WorkerDeps, now: datetime) -> int:
    """Mark due timers fired and leave a job for each, in one transaction per batch."""
    fired = 0
    while True:
        async with deps.storage.db.transaction(deps.principal) as conn:
            due = await deps.storage.timers.take_due(conn, now, TIMER_BATCH)
            for timer in due:
                payload = {
                    "timerId": timer.id,
                    "instanceId": str(timer.instance_id),
                    "kind": timer.kind,
                    "stepId": timer.step_id,
                    "activationSeq": timer.activation_seq,
                }
                await deps.storage.jobs.enqueue(
                    conn, jobs.TIMER_FIRED, payload, dedupe_key=jobs.timer_key(timer.id)
                )
        fired += len(due)
        if len(due) < TIMER_BATCH:
            return fired


async def fire_due_schedules(deps: WorkerDeps, now: datetime) -> list[str]:
    """Start each schedule trigger's most recent slot once. Several workers may run this at
    the same moment: the firing's primary key lets one of them through. A worker that was
    down fires the latest missed slot only, not every one it missed."""
    started: list[str] = []
    async with deps.storage.db.transaction(deps.principal) as conn:
        for trigger in await deps.storage.triggers.list(conn, kind="schedule"):
            assert trigger.cron is not None
            assert trigger.timezone is not None
            slot = latest_slot(trigger.cron, trigger.timezone, now)
            if slot < trigger.created_at:
                continue  # no slot of this trigger has come yet
            fire_key = f"schedule:{slot.isoformat()}"
            if await deps.storage.triggers.claim(conn, trigger, fire_key):
                job = {
                    "triggerId": str(trigger.id),
                    "fireKey": fire_key,
                    "trigger": {
                        "type": "schedule",
                        "cron": trigger.cron,
                        "timezone": trigger.timezone,
                        "slot": slot.isoformat(),
                    },
                }
                key = jobs.firing_key(str(trigger.id), fire_key)
                await deps.storage.jobs.enqueue(conn, jobs.START_TRIGGERED, job, dedupe_key=key)
                started.append(fire_key)
    return started
