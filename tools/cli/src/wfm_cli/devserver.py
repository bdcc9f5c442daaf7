"""The API in the foreground of `wfm dev`, in front of the embedded servers (imported only
by that command: uvicorn is not needed by the others)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterator

import uvicorn

from wfm_shared.settings import Settings
from wfm_worker.worker import Worker


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


async def run_api_and_worker(server: uvicorn.Server, settings: Settings) -> None:
    """The API and the worker in one process; when the API stops, the worker stops too."""
    worker = Worker(settings.model_copy(update={"worker_metrics_port": 0}))
    await worker.start()
    running = asyncio.create_task(worker.run())
    try:
        await server.serve()
    finally:
        worker.stop()
        await running
        await worker.close()
