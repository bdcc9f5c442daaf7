"""Per-request dataloaders: each batch is one query, whatever the size of the page."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from typing import TypeVar, overload

from aiodataloader import DataLoader

from wfm_engine import Event, InstanceState, fold
from wfm_shared.principal import Principal
from wfm_storage.bootstrap import Storage
from wfm_storage.postgres import ScopedSession
from wfm_storage.records import InstanceIndexRow, TemplateRecord, Tenant, TenantMarketRole
from wfm_storage.repositories.files import FileRecord
from wfm_storage.repositories.mfa import MfaRepository
from wfm_storage.repositories.people import Person, people_by_ids
from wfm_storage.repositories.step_drafts import StepDraft

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


# with a default for missing keys, a loader never yields None
@overload
def _loader(fetch: Callable[[list[K]], Awaitable[Mapping[K, V]]]) -> DataLoader[K, V | None]: ...


@overload
def _loader(
    fetch: Callable[[list[K]], Awaitable[Mapping[K, V]]], default: V
) -> DataLoader[K, V]: ...


def _loader(
    fetch: Callable[[list[K]], Awaitable[Mapping[K, V]]], default: V | None = None
) -> DataLoader[K, V] | DataLoader[K, V | None]:
    async def batch(keys: list[K]) -> list[V | None]:
        found = await fetch(list(dict.fromkeys(keys)))
        return [found.get(key, default) for key in keys]

    return DataLoader(batch)


class Loaders:
    """Postgres loaders share the request's session (serialized by its lock); MongoDB
    loaders filter by the principal's tenant, on ids the RLS-filtered index returned."""

    def __init__(
        self, storage: Storage, session: ScopedSession, principal: Principal | None
    ) -> None:
        self._storage = storage
        self._session = session
        self._principal = principal
        s = storage
        # archived tenants too: what their kept workflows (and audit entries) belong to
        self.tenant: DataLoader[uuid.UUID, Tenant | None] = _loader(
            lambda ids: s.tenants.by_ids(session, ids, include_archived=True)
        )
        self.market_roles: DataLoader[uuid.UUID, list[TenantMarketRole]] = _loader(
            lambda ids: s.tenants.market_roles(session, ids), []
        )
        self.template: DataLoader[uuid.UUID, TemplateRecord | None] = _loader(
            lambda ids: s.templates.by_ids(session, ids)
        )
        self.index_row: DataLoader[uuid.UUID, InstanceIndexRow | None] = _loader(
            lambda ids: s.index.by_ids(session, ids)
        )
        # the people a page names (authors, approvers, actors): one query for all of them
        self.user_by_id: DataLoader[uuid.UUID, Person | None] = _loader(
            lambda ids: people_by_ids(session, ids)
        )
        # whether users have a confirmed second factor: one query for a page of users
        self.mfa_enabled: DataLoader[uuid.UUID, bool] = _loader(self._mfa_enabled, False)
        # the step drafts of a page's workflows: one query for all of them
        self.drafts: DataLoader[uuid.UUID, list[StepDraft]] = _loader(
            lambda ids: s.drafts.for_workflows(session, ids), []
        )
        # the files of a page's workflows (not deleted): one query for all of them
        self.files: DataLoader[uuid.UUID, list[FileRecord]] = _loader(
            lambda ids: s.files.for_workflows(session, ids), []
        )
        self.instance_state: DataLoader[str, InstanceState | None] = _loader(self._states)
        self.events: DataLoader[str, list[Event]] = _loader(self._events, [])

    def _require_principal(self) -> Principal:
        assert self._principal is not None, "MongoDB loaders need a principal"
        return self._principal

    async def _mfa_enabled(self, user_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, bool]:
        enabled = await MfaRepository().enabled_among(self._session, user_ids)
        return dict.fromkeys(enabled, True)

    async def _states(self, ids: Sequence[str]) -> dict[str, InstanceState]:
        principal = self._require_principal()
        states = await self._storage.documents.by_ids(principal, ids)
        missing = [i for i in ids if i not in states]
        if missing:
            # a document a crash left unwritten: the log has the truth
            for instance_id, events in (
                await self._storage.events.for_instances(principal, missing)
            ).items():
                folded = fold(events)
                if folded is not None:
                    states[instance_id] = folded
        return states

    async def _events(self, ids: Sequence[str]) -> dict[str, list[Event]]:
        return await self._storage.events.for_instances(self._require_principal(), ids)

    async def load_tenant(self, tenant_id: uuid.UUID) -> Tenant | None:
        result: Tenant | None = await self.tenant.load(tenant_id)
        return result

    async def load_market_roles(self, tenant_id: uuid.UUID) -> list[TenantMarketRole]:
        result: list[TenantMarketRole] = await self.market_roles.load(tenant_id)
        return result

    async def load_template(self, template_id: uuid.UUID) -> TemplateRecord | None:
        result: TemplateRecord | None = await self.template.load(template_id)
        return result

    async def load_index_row(self, instance_id: uuid.UUID) -> InstanceIndexRow | None:
        result: InstanceIndexRow | None = await self.index_row.load(instance_id)
        return result

    async def load_person(self, user_id: uuid.UUID) -> Person | None:
        """None: not on file for the caller (deleted, unknown, or another tenant's)."""
        result: Person | None = await self.user_by_id.load(user_id)
        return result

    async def load_mfa_enabled(self, user_id: uuid.UUID) -> bool:
        result: bool = await self.mfa_enabled.load(user_id)
        return result

    async def load_drafts(self, workflow_id: uuid.UUID) -> list[StepDraft]:
        result: list[StepDraft] = await self.drafts.load(workflow_id)
        return result

    async def load_files(self, workflow_id: uuid.UUID) -> list[FileRecord]:
        result: list[FileRecord] = await self.files.load(workflow_id)
        return result

    async def load_state(self, instance_id: str) -> InstanceState | None:
        result: InstanceState | None = await self.instance_state.load(instance_id)
        return result

    async def load_events(self, instance_id: str) -> list[Event]:
        result: list[Event] = await self.events.load(instance_id)
        return result

    def prime_state(self, state: InstanceState) -> None:
        """A mutation's result is the freshest state there is: resolvers must not reload it."""
        self.instance_state.clear(state.id).prime(state.id, state)
        self.events.clear(state.id)
