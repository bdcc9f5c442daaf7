"""B6, attachments: 10 MiB PDFs uploaded (`POST /files`, to the BRP's financial-guarantee
step) and downloaded (`GET /files/{id}`) over HTTP, one at a time, against the same bytes
written and read directly with `wfm_storage.file_bytes` in the benchmark's process (no HTTP,
no multipart, no PostgreSQL row); and the API process's resident memory while it streams
them: its peak over the uploads, and over the downloads, above what it held before the
first file. Each way runs on an API process just started, and its first file (which warms
up, and whose time is left out) is watched too: the memory a file leaves behind (freed, but
kept by the allocator for the next one) would otherwise hide a file held whole from the
later peaks."""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any

import asyncpg
import httpx

from wfm_cli.bench.measure import BenchError, percentiles
from wfm_cli.bench.scenarios import Raw
from wfm_devkit.accounts import Account
from wfm_devkit.documents import padded_pdf_document
from wfm_devkit.step_data import GUARANTEE_STEP
from wfm_storage.file_bytes import CHUNK_BYTES, FileBytes
from wfm_storage.mongo import MongoStore

# The largest file the BRP's financial-guarantee step takes (its `maxBytes`, 10 MiB).
FILE_BYTES = 10 * 1024 * 1024
MIB = 1024 * 1024
FILE_NAME = "guarantee-scan.pdf"
# What the direct writes are fed at a time: the pieces a request's body arrives in.
PIECE_BYTES = 64 * 1024
# How often the API's resident memory is read where its peak cannot be reset.
SAMPLE_SECONDS = 0.005


# -- the API process's memory -------------------------------------------------------------


def _status_kib(pid: int, key: str) -> int:
    """A `VmRSS:`-like line of /proc/<pid>/status, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    raise BenchError(f"/proc/{pid}/status has no {key}")


class PeakMemory:
    """A process's resident memory over the `with` block: before, at its peak, after. The peak is the kernel's (VmHWM, reset on entry by writing 5 to
    /proc/<pid>/clear_refs, which one's own processes allow), or, where the reset is
    refused, the highest VmRSS sampled every SAMPLE_SECONDS; the larger of the two when both
    are known."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.before_kib = self.peak_kib = self.after_kib = 0
        self.method = "sampled VmRSS"
        self.marks_kib: list[int] = []  # VmRSS after each file
        self._sampled = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self._sampled = max(self._sampled, _status_kib(self.pid, "VmRSS"))
            self._stop.wait(SAMPLE_SECONDS)

    def __enter__(self) -> PeakMemory:
        try:
            Path(f"/proc/{self.pid}/clear_refs").write_text("5")
            self.method = "VmHWM (reset first)"
        except OSError:
            pass
        self.before_kib = _status_kib(self.pid, "VmRSS")
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
        self.after_kib = _status_kib(self.pid, "VmRSS")
        peak = self._sampled
        if self.method.startswith("VmHWM"):
            peak = max(peak, _status_kib(self.pid, "VmHWM"))
        self.peak_kib = max(peak, self.before_kib, self.after_kib)

    def mark(self) -> None:
        """Note the memory now (after a file): whether it keeps growing shows here."""
        self.marks_kib.append(_status_kib(self.pid, "VmRSS"))

    def figures(self) -> dict[str, Any]:
        return {
            "before_mib": round(self.before_kib / 1024, 1),
            "peak_mib": round(self.peak_kib / 1024, 1),
            "after_mib": round(self.after_kib / 1024, 1),
            "growth_mib": round((self.peak_kib - self.before_kib) / 1024, 1),
            "method": self.method,
            "after_each_file_mib": [round(k / 1024, 1) for k in self.marks_kib],
        }


# -- what the scenario stores, and removes again --------------------------------------------


@dataclass(frozen=True)
class Uploaded:
    file_id: uuid.UUID
    workflow_id: uuid.UUID
    tenant_id: uuid.UUID
    sha256: str


@dataclass
class Stored:
    """The files B6 stored (through the API and directly): removed when it ends, as
    retention removes files (bytes deleted, rows stamped deleted), so that the dataset is
    the same for the next run."""

    owner: asyncpg.Connection
    file_bytes: FileBytes
    uploaded: list[Uploaded] = field(default_factory=list)
    direct: list[uuid.UUID] = field(default_factory=list)

    async def discard(self) -> None:
        for file_id in [u.file_id for u in self.uploaded] + self.direct:
            await self.file_bytes.delete(file_id)
        await self.owner.execute(
            "UPDATE wfm.files SET deleted_at = now() WHERE id = ANY($1::uuid[])",
            [u.file_id for u in self.uploaded],
        )


def direct_bytes(raw: Raw) -> FileBytes:
    """`file_bytes` on the benchmark's own MongoDB client."""
    return FileBytes(MongoStore(raw.mongo, raw.db.name, single_key_reads=raw.single_key_reads))


@dataclass(frozen=True)
class Uploader:
    """A workflow waiting on its steps, and its tenant's administrator, who uploads."""

    workflow_id: uuid.UUID
    tenant_id: uuid.UUID
    headers: dict[str, str]


async def uploaders(
    owner: asyncpg.Connection, admins: Mapping[str, Account], count: int
) -> list[Uploader]:
    """`count` onboardings in progress (the same ones first), each with its tenant's admin;
    fewer in the dataset: some take more than one file."""
    rows = await owner.fetch(
        "SELECT id, tenant_id FROM wfm.workflow_instances_index "
        "WHERE status = 'IN_PROGRESS' AND tenant_id = ANY($1::uuid[]) "
        "ORDER BY md5(id::text) LIMIT $2",
        [uuid.UUID(t) for t in admins],
        count,
    )
    if not rows:
        raise BenchError("no onboarding in progress to upload to: load the dataset again")
    found = [Uploader(r["id"], r["tenant_id"], admins[str(r["tenant_id"])].headers) for r in rows]
    return [found[n % len(found)] for n in range(count)]


# -- over HTTP -----------------------------------------------------------------------------


async def upload(http: httpx.AsyncClient, to: Uploader, document: bytes) -> Uploaded:
    """One `POST /files`: the fields, then the file (httpx sends the data fields first)."""
    response = await http.post(
        "/files",
        data={"workflowId": str(to.workflow_id), "stepId": GUARANTEE_STEP},
        files={"file": (FILE_NAME, document, "application/pdf")},
        headers=to.headers,
    )
    if response.status_code == 422 and "takes no files" in response.text:
        raise BenchError(
            "the dataset's workflows were started on a template whose guarantee step takes no "
            "files (loaded before attachments): load it again (wfm bench run --only B6 --fresh)"
        )
    if response.status_code != 201:
        raise BenchError(f"POST /files: HTTP {response.status_code}: {response.text[:300]}")
    body = response.json()
    if body["status"] == "pending":
        raise BenchError("the API scans uploads (WFM_CLAMD_ADDRESS): none is downloadable yet")
    return Uploaded(uuid.UUID(body["id"]), to.workflow_id, to.tenant_id, body["sha256"])


async def download(http: httpx.AsyncClient, file: Uploaded, headers: dict[str, str]) -> str:
    """One `GET /files/{id}`, read as it streams in; the bytes' SHA-256."""
    digest = hashlib.sha256()
    size = 0
    async with http.stream("GET", f"/files/{file.file_id}", headers=headers) as response:
        if response.status_code != 200:
            await response.aread()
            raise BenchError(f"GET /files: HTTP {response.status_code}: {response.text[:300]}")
        async for piece in response.aiter_raw():
            digest.update(piece)
            size += len(piece)
    if size != FILE_BYTES:
        raise BenchError(f"GET /files answered {size} bytes, not {FILE_BYTES}")
    return digest.hexdigest()


# -- directly ------------------------------------------------------------------------------


async def _pieces(document: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(document), PIECE_BYTES):
        yield document[start : start + PIECE_BYTES]


async def write_directly(
    file_bytes: FileBytes, stored: Stored, tenant_id: uuid.UUID, document: bytes
) -> None:
    file_id = uuid.uuid4()
    stored.direct.append(file_id)
    await file_bytes.write(file_id, _pieces(document), tenant_id=tenant_id, name=FILE_NAME)


async def read_directly(file_bytes: FileBytes, file: Uploaded) -> str:
    digest = hashlib.sha256()
    async for piece in await file_bytes.read(file.file_id, file.tenant_id):
        digest.update(piece)
    return digest.hexdigest()


# -- the scenario --------------------------------------------------------------------------


async def _seconds(
    calls: list[Callable[[], Awaitable[Any]]], memory: PeakMemory | None = None
) -> list[float]:
    taken = []
    for call in calls:
        started = time.perf_counter()
        await call()
        taken.append(time.perf_counter() - started)
        if memory is not None:
            memory.mark()
    return taken


def _transfer(samples: list[float]) -> dict[str, float]:
    """Seconds per file (p50, p95, mean) and MiB/s at the median."""
    figures = percentiles(samples)
    return {
        "p50_s": round(figures["p50_ms"] / 1000, 3),
        "p95_s": round(figures["p95_ms"] / 1000, 3),
        "mean_s": round(figures["mean_ms"] / 1000, 3),
        "mib_per_s": round(FILE_BYTES / MIB / (figures["p50_ms"] / 1000), 1),
        "samples": figures["samples"],
    }


def _pair(api: dict[str, float], direct: dict[str, float]) -> dict[str, Any]:
    return {
        "api": api,
        "direct": direct,
        "ratio_p50": round(api["p50_s"] / direct["p50_s"], 2),
        "ratio_p95": round(api["p95_s"] / direct["p95_s"], 2),
    }


def guarantee_scan() -> bytes:
    """The file B6 moves: a guarantee's copy scanned to a PDF of 10 MiB."""
    return padded_pdf_document("Bank guarantee KBC-GAR-2026-000042", FILE_BYTES)


@dataclass(frozen=True)
class Phase:
    """Files moved over HTTP one after the other: the seconds of each but the first (which
    warms up), and the API's memory over all of them."""

    seconds: list[float]
    memory: PeakMemory


async def upload_files(
    http: httpx.AsyncClient,
    admins: Mapping[str, Account],
    api_pid: int,
    stored: Stored,
    document: bytes,
    *,
    files: int,
) -> Phase:
    """`files` + 1 uploads of `document`, to onboardings of the dataset as their tenants'
    administrators."""
    targets = await uploaders(stored.owner, admins, files + 1)

    async def upload_to(to: Uploader) -> None:
        stored.uploaded.append(await upload(http, to, document))

    with PeakMemory(api_pid) as memory:
        await upload_to(targets[0])
        memory.mark()
        taken = await _seconds([partial(upload_to, to) for to in targets[1:]], memory)
    if stored.uploaded[0].sha256 != hashlib.sha256(document).hexdigest():
        raise BenchError("the API hashed another file than the one uploaded")
    return Phase(taken, memory)


async def download_files(
    http: httpx.AsyncClient,
    admins: Mapping[str, Account],
    api_pid: int,
    stored: Stored,
    document: bytes,
) -> Phase:
    """Every file `upload_files` stored, downloaded and checked to be `document`."""
    expected = hashlib.sha256(document).hexdigest()

    async def download_of(file: Uploaded) -> None:
        headers = admins[str(file.tenant_id)].headers
        if await download(http, file, headers) != expected:
            raise BenchError(f"file {file.file_id} came back changed")

    warm, measured = stored.uploaded[0], stored.uploaded[1:]
    with PeakMemory(api_pid) as memory:
        await download_of(warm)
        memory.mark()
        taken = await _seconds([partial(download_of, f) for f in measured], memory)
    return Phase(taken, memory)


async def direct_transfers(stored: Stored, document: bytes) -> tuple[list[float], list[float]]:
    """The seconds of writing `document` with `file_bytes` as many times as it was uploaded
    (after one more), and of reading the uploaded files back with it."""
    expected = hashlib.sha256(document).hexdigest()
    file_bytes = stored.file_bytes
    warm, measured = stored.uploaded[0], stored.uploaded[1:]

    async def write() -> None:
        await write_directly(file_bytes, stored, warm.tenant_id, document)

    async def read_of(file: Uploaded) -> None:
        if await read_directly(file_bytes, file) != expected:
            raise BenchError(f"file {file.file_id} reads back changed")

    await write()
    writing = await _seconds([write for _ in measured])
    await read_of(warm)
    reading = await _seconds([partial(read_of, f) for f in measured])
    return writing, reading


def figures(
    stored: Stored, uploads: Phase, downloads: Phase, writing: list[float], reading: list[float]
) -> dict[str, Any]:
    measured = stored.uploaded[1:]
    return {
        "file_bytes": FILE_BYTES,
        "chunk_bytes": CHUNK_BYTES,
        "files": len(measured),
        "workflows": len({u.workflow_id for u in measured}),
        "upload": _pair(_transfer(uploads.seconds), _transfer(writing)),
        "download": _pair(_transfer(downloads.seconds), _transfer(reading)),
        "memory": {"upload": uploads.memory.figures(), "download": downloads.memory.figures()},
    }
