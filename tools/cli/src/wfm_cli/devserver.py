"""The API in the foreground of `wfm dev`, in front of the embedded servers (imported only
by that command: uvicorn is not needed by the others)."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator

import uvicorn


def terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


class ForegroundServer(uvicorn.Server):
    """Stops gracefully on Ctrl-C / SIGTERM and returns, so that the embedded servers are
    stopped after it (uvicorn would re-raise the signal once it has shut down)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        previous = {
            sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
