"""The append-only event log of workflow instances (MongoDB)."""

from __future__ import annotations

from collections.abc import Sequence

from pymongo import ASCENDING
from pymongo.errors import BulkWriteError, DuplicateKeyError

from wfm_engine import Event
from wfm_shared.errors import Conflict
from wfm_shared.principal import Principal
from wfm_storage.documents import document_to_event, event_id, event_to_document
from wfm_storage.mongo import MongoStore, retry_busy_write, tenant_filter

DUPLICATE_KEY = 11000
BATCH_SIZE = 10_000


class EventStore:
    def __init__(self, mongo: MongoStore) -> None:
        self._events = mongo.events

    async def append(self, events: Sequence[Event]) -> None:
        """Append in seq order. The unique (instance, seq) index turns a concurrent writer's
        append into CONFLICT: optimistic concurrency without transactions."""
        if not events:
            return
        documents = [event_to_document(e) for e in events]
        try:
            # one SQLite transaction on FerretDB: a busy answer stored none of the events
            await retry_busy_write(lambda: self._events.insert_many(documents, ordered=True))
        except DuplicateKeyError:
            raise Conflict(f"workflow {events[0].instance_id} was changed concurrently") from None
        except BulkWriteError as error:
            codes = {e.get("code") for e in error.details.get("writeErrors", [])}
            if codes == {DUPLICATE_KEY}:
                raise Conflict(
                    f"workflow {events[0].instance_id} was changed concurrently"
                ) from None
            raise

    async def for_instances(
        self, principal: Principal, instance_ids: Sequence[str], *, after_seq: int = 0
    ) -> dict[str, list[Event]]:
        """Every event of the given instances, one query for all of them, in seq order."""
        found: dict[str, list[Event]] = {i: [] for i in instance_ids}
        if not instance_ids:
            return found
        query = {
            **tenant_filter(principal),
            "workflowInstanceId": {"$in": list(instance_ids)},
        }
        if after_seq:
            query["seq"] = {"$gt": after_seq}
        # One large first batch: a page of workflows costs one round trip, not one per 101 events.
        cursor = (
            self._events.find(query)
            .sort([("workflowInstanceId", ASCENDING), ("seq", ASCENDING)])
            .batch_size(BATCH_SIZE)
        )
        async for doc in cursor:
            found.setdefault(doc["workflowInstanceId"], []).append(document_to_event(doc))
        return found

    async def for_instance(
        self, principal: Principal, instance_id: str, *, after_seq: int = 0
    ) -> list[Event]:
        return (await self.for_instances(principal, [instance_id], after_seq=after_seq))[
            instance_id
        ]

    async def exists(self, instance_id: str, seq: int) -> bool:
        """Whether the instance's log has event `seq`: one lookup by `_id`, for callers that
        already hold the instance under their principal."""
        found = await self._events.find_one({"_id": event_id(instance_id, seq)}, {"_id": 1})
        return found is not None

    async def with_idempotency_key(
        self, principal: Principal, instance_id: str, key: str
    ) -> list[Event]:
        """The events a request with this key appended to the instance, in seq order."""
        cursor = self._events.find(
            {**tenant_filter(principal), "workflowInstanceId": instance_id, "idempotencyKey": key}
        ).sort("seq", ASCENDING)
        return [document_to_event(doc) async for doc in cursor]

    async def latest_seqs(
        self, principal: Principal, instance_ids: Sequence[str]
    ) -> dict[str, int]:
        """The last seq of each instance's log (absent: no events), one query. (FerretDB v1
        lacks the $max accumulator, so the seqs come back projected and are compared here.)"""
        if not instance_ids:
            return {}
        cursor = self._events.find(
            {**tenant_filter(principal), "workflowInstanceId": {"$in": list(instance_ids)}},
            {"_id": 0, "workflowInstanceId": 1, "seq": 1},
        ).batch_size(BATCH_SIZE)
        latest: dict[str, int] = {}
        async for doc in cursor:
            instance = doc["workflowInstanceId"]
            latest[instance] = max(latest.get(instance, 0), int(doc["seq"]))
        return latest
