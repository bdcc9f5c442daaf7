"""Instance documents (MongoDB): the current state, a projection of the event log."""

from __future__ import annotations

from collections.abc import Sequence

from pymongo.errors import DuplicateKeyError

from wfm_engine import InstanceState
from wfm_shared.principal import Principal
from wfm_storage.documents import document_to_state, state_to_document
from wfm_storage.mongo import MongoStore, retry_busy_write, tenant_filter, visible_to


class InstanceDocuments:
    def __init__(self, mongo: MongoStore) -> None:
        self._instances = mongo.instances

    async def save(self, state: InstanceState) -> bool:
        """Write `state` unless the stored document is already at or past its version."""
        try:
            document = state_to_document(state)
            result = await retry_busy_write(
                lambda: self._instances.replace_one(
                    {"_id": state.id, "version": {"$lt": state.version}}, document, upsert=True
                )
            )
        except DuplicateKeyError:
            return False  # the document exists at a newer version: never move it back
        return bool(result.modified_count or result.upserted_id is not None)

    async def by_ids(self, principal: Principal, ids: Sequence[str]) -> dict[str, InstanceState]:
        if not ids:
            return {}
        if len(ids) == 1:  # one workflow: a lookup by _id alone (see `get`)
            found = await self.get(principal, ids[0])
            return {ids[0]: found} if found is not None else {}
        query = {**tenant_filter(principal), "_id": {"$in": list(ids)}}
        cursor = self._instances.find(query).batch_size(max(len(ids), 1) + 1)
        return {doc["_id"]: document_to_state(doc) async for doc in cursor}

    async def get(self, principal: Principal, instance_id: str) -> InstanceState | None:
        doc = await self._instances.find_one({"_id": instance_id})
        if doc is None or not visible_to(principal, doc["tenantId"]):
            return None
        return document_to_state(doc)

    async def versions(self, principal: Principal, ids: Sequence[str]) -> dict[str, int]:
        if not ids:
            return {}
        query = {**tenant_filter(principal), "_id": {"$in": list(ids)}}
        cursor = self._instances.find(query, {"version": 1}).batch_size(len(ids) + 1)
        return {doc["_id"]: int(doc["version"]) async for doc in cursor}
