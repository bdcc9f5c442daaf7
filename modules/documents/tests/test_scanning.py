"""The virus-scanning hook: ClamdScanner against a real clamd-protocol peer, over TCP and a
Unix socket."""

import socket
from collections.abc import AsyncIterator

import pytest
from pydantic import ValidationError

from wfm_devkit.clamav import ClamavDaemon
from wfm_documents.scanning import (
    ClamdScanner,
    FileTooLargeToScan,
    ScannerUnavailable,
    ScanVerdict,
    scanner_from_settings,
)
from wfm_shared.retries import TransientFailure
from wfm_shared.settings import Settings
from wfm_testing.clamd import EICAR, EICAR_SIGNATURE, ClamdPeer

TRANSPORTS = [pytest.param(False, id="tcp"), pytest.param(True, id="unix")]


async def chunks_of(data: bytes, size: int = 255 * 1024) -> AsyncIterator[bytes]:
    """The file as GridFS hands it out: in chunks of its own size."""
    for start in range(0, len(data), size):
        yield data[start : start + size]


def closed_port() -> int:
    """A loopback port with nobody listening: connecting to it is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@pytest.mark.parametrize("unix", TRANSPORTS)
async def test_a_clean_file_is_clean_and_reaches_the_scanner_whole(unix: bool) -> None:
    document = bytes(range(256)) * 4096  # 1 MiB, sent in several pieces
    async with ClamdPeer(unix=unix) as clamd:
        verdict = await ClamdScanner(clamd.address).scan(chunks_of(document))

    assert verdict == ScanVerdict(infected=False, signature=None)
    assert clamd.streams == [document]


@pytest.mark.parametrize("unix", TRANSPORTS)
async def test_an_infected_file_is_infected_with_the_signature_clamd_named(unix: bool) -> None:
    # the test string straddles two chunks of the upload
    document = b"%PDF-1.7\n" + b"x" * 100_000 + EICAR + b"\n%%EOF"
    async with ClamdPeer(unix=unix) as clamd:
        verdict = await ClamdScanner(clamd.address).scan(chunks_of(document, size=100_020))

    assert verdict == ScanVerdict(infected=True, signature=EICAR_SIGNATURE)


async def test_clamav_itself_passes_a_clean_file_and_names_the_eicar_test_file(
    clamav: ClamavDaemon,
) -> None:
    scanner = ClamdScanner(clamav.address)
    document = b"%PDF-1.7\n" + bytes(range(256)) * 2048 + b"\n%%EOF"

    clean = await scanner.scan(chunks_of(document))
    infected = await scanner.scan(chunks_of(document[:100_000] + EICAR + document[100_000:]))

    assert clean == ScanVerdict(infected=False, signature=None)
    # clamd marks a signature from a database of its own (not ClamAV's) as unofficial
    assert infected == ScanVerdict(infected=True, signature=f"{EICAR_SIGNATURE}.UNOFFICIAL")


async def test_an_empty_file_is_scanned_too(clamd: ClamdPeer) -> None:
    verdict = await ClamdScanner(clamd.address).scan(chunks_of(b""))

    assert verdict == ScanVerdict(infected=False)
    assert clamd.streams == [b""]


@pytest.mark.parametrize(
    "address",
    [pytest.param("tcp", id="tcp-refused"), pytest.param("unix", id="unix-no-socket")],
)
async def test_an_unreachable_scanner_is_unavailable_so_the_scan_is_retried(address: str) -> None:
    target = (
        f"tcp://127.0.0.1:{closed_port()}" if address == "tcp" else "unix:///nonexistent/clamd.sock"
    )
    scanner = ClamdScanner(target, timeout=2)

    with pytest.raises(ScannerUnavailable, match="cannot be reached") as raised:
        await scanner.scan(chunks_of(b"a guarantee"))
    with pytest.raises(ScannerUnavailable):
        await scanner.ping()
    # the worker retries what is transient, with its backoff
    assert isinstance(raised.value, TransientFailure)


async def test_a_scanner_that_never_answers_is_unavailable_after_the_timeout(
    clamd: ClamdPeer,
) -> None:
    clamd.stalled = True

    with pytest.raises(ScannerUnavailable, match="no answer"):
        await ClamdScanner(clamd.address, timeout=0.3).scan(chunks_of(b"a guarantee"))
    assert clamd.scans == 0


async def test_an_error_answer_is_unavailable_not_a_verdict(clamd: ClamdPeer) -> None:
    clamd.failing = "Can't allocate memory"

    with pytest.raises(ScannerUnavailable, match="Can't allocate memory ERROR"):
        await ClamdScanner(clamd.address).scan(chunks_of(b"a guarantee"))


@pytest.mark.parametrize("unix", TRANSPORTS)
async def test_a_file_beyond_the_scanners_size_limit_is_refused_for_good(unix: bool) -> None:
    # clamd answers mid-stream and hangs up; the answer is still read, and names the cause
    async with ClamdPeer(unix=unix, max_stream_bytes=100_000) as clamd:
        scanner = ClamdScanner(clamd.address)
        with pytest.raises(FileTooLargeToScan, match="StreamMaxLength") as raised:
            await scanner.scan(chunks_of(b"x" * 4_000_000))
        # retrying cannot help: not transient, the job is held at once with this reason
        assert not isinstance(raised.value, TransientFailure)
        assert (clamd.refused, clamd.scans) == (1, 0)

        # the limit is the scanner's: smaller files still get a verdict
        assert await scanner.scan(chunks_of(b"x" * 100_000)) == ScanVerdict(infected=False)


@pytest.mark.parametrize("unix", TRANSPORTS)
async def test_ping_is_answered_when_the_scanner_is_ready(unix: bool) -> None:
    async with ClamdPeer(unix=unix) as clamd:
        await ClamdScanner(clamd.address).ping()
        assert clamd.pings == 1

        clamd.failing = "Reloading database"
        with pytest.raises(ScannerUnavailable, match="Reloading database"):
            await ClamdScanner(clamd.address).ping()


def test_without_a_clamd_address_files_are_not_scanned() -> None:
    assert scanner_from_settings(Settings(clamd_address=None)) is None
    assert scanner_from_settings(Settings(clamd_address="  ")) is None


def test_the_clamd_address_comes_from_wfm_clamd_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for address in ("tcp://clamav.internal:3310", "unix:///run/clamav/clamd.ctl"):
        monkeypatch.setenv("WFM_CLAMD_ADDRESS", address)
        scanner = scanner_from_settings(Settings())
        assert isinstance(scanner, ClamdScanner)
        assert scanner.address == address


@pytest.mark.parametrize(
    "address",
    [
        "clamav:3310",
        "tcp://clamav",
        "tcp://clamav:3310/scan",
        "http://clamav:3310",
        "unix://run/clamd.ctl",
        "unix:///",
    ],
)
def test_a_malformed_clamd_address_is_refused_at_start_up(address: str) -> None:
    with pytest.raises(ValidationError, match=r"WFM_CLAMD_ADDRESS.*tcp://host:port or unix:///"):
        Settings(clamd_address=address)
