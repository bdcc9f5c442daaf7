"""The bytes of uploaded files, in MongoDB, in GridFS's layout (the bucket `attachments`): a
files document `{_id, length, chunkSize, uploadDate, filename, metadata: {tenantId}}` and
chunk documents `{_id, files_id, n, data}` of CHUNK_BYTES each (the last one shorter), so
that any GridFS reader (pymongo's `GridFSBucket`, `mongofiles`) reads them.

Written and read here rather than through pymongo's GridFS, because on the servers the
platform runs on that would not stream (see the README, "Attachments"):
- pymongo's `GridIn` keeps the chunks it was given in memory until the file is closed (up
  to 48 MB: the whole of any attachment); here each chunk is inserted as soon as it is full;
- `GridOut` reads the chunks with one query sorted by `n`, which FerretDB v1 answers by
  loading every chunk of the file and sorting them in its own memory; here each chunk is
  read by its `_id` (`<file id>:<n>`), one indexed lookup of one document on every server.
The files document is written last: until then the file does not exist for a reader, and a
write that fails (or is refused) deletes the chunks it wrote. An upload is noted first in
`attachments.uploads` and the note removed (`settled`) once its row is committed in
PostgreSQL: a process that crashed in between leaves a note, and `unsettled` finds such
bytes without reading the chunks.

MongoDB has no row-level security: a file is only ever asked for by an id that the
RLS-filtered `wfm.files` row gave, and its tenant is checked against the files document."""

from __future__ import annotations

import contextlib
import hashlib
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bson import Binary
from pymongo.asynchronous.collection import AsyncCollection

from wfm_storage.mongo import MongoStore
from wfm_storage.mongo_indexes import FILE_CHUNKS, FILE_UPLOADS, FILES

# GridFS's default chunk size: a chunk document stays far below MongoDB's 16 MB limit, and
# a download holds one chunk at a time
CHUNK_BYTES = 255 * 1024


@dataclass(frozen=True)
class StoredBytes:
    """What was written: the file's length and SHA-256 (hex), computed as it streamed in."""

    size: int
    sha256: str


class MissingBytes(Exception):
    """The file's bytes are not (or no longer, or not all) in MongoDB, or are another
    tenant's: the row that named them is stale."""


def chunk_id(file_id: uuid.UUID, n: int) -> str:
    return f"{file_id}:{n}"


class FileBytes:
    def __init__(self, mongo: MongoStore) -> None:
        self._files: AsyncCollection[Mapping[str, Any]] = mongo.db[FILES]
        self._chunks: AsyncCollection[Mapping[str, Any]] = mongo.db[FILE_CHUNKS]
        self._uploads: AsyncCollection[Mapping[str, Any]] = mongo.db[FILE_UPLOADS]

    async def write(
        self,
        file_id: uuid.UUID,
        chunks: AsyncIterator[bytes],
        *,
        tenant_id: uuid.UUID,
        name: str,
    ) -> StoredBytes:
        """Store everything `chunks` yields as the file `file_id`. Whatever `chunks` raises
        (a limit, a refused type, the client gone) or the write fails with, what was written
        is deleted and the error raised again."""
        digest = hashlib.sha256()
        size, n = 0, 0
        pending = bytearray()
        await self._uploads.insert_one(
            {"_id": str(file_id), "tenantId": str(tenant_id), "startedAt": datetime.now(UTC)}
        )
        try:
            async for piece in chunks:
                digest.update(piece)
                size += len(piece)
                pending += piece
                while len(pending) >= CHUNK_BYTES:
                    await self._insert_chunk(file_id, n, bytes(pending[:CHUNK_BYTES]))
                    del pending[:CHUNK_BYTES]
                    n += 1
            if pending:  # the tail (an empty file has no chunk, as in GridFS)
                await self._insert_chunk(file_id, n, bytes(pending))
            await self._files.insert_one(
                {
                    "_id": str(file_id),
                    "length": size,
                    "chunkSize": CHUNK_BYTES,
                    "uploadDate": datetime.now(UTC),
                    "filename": name,
                    "metadata": {"tenantId": str(tenant_id), "sha256": digest.hexdigest()},
                }
            )
        except BaseException:
            with contextlib.suppress(Exception):
                await self.delete(file_id)
            raise
        return StoredBytes(size, digest.hexdigest())

    async def _insert_chunk(self, file_id: uuid.UUID, n: int, data: bytes) -> None:
        await self._chunks.insert_one(
            {"_id": chunk_id(file_id, n), "files_id": str(file_id), "n": n, "data": Binary(data)}
        )

    async def read(self, file_id: uuid.UUID, tenant_id: uuid.UUID) -> AsyncIterator[bytes]:
        """The file's bytes, a chunk at a time. MissingBytes at once when there is no such
        file of `tenant_id`; while they are read, when a chunk is missing."""
        files = await self._files.find_one({"_id": str(file_id)})
        metadata = (files or {}).get("metadata") or {}
        if files is None or metadata.get("tenantId") != str(tenant_id):
            raise MissingBytes(f"no bytes for file {file_id}")
        return self._chunks_of(file_id, int(files["length"]), int(files["chunkSize"]))

    async def _chunks_of(self, file_id: uuid.UUID, length: int, size: int) -> AsyncIterator[bytes]:
        count = -(-length // size)  # ceiling
        for n in range(count):
            chunk = await self._chunks.find_one({"_id": chunk_id(file_id, n)})
            if chunk is None:
                raise MissingBytes(f"chunk {n} of file {file_id} is missing")
            yield bytes(chunk["data"])

    async def settled(self, file_id: uuid.UUID) -> None:
        """The file's row is committed: its bytes are no longer an upload under way."""
        await self._uploads.delete_one({"_id": str(file_id)})

    async def unsettled(self, started_before: datetime) -> list[uuid.UUID]:
        """Uploads begun before `started_before` whose row was never said committed. (The
        notes are few: one per upload under way or cut short. FerretDB filters a range in
        its own memory, so the comparison is made here.)"""
        notes = [note async for note in self._uploads.find({}, {"startedAt": 1})]
        return [
            uuid.UUID(str(note["_id"]))
            for note in notes
            if note["startedAt"].replace(tzinfo=UTC) < started_before
        ]

    async def delete(self, file_id: uuid.UUID) -> bool:
        """Remove the file's bytes (its files document first: a reader then sees no file);
        whether there was anything to remove."""
        files = await self._files.delete_one({"_id": str(file_id)})
        chunks = await self._chunks.delete_many({"files_id": str(file_id)})
        await self._uploads.delete_one({"_id": str(file_id)})
        return bool(files.deleted_count or chunks.deleted_count)
