"""ClamAV's daemon (Debian's /usr/sbin/clamd, `make install` installs it) as `make dev` and
the tests run it: a folder of its own, one signature database that knows the EICAR test
file, loopback TCP. There is no freshclam here (these machines have no internet): what is
exercised is the platform's side of scanning (pending, clean, infected, the protocol), not
the world's signatures. In production WFM_CLAMD_ADDRESS names a clamd that freshclam keeps
up to date."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

CLAMD = Path("/usr/sbin/clamd")
INSTALL_CLAMD = (
    "run `make install` (tools/testing/bin/install-debian-packages), "
    "or as root `apt-get install -y --no-install-recommends clamav-daemon`"
)
# The EICAR anti-virus test file, assembled here so that no scanner flags this source.
EICAR = b"".join(
    (b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$", b"EICAR-STANDARD-ANTIVIRUS-", b"TEST-FILE!$H+H*")
)
EICAR_SIGNATURE = "Eicar-Test-Signature"
STARTUP_SECONDS = 60.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0) as conn:
            conn.sendall(b"zPING\0")
            return conn.recv(16).startswith(b"PONG")
    except OSError:
        return False


class ClamavDaemon:
    """clamd on 127.0.0.1:<free port>; `address` is what WFM_CLAMD_ADDRESS takes. Streams
    past `max_stream_bytes` are refused as clamd refuses them (its StreamMaxLength)."""

    def __init__(self, *, max_stream_bytes: int = 25 * 1024 * 1024) -> None:
        if not CLAMD.exists():
            raise RuntimeError(f"ClamAV's daemon is not installed at {CLAMD}: {INSTALL_CLAMD}")
        self.max_stream_bytes = max_stream_bytes
        self.address = ""
        self._directory: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        directory = Path(tempfile.mkdtemp(prefix="wfm-clamd-"))
        self._directory = directory
        (directory / "db").mkdir()
        # an extended signature: any file (target 0) holding the EICAR string anywhere
        (directory / "db" / "wfm-test.ndb").write_text(f"{EICAR_SIGNATURE}:0:*:{EICAR.hex()}\n")
        port = _free_port()
        config = directory / "clamd.conf"
        config.write_text(
            "\n".join(
                (
                    "Foreground yes",
                    f"DatabaseDirectory {directory / 'db'}",
                    f"LogFile {directory / 'clamd.log'}",
                    f"PidFile {directory / 'clamd.pid'}",
                    f"TemporaryDirectory {directory}",
                    "TCPAddr 127.0.0.1",
                    f"TCPSocket {port}",
                    f"StreamMaxLength {self.max_stream_bytes}",
                    "MaxThreads 4",
                )
            )
            + "\n"
        )
        self._process = subprocess.Popen(  # noqa: S603 (a fixed program, our own config)
            [str(CLAMD), "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _answers_ping(port):
            if self._process.poll() is not None or time.monotonic() > deadline:
                log = (directory / "clamd.log").read_text(errors="replace")[-2000:]
                self.stop()
                raise RuntimeError(f"clamd did not start: {log}")
            time.sleep(0.1)
        self.address = f"tcp://127.0.0.1:{port}"

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    self._process.kill()
                self._process.wait()
        self._process = None
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)
            self._directory = None

    def __enter__(self) -> ClamavDaemon:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
