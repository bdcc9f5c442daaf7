"""Virus scanning of uploaded files: what a scanner is (`FileScanner`), and ClamAV's daemon
spoken to over its INSTREAM command (`ClamdScanner`).

The clamd protocol as used here, one command per connection: `zPING\\0` is answered
`PONG\\0`; `zINSTREAM\\0` is followed by the file in chunks, each a 4-byte big-endian length
and that many bytes, and a zero length to end it; clamd answers `stream: OK\\0`,
`stream: <signature> FOUND\\0` or `<reason> ERROR\\0`. Past its StreamMaxLength it answers
`INSTREAM size limit exceeded. ERROR` and closes the connection while the file is still
being sent."""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import struct
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from wfm_shared.errors import ServiceUnavailable
from wfm_shared.retries import TransientFailure
from wfm_shared.settings import Settings, socket_address

# clamd reads a stream in pieces; 64 KiB keeps every piece well below any StreamMaxLength
CHUNK_BYTES = 64 * 1024
DEFAULT_TIMEOUT_SECONDS = 30.0
# the longest answer read (a signature name is short): a peer that talks on is not clamd
_REPLY_LIMIT = 4096
_FOUND = re.compile(r"stream: (?P<signature>.+) FOUND")


@dataclass(frozen=True)
class ScanVerdict:
    """What the scanner found in a file: nothing, or the signature it matched."""

    infected: bool
    signature: str | None = None


class FileScanner(Protocol):
    async def scan(self, chunks: AsyncIterator[bytes]) -> ScanVerdict:
        """The verdict on the file made of `chunks`; ScannerUnavailable when there is none."""
        ...


class ScannerUnavailable(ServiceUnavailable, TransientFailure):
    """No verdict now (the scanner cannot be reached, is too slow, or answered an error):
    the file stays pending, and the job that scans it runs again later."""


class FileTooLargeToScan(Exception):
    """The scanner refuses files this large (clamd's StreamMaxLength is below the file's
    size): trying again cannot help. The file stays pending, never downloadable, until the
    scanner's limit is raised and the scan is tried again."""


class ClamdScanner:
    """ClamAV's daemon at `tcp://host:port` or `unix:///path`; `timeout` bounds the
    connection and every exchange on it (the scan of a large file among them)."""

    def __init__(self, address: str, *, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self.address = socket_address(address, setting="clamd address")
        self._timeout = timeout

    def __repr__(self) -> str:
        return f"ClamdScanner({self.address!r})"

    async def ping(self) -> None:
        """Return when clamd answers PING with PONG; ScannerUnavailable otherwise."""
        reply = await self._exchange(_frames(b"zPING\0"))
        if reply != "PONG":
            raise ScannerUnavailable(f"clamd at {self.address} answered PING with {reply!r}")

    async def scan(self, chunks: AsyncIterator[bytes]) -> ScanVerdict:
        return self._verdict(await self._exchange(_instream(chunks)))

    async def _exchange(self, frames: AsyncGenerator[bytes, None]) -> str:
        async with self._connection() as sock:
            await self._send_all(sock, frames)
            return await self._reply(sock)

    def _verdict(self, reply: str) -> ScanVerdict:
        if reply == "stream: OK":
            return ScanVerdict(infected=False)
        if found := _FOUND.fullmatch(reply):
            return ScanVerdict(infected=True, signature=found["signature"])
        if reply.startswith("INSTREAM size limit exceeded"):
            raise FileTooLargeToScan(
                f"clamd at {self.address} refuses files this large ({reply!r}): raise its "
                "StreamMaxLength above the largest maxBytes of the templates' attachments"
            )
        raise ScannerUnavailable(f"clamd at {self.address} answered {reply!r}")

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[socket.socket]:
        # Plain sockets rather than asyncio streams: after clamd's early refusal and reset,
        # the kernel still hands out its answer, which a stream reader would discard.
        try:
            async with asyncio.timeout(self._timeout):
                sock = await _connect(self.address)
        except (OSError, TimeoutError) as error:
            raise ScannerUnavailable(
                f"clamd at {self.address} cannot be reached: {_describe(error)}"
            ) from error
        try:
            yield sock
        finally:
            sock.close()

    async def _send_all(self, sock: socket.socket, frames: AsyncGenerator[bytes, None]) -> None:
        """Send every frame, or stop quietly where clamd hung up: its answer says why."""
        loop = asyncio.get_running_loop()
        async with contextlib.aclosing(frames):
            async for frame in frames:
                try:
                    async with asyncio.timeout(self._timeout):
                        await loop.sock_sendall(sock, frame)
                except ConnectionError:
                    return
                except (OSError, TimeoutError) as error:
                    raise ScannerUnavailable(
                        f"clamd at {self.address} did not take the file: {_describe(error)}"
                    ) from error

    async def _reply(self, sock: socket.socket) -> str:
        """clamd's answer, up to its terminating NUL (or the end of the connection)."""
        loop = asyncio.get_running_loop()
        received = b""
        try:
            async with asyncio.timeout(self._timeout):
                while b"\0" not in received and len(received) < _REPLY_LIMIT:
                    data = await loop.sock_recv(sock, _REPLY_LIMIT)
                    if not data:
                        break
                    received += data
        except (OSError, TimeoutError) as error:
            raise ScannerUnavailable(
                f"clamd at {self.address} gave no answer: {_describe(error)}"
            ) from error
        if not received:
            raise ScannerUnavailable(f"clamd at {self.address} closed without an answer")
        return received.partition(b"\0")[0].decode("utf-8", "replace").strip()


def scanner_from_settings(settings: Settings) -> FileScanner | None:
    """The configured scanner (WFM_CLAMD_ADDRESS), or None: files are then accepted
    unscanned."""
    if settings.clamd_address is None:
        return None
    return ClamdScanner(settings.clamd_address)


async def _connect(address: str) -> socket.socket:
    loop = asyncio.get_running_loop()
    parts = urlsplit(address)
    if parts.scheme == "unix":
        targets: list[tuple[int, int, int, Any]] = [
            (socket.AF_UNIX, socket.SOCK_STREAM, 0, parts.path)
        ]
    else:
        # socket_address made sure of both
        host, port = str(parts.hostname), int(parts.port or 0)
        found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        targets = [(family, kind, proto, target) for family, kind, proto, _, target in found]
    error: OSError = OSError(f"{address} resolves to no address")
    for family, kind, proto, target in targets:
        sock = socket.socket(family, kind, proto)
        sock.setblocking(False)
        try:
            await loop.sock_connect(sock, target)
        except OSError as failed:
            sock.close()
            error = failed
            continue
        except BaseException:
            sock.close()
            raise
        return sock
    raise error


async def _frames(*frames: bytes) -> AsyncGenerator[bytes, None]:
    for frame in frames:
        yield frame


async def _instream(chunks: AsyncIterator[bytes]) -> AsyncGenerator[bytes, None]:
    """The INSTREAM command and the file, re-cut into length-prefixed pieces of at most
    CHUNK_BYTES, then the zero length that ends it."""
    yield b"zINSTREAM\0"
    async for chunk in chunks:
        for start in range(0, len(chunk), CHUNK_BYTES):
            piece = chunk[start : start + CHUNK_BYTES]
            yield struct.pack(">I", len(piece)) + piece
    yield struct.pack(">I", 0)


def _describe(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return "timed out"
    return getattr(error, "strerror", None) or str(error) or type(error).__name__
