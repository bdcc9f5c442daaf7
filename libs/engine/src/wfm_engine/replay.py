"""Rebuilding an instance from its log, up to any point (time travel for audit)."""

from __future__ import annotations

from collections.abc import Sequence

from wfm_engine.events import Event
from wfm_engine.evolve import fold
from wfm_engine.state import InstanceState


def rebuild(events: Sequence[Event], until_seq: int | None = None) -> InstanceState:
    """The state after event `until_seq` (after the last event when None)."""
    if until_seq is not None and not 1 <= until_seq <= len(events):
        raise ValueError(f"seq {until_seq} is outside 1..{len(events)}")
    state = fold(e for e in events if until_seq is None or e.seq <= until_seq)
    if state is None:
        raise ValueError("no events to rebuild from")
    return state
