"""The append-only event log of workflow instances (MongoDB)."""

from __future__ import annotations

from collections.abc import Sequence

from pymongo.errors import BulkWriteError, DuplicateKeyError

from wfm_engine import Event
from wfm_shared.errors import Conflict
from wfm_shared.principal import Principal
from wfm_storage.documents import document_to_event, event_id, event_to_document
from wfm_storage.mongo import MongoStore, visible_to

DUPLICATE_KEY = 11000


class EventStore:
    """Reads select by `workflowInstanceId` or `_id` (indexed on every server), keep what the
    principal may see, and order by seq here: no sort or range reaches the server."""

    def __init__(self, mongo: MongoStore) -> None:
        self._mongo = mongo
        self._events = mongo.events

    async def append(self, events: Sequence[Event]) -> None:
        """Append in seq order. The unique (instance, seq) index turns a concurrent writer's
        append into CONFLICT: optimistic concurrency without transactions."""
        if not events:
            return
        documents = [event_to_document(e) for e in events]
        try:
            await self._events.insert_many(documents, ordered=True)
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
        """Every event of the given instances past `after_seq`, in seq order."""
        found: dict[str, list[Event]] = {i: [] for i in instance_ids}
        docs = await self._mongo.find_by_keys(
            self._events, "workflowInstanceId", list(dict.fromkeys(instance_ids))
        )
        for doc in sorted(docs, key=lambda d: int(d["seq"])):
            if doc["seq"] > after_seq and visible_to(principal, doc["tenantId"]):
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
        docs = await self._events.find(
            {"workflowInstanceId": instance_id, "idempotencyKey": key}
        ).to_list()
        return [
            document_to_event(doc)
            for doc in sorted(docs, key=lambda d: int(d["seq"]))
            if visible_to(principal, doc["tenantId"])
        ]

    async def latest_seqs(
        self, principal: Principal, instance_ids: Sequence[str]
    ) -> dict[str, int]:
        """The last seq of each instance's log (absent: no events). (FerretDB v1 lacks the
        $max accumulator, so the seqs come back projected and are compared here.)"""
        docs = await self._mongo.find_by_keys(
            self._events,
            "workflowInstanceId",
            list(dict.fromkeys(instance_ids)),
            {"_id": 0, "workflowInstanceId": 1, "seq": 1, "tenantId": 1},
        )
        latest: dict[str, int] = {}
        for doc in docs:
            if visible_to(principal, doc["tenantId"]):
                instance = doc["workflowInstanceId"]
                latest[instance] = max(latest.get(instance, 0), int(doc["seq"]))
        return latest
