"""Instance documents (MongoDB): the current state, a projection of the event log."""

from __future__ import annotations

from collections.abc import Sequence

from pymongo.errors import DuplicateKeyError

from wfm_engine import InstanceState
from wfm_shared.principal import Principal
from wfm_storage.documents import document_to_state, state_to_document
from wfm_storage.mongo import MongoStore, visible_to


class InstanceDocuments:
    """Every read selects by `_id` (indexed on every server) and keeps what the principal
    may see."""

    def __init__(self, mongo: MongoStore) -> None:
        self._mongo = mongo
        self._instances = mongo.instances

    async def save(self, state: InstanceState) -> bool:
        """Write `state` unless the stored document is already at or past its version (the
        `_id` selects, the version guard is checked on that one document)."""
        try:
            result = await self._instances.replace_one(
                {"_id": state.id, "version": {"$lt": state.version}},
                state_to_document(state),
                upsert=True,
            )
        except DuplicateKeyError:
            return False  # the document exists at a newer version: never move it back
        return bool(result.modified_count or result.upserted_id is not None)

    async def by_ids(self, principal: Principal, ids: Sequence[str]) -> dict[str, InstanceState]:
        found = await self._mongo.find_by_keys(self._instances, "_id", list(dict.fromkeys(ids)))
        return {
            doc["_id"]: document_to_state(doc)
            for doc in found
            if visible_to(principal, doc["tenantId"])
        }

    async def get(self, principal: Principal, instance_id: str) -> InstanceState | None:
        doc = await self._instances.find_one({"_id": instance_id})
        if doc is None or not visible_to(principal, doc["tenantId"]):
            return None
        return document_to_state(doc)

    async def versions(self, principal: Principal, ids: Sequence[str]) -> dict[str, int]:
        found = await self._mongo.find_by_keys(
            self._instances, "_id", list(dict.fromkeys(ids)), {"version": 1, "tenantId": 1}
        )
        return {
            doc["_id"]: int(doc["version"])
            for doc in found
            if visible_to(principal, doc["tenantId"])
        }
