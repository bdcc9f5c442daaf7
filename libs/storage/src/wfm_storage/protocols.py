"""The MongoDB-held stores of the command path as small protocols: the event log, the
instance documents, and the way a batch of keys is read.

The services are typed against these, not against the adapters. The stores have one
implementation per way a batch is read (`InQueryReads`, as on MongoDB; `SingleKeyReads`, as
on FerretDB), and every implementation passes the same contract tests
(`libs/storage/tests/test_mongo_contract.py`). The Postgres repositories have one
implementation each; row-level security is their contract (`test_row_level_security.py`,
`tests/test_tenant_isolation.py`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from pymongo.asynchronous.collection import AsyncCollection

from wfm_engine import Event, InstanceState
from wfm_shared.principal import Principal

Document = Mapping[str, Any]


class KeyedReads(Protocol):
    """How a batch of keys is read from a collection, every read served by an index."""

    @property
    def reads_per_key(self) -> bool:
        """Whether a batch costs one read per key (else one query)."""
        ...

    async def find(
        self,
        collection: AsyncCollection[Mapping[str, Any]],
        field: str,
        keys: Sequence[str],
        projection: Mapping[str, Any] | None = None,
    ) -> list[Document]: ...


class EventLog(Protocol):
    """The append-only log of workflow instances: the truth the projections follow."""

    async def append(self, events: Sequence[Event]) -> None:
        """Append in seq order; CONFLICT (storing none of the batch) when a seq exists."""
        ...

    async def for_instances(
        self, principal: Principal, instance_ids: Sequence[str], *, after_seq: int = 0
    ) -> dict[str, list[Event]]:
        """Each instance's events past `after_seq` in seq order; what `principal` may not
        see answers like an instance without events."""
        ...

    async def for_instance(
        self, principal: Principal, instance_id: str, *, after_seq: int = 0
    ) -> list[Event]: ...

    async def exists(self, instance_id: str, seq: int) -> bool: ...

    async def with_idempotency_key(
        self, principal: Principal, instance_id: str, key: str
    ) -> list[Event]: ...

    async def latest_seqs(
        self, principal: Principal, instance_ids: Sequence[str]
    ) -> dict[str, int]: ...


class InstanceDocumentStore(Protocol):
    """The current state of each instance: a projection that only moves forward."""

    async def save(self, state: InstanceState) -> bool:
        """Write `state` unless the stored one is at or past its version; whether it wrote."""
        ...

    async def by_ids(
        self, principal: Principal, ids: Sequence[str]
    ) -> dict[str, InstanceState]: ...

    async def get(self, principal: Principal, instance_id: str) -> InstanceState | None: ...

    async def versions(self, principal: Principal, ids: Sequence[str]) -> dict[str, int]: ...
