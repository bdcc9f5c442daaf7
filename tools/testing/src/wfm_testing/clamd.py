"""A real local peer speaking ClamAV's daemon protocol (PING and INSTREAM), on loopback TCP
or a Unix socket: it finds the EICAR test string, and refuses streams past its size limit
the way clamd does (an ERROR answer, then the connection closed mid-stream)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import struct
import tempfile
from types import TracebackType

from wfm_devkit.clamav import EICAR, EICAR_SIGNATURE

# clamd's default StreamMaxLength
DEFAULT_MAX_STREAM_BYTES = 25 * 1024 * 1024


class ClamdPeer:
    """clamd on 127.0.0.1 (or a Unix socket in a directory of its own, `unix=True`);
    `address` is what WFM_CLAMD_ADDRESS takes. It keeps every stream it scanned
    (`streams`), counts the streams it refused as too large (`refused`) and the PINGs;
    `stalled = True` makes it take commands and never answer, like a hung daemon, and
    `failing = "<reason>"` answers every command `<reason> ERROR`."""

    def __init__(
        self, *, unix: bool = False, max_stream_bytes: int = DEFAULT_MAX_STREAM_BYTES
    ) -> None:
        self.max_stream_bytes = max_stream_bytes
        self.stalled = False
        self.failing: str | None = None
        self.streams: list[bytes] = []
        self.refused = 0
        self.pings = 0
        self._unix = unix
        self._directory: str | None = None
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self.address = ""

    @property
    def scans(self) -> int:
        """Streams scanned to a verdict."""
        return len(self.streams)

    async def start(self) -> None:
        if self._unix:
            # a short path of its own: Unix socket paths are limited to about 100 bytes
            self._directory = tempfile.mkdtemp(prefix="clamd-")
            path = os.path.join(self._directory, "clamd.sock")
            self._server = await asyncio.start_unix_server(self._serve, path=path)
            self.address = f"unix://{path}"
        else:
            self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
            port = self._server.sockets[0].getsockname()[1]
            self.address = f"tcp://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for task in list(self._connections):
                task.cancel()
            await asyncio.gather(*self._connections, return_exceptions=True)
            await self._server.wait_closed()
            self._server = None
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)
            self._directory = None

    async def __aenter__(self) -> ClamdPeer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            answer = await self._answer(reader)
            if answer is not None:
                writer.write(answer)
                await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass  # the client went away: nothing to answer
        finally:
            self._connections.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _answer(self, reader: asyncio.StreamReader) -> bytes | None:
        """The answer to one command, terminated as the command's prefix asks (z: NUL,
        n: newline); None: no answer (a stalled daemon)."""
        prefix = await reader.readexactly(1)
        end = {b"z": b"\0", b"n": b"\n"}.get(prefix)
        if end is None:
            return b"UNKNOWN COMMAND\n"
        command = (await reader.readuntil(end))[:-1]
        if self.stalled:
            await reader.read()  # everything, until the client gives up and hangs up
            return None
        if self.failing is not None:
            return f"{self.failing} ERROR".encode() + end
        if command == b"PING":
            self.pings += 1
            answer = b"PONG"
        elif command == b"INSTREAM":
            answer = await self._instream(reader)
        else:
            answer = b"UNKNOWN COMMAND"
        return answer + end

    async def _instream(self, reader: asyncio.StreamReader) -> bytes:
        received = bytearray()
        while size := struct.unpack(">I", await reader.readexactly(4))[0]:
            if len(received) + size > self.max_stream_bytes:
                # as clamd: answer at once and close, the rest of the stream unread
                self.refused += 1
                return b"INSTREAM size limit exceeded. ERROR"
            received += await reader.readexactly(size)
        self.streams.append(bytes(received))
        if EICAR in received:
            return f"stream: {EICAR_SIGNATURE} FOUND".encode()
        return b"stream: OK"
