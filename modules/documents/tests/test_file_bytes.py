"""The bytes of attachments in MongoDB, in GridFS's layout (the bucket `attachments`), on the
server the suite runs on (FerretDB by default): streamed in chunk by chunk, read back chunk
by chunk by `_id` from an index, readable by any GridFS reader; a write that fails leaves
nothing behind; a tenant reads only its own files."""

import asyncio
import hashlib
import os
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from gridfs import AsyncGridFSBucket
from pymongo import AsyncMongoClient

from wfm_storage.file_bytes import CHUNK_BYTES, FileBytes, MissingBytes
from wfm_storage.mongo import MongoStore
from wfm_storage.mongo_indexes import (
    FILE_BUCKET,
    FILE_CHUNKS,
    FILES,
    ferretdb_tables,
    migrate_mongo,
)

TENANT = uuid.uuid4()


async def pieces(data: bytes, size: int) -> AsyncIterator[bytes]:
    """The file as a request streams it: in pieces of any size."""
    for start in range(0, len(data), size):
        yield data[start : start + size]


class ClientGone(Exception):
    pass


async def broken_off(data: bytes, after: int) -> AsyncIterator[bytes]:
    """The file until `after` bytes, then the client is gone."""
    async for piece in pieces(data[:after], 64 * 1024):
        yield piece
    raise ClientGone


@pytest.fixture(scope="module")
async def mongo(wfm_servers):
    """A database of its own, with the index plan applied, and some files in it."""
    name = f"wfm_files_{uuid.uuid4().hex[:8]}"
    await migrate_mongo(
        wfm_servers.mongodb_url, name, ferretdb_storage_url=wfm_servers.ferretdb_postgresql_url
    )
    store = MongoStore.connect(wfm_servers.mongodb_url, name)
    await store.open()
    yield store
    await store.close()
    client = AsyncMongoClient(wfm_servers.mongodb_url)
    await client.drop_database(name)
    await client.close()


async def counts(mongo: MongoStore, file_id: uuid.UUID) -> tuple[int, int]:
    return (
        await mongo.db[FILES].count_documents({"_id": str(file_id)}),
        await mongo.db[FILE_CHUNKS].count_documents({"files_id": str(file_id)}),
    )


async def read_all(chunks: AsyncIterator[bytes]) -> bytes:
    return b"".join([chunk async for chunk in chunks])


@pytest.mark.parametrize("size", [0, 1, CHUNK_BYTES, CHUNK_BYTES + 1, 3 * CHUNK_BYTES - 7])
async def test_a_file_is_stored_in_chunks_and_read_back_whole(mongo, size):
    store, file_id = FileBytes(mongo), uuid.uuid4()
    data = os.urandom(size)
    stored = await store.write(file_id, pieces(data, 64 * 1024 + 3), tenant_id=TENANT, name="a")
    assert (stored.size, stored.sha256) == (size, hashlib.sha256(data).hexdigest())
    assert await counts(mongo, file_id) == (1, -(-size // CHUNK_BYTES))
    chunks = [chunk async for chunk in await store.read(file_id, TENANT)]
    assert b"".join(chunks) == data
    assert all(len(chunk) == CHUNK_BYTES for chunk in chunks[:-1])


async def test_any_gridfs_reader_reads_the_files(mongo):
    store, file_id = FileBytes(mongo), uuid.uuid4()
    data = os.urandom(2 * CHUNK_BYTES + 100)
    await store.write(file_id, pieces(data, 50_000), tenant_id=TENANT, name="guarantee.pdf")
    bucket = AsyncGridFSBucket(mongo.db, bucket_name=FILE_BUCKET)
    grid_out = await bucket.open_download_stream(str(file_id))
    assert (grid_out.filename, grid_out.length) == ("guarantee.pdf", len(data))
    assert await grid_out.read() == data


async def test_a_write_that_breaks_off_leaves_nothing_behind(mongo):
    store, file_id = FileBytes(mongo), uuid.uuid4()
    data = os.urandom(3 * CHUNK_BYTES)
    with pytest.raises(ClientGone):
        # two chunks are written before the client goes
        await store.write(
            file_id, broken_off(data, 2 * CHUNK_BYTES + 10), tenant_id=TENANT, name="a"
        )
    assert await counts(mongo, file_id) == (0, 0)
    with pytest.raises(MissingBytes):
        await store.read(file_id, TENANT)


async def test_a_file_is_read_only_under_its_own_tenant_and_deleted_whole(mongo):
    store, file_id = FileBytes(mongo), uuid.uuid4()
    await store.write(file_id, pieces(b"x" * (CHUNK_BYTES + 1), 1000), tenant_id=TENANT, name="a")
    with pytest.raises(MissingBytes):
        await store.read(file_id, uuid.uuid4())
    assert await store.delete(file_id)
    assert await counts(mongo, file_id) == (0, 0)
    assert not await store.delete(file_id)  # deleting again changes nothing


async def test_every_read_of_a_file_is_answered_from_an_index(mongo, wfm_servers):
    store = FileBytes(mongo)
    # enough small files that a scan costs more than an index to the planner
    ids = [uuid.uuid4() for _ in range(2000)]
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        await asyncio.gather(
            *(store.write(i, pieces(b"%PDF", 4), tenant_id=TENANT, name="a") for i in batch)
        )
    probe = str(ids[17])
    paths = {
        "the files document: _id": (FILES, {"_id": probe}),
        "a chunk: _id": (FILE_CHUNKS, {"_id": f"{probe}:1"}),
        "deleting the chunks: files_id": (FILE_CHUNKS, {"files_id": probe}),
    }
    if mongo.server.is_ferretdb:
        conn = await asyncpg.connect(wfm_servers.ferretdb_postgresql_url)
        try:
            for table in (
                await ferretdb_tables(conn, mongo.db.name, [FILES, FILE_CHUNKS])
            ).values():
                await conn.execute(f'ANALYZE "{mongo.db.name}"."{table}"')
        finally:
            await conn.close()
    for path, (collection, query) in paths.items():
        explained = await mongo.db.command(
            {"explain": {"find": collection, "filter": query}, "verbosity": "queryPlanner"}
        )
        if mongo.server.is_ferretdb:
            plan = explained["queryPlanner"]["Plan"]
            nodes = [plan, *plan.get("Plans", [])]
            assert "Seq Scan" not in {n["Node Type"] for n in nodes}, path
            assert any(str(n.get("Index Name", "")).endswith("_wfm_gin") for n in nodes), path
        else:
            assert "COLLSCAN" not in str(explained["queryPlanner"]["winningPlan"]), path
