"""Short, single-line excerpts of a peer's answer for error reasons and delivery logs:
bounded, so a peer's 5 MB error page never ends up in the event log."""

from __future__ import annotations

EXCERPT_CHARS = 200


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    collapsed = " ".join(text.split())
    return collapsed if len(collapsed) <= limit else collapsed[: limit - 1] + "…"
