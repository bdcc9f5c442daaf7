"""What a running `wfm dev` shares with the other `wfm` commands: a lock on its data
directory (one `wfm dev` per directory; `wfm clean` waits for none) and the connection
details of its servers, which every command uses when no URL is configured."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

LOCK_FILE = "wfm-dev.lock"
STATE_FILE = "servers.json"


@dataclass(frozen=True)
class DevServers:
    pid: int
    started_at: str
    api_url: str
    database_url: str
    mongodb_url: str
    mongodb_database: str
    ferretdb_postgresql_url: str | None


class DevAlreadyRunning(RuntimeError):
    def __init__(self, directory: Path, servers: DevServers | None) -> None:
        who = f"pid {servers.pid}, API at {servers.api_url}" if servers else "starting up"
        super().__init__(f"`wfm dev` already runs on {directory} ({who})")
        self.servers = servers


def _open_lock(directory: Path) -> IO[str]:
    directory.mkdir(parents=True, exist_ok=True)
    return (directory / LOCK_FILE).open("a+")


def _read_state(directory: Path) -> DevServers | None:
    try:
        return DevServers(**json.loads((directory / STATE_FILE).read_text()))
    except (OSError, ValueError, TypeError):
        return None


class DevLock:
    """Held by `wfm dev` for as long as it runs (released by the kernel if it dies)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        handle = _open_lock(self.directory)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise DevAlreadyRunning(self.directory, _read_state(self.directory)) from None
        self._handle = handle
        # what a dead predecessor left is not true any more
        (self.directory / STATE_FILE).unlink(missing_ok=True)

    def record(self, servers: DevServers) -> None:
        """Tell the other commands where the servers are (written whole, then renamed)."""
        draft = self.directory / f".{STATE_FILE}.{os.getpid()}"
        draft.write_text(json.dumps(asdict(servers), indent=2) + "\n")
        draft.chmod(0o600)
        draft.replace(self.directory / STATE_FILE)

    def release(self) -> None:
        if self._handle is None:
            return
        (self.directory / STATE_FILE).unlink(missing_ok=True)
        fcntl.flock(self._handle, fcntl.LOCK_UN)
        self._handle.close()
        self._handle = None


def is_running(directory: Path) -> bool:
    """Whether a `wfm dev` holds the lock of `directory` now."""
    if not (directory / LOCK_FILE).exists():
        return False
    with contextlib.closing(_open_lock(directory)) as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def running_servers(directory: Path) -> DevServers | None:
    """The servers of the `wfm dev` that runs on `directory` now, or None."""
    return _read_state(directory) if is_running(directory) else None
