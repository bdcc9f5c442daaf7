"""Sliding windows of per-client limits, shared by every process on the database
(wfm.throttle_windows, through the functions of migration 0009)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from wfm_storage.postgres import Executor


@dataclass(frozen=True)
class WindowCheck:
    """At most `limit` events of `key` under `scope` within the last `window_seconds`."""

    scope: str
    key: str
    limit: int
    window_seconds: float


def key_digest(scope: str, key: str) -> bytes:
    # a fixed-size key, and no e-mail or address kept in the table
    return hashlib.sha256(f"{scope}\x00{key}".encode()).digest()


class ThrottleWindows:
    async def admit(self, ex: Executor, checks: Sequence[WindowCheck], at: datetime) -> float:
        """Count an event at `at` for every check, or for none: 0.0 when admitted, otherwise
        the seconds until all of them may have another event."""
        wait = await ex.fetchval(
            "SELECT wfm.throttle_admit($1::text[], $2::bytea[], $3::integer[], "
            "$4::double precision[], $5)",
            [c.scope for c in checks],
            [key_digest(c.scope, c.key) for c in checks],
            [c.limit for c in checks],
            [c.window_seconds for c in checks],
            at,
        )
        return float(wait)

    async def release(self, ex: Executor, scope: str, key: str, at: datetime) -> None:
        """Take back the event counted at `at`."""
        await ex.execute(
            "SELECT wfm.throttle_release($1, $2, $3)", scope, key_digest(scope, key), at
        )

    async def reset(self, ex: Executor, scope: str, key: str) -> None:
        await ex.execute("SELECT wfm.throttle_reset($1, $2)", scope, key_digest(scope, key))
