"""Personal data sealed at the storage boundary: the event log and the instance documents as
every caller sees them (plaintext), over stores that hold only tokens in MongoDB.

`SealedEventLog` and `SealedDocuments` wrap the `EventLog` and `InstanceDocumentStore` of
MongoDB. Writing (`append`, `save`), each personal value of a step's data
(wfm_engine.personal: by the step's JSON Schema, and the built-in contacts rule) becomes a
token sealed under its subject's key for that instance (wfm_shared.personal_data), created
when the subject has none there yet; a value that reads `[erased]` stays as it is. Reading,
every token is revealed with its key; a destroyed key's token reads `[erased]`.

The keys are in Postgres (`wfm.subject_keys`), read and written under the platform's
principal: a read that holds tokens costs one transaction for all the keys of the call (none
when it holds none), and is never answered from memory (an erased key reveals nothing from
the moment it is erased). Sealing uses the keys a read or a write of the last SEALING_SECONDS
used for the same subject and instance, else one transaction for the call: a command reads
its workflow, then appends and saves it, and pays for the keys once. (A key erased meanwhile
seals the values it was used for: they read `[erased]`, as the erasure wants; a new key
would have brought them back.) The plans of templates (which fields are personal) are kept
once read: a stored template version never changes."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from wfm_engine import Event, EventType, InstanceState
from wfm_engine.events import WorkflowCreatedData
from wfm_engine.personal import (
    NOTHING,
    FieldPlan,
    PersonalValue,
    StepDataChange,
    carries_step_data,
    definition_plans,
    personal_values,
    replace_personal,
    replace_tokens,
    tokens_in,
    with_event_step_data,
    with_state_step_data,
)
from wfm_shared.personal_data import (
    ERASED,
    SubjectCipher,
    TokenUnreadable,
    new_key,
    open_key,
    seal_key,
    token_key_id,
)
from wfm_shared.principal import Principal, system_principal
from wfm_shared.sealing import SecretBox
from wfm_storage.postgres import Database, Executor
from wfm_storage.protocols import EventLog, InstanceDocumentStore
from wfm_storage.repositories.subject_keys import Holder, NewKey, SubjectKey, SubjectKeys

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")

# What the sealer remembers between calls (none of it goes stale): instances' templates,
# templates' plans, and keys' material as opened from its sealed form (a key is looked up in
# Postgres on every call all the same: an erased one is never used again).
INSTANCES_KEPT = 50_000
TEMPLATES_KEPT = 1_000
OPENED_KEPT = 10_000
# how long a key read or written stays at hand to seal with (see the module's docstring)
SEALING_SECONDS = 5.0
SEALING_KEPT = 10_000

StepPlans = Mapping[str, FieldPlan]  # step id -> where its personal values are


class Bounded(Generic[K, V]):
    """A dict that forgets its oldest entries past `size`."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: dict[K, V] = {}

    def get(self, key: K) -> V | None:
        return self._entries.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __setitem__(self, key: K, value: V) -> None:
        self._entries[key] = value
        if len(self._entries) > self._size:
            del self._entries[next(iter(self._entries))]


@dataclass(frozen=True)
class Holding(Generic[T]):
    """Something written or read that may hold step data: an event or an instance state."""

    value: T
    tenant_id: str
    instance_id: str
    changed: Callable[[T, StepDataChange], T]


def event_holding(event: Event) -> Holding[Event]:
    return Holding(event, event.tenant_id, event.instance_id, with_event_step_data)


def state_holding(state: InstanceState) -> Holding[InstanceState]:
    return Holding(state, state.tenant_id, state.id, with_state_step_data)


class LazyTransaction:
    """A transaction under the platform's principal, begun on the first statement (a call
    that finds nothing to look up costs no round trip)."""

    def __init__(self, db: Database, principal: Principal, stack: contextlib.AsyncExitStack):
        self._db = db
        self._principal = principal
        self._stack = stack
        self._conn: Executor | None = None

    async def conn(self) -> Executor:
        if self._conn is None:
            conn: Executor = await self._stack.enter_async_context(
                self._db.transaction(self._principal)
            )
            self._conn = conn
            return conn
        return self._conn


class PersonalDataSealer:
    """Seals the personal values of step data into tokens, and reveals tokens."""

    def __init__(
        self,
        db: Database,
        *,
        keys: SubjectKeys,
        box: SecretBox,
        sealing_seconds: float = SEALING_SECONDS,
    ) -> None:
        self._db = db
        self._sealing_seconds = sealing_seconds
        self._keys = keys
        self._box = box
        self._platform = system_principal()
        self._template_of: Bounded[str, str] = Bounded(INSTANCES_KEPT)
        self._plans: Bounded[str, StepPlans] = Bounded(TEMPLATES_KEPT)
        self._opened: Bounded[bytes, bytes] = Bounded(OPENED_KEPT)
        # (subject, instance) -> a live key of it, and until when it may seal (monotonic)
        self._sealing: Bounded[Holder, tuple[SubjectCipher, float]] = Bounded(SEALING_KEPT)

    def _at_hand(self, holder: Holder, cipher: SubjectCipher) -> None:
        self._sealing[holder] = (cipher, time.monotonic() + self._sealing_seconds)

    def _recent(self, holder: Holder) -> SubjectCipher | None:
        kept = self._sealing.get(holder)
        if kept is None or kept[1] < time.monotonic():
            return None
        return kept[0]

    def remember_template(self, instance_id: str, template_id: str) -> None:
        """The instance runs on that template version (what a read has told)."""
        self._template_of[instance_id] = template_id

    @contextlib.asynccontextmanager
    async def _transaction(self) -> AsyncIterator[LazyTransaction]:
        async with contextlib.AsyncExitStack() as stack:
            yield LazyTransaction(self._db, self._platform, stack)

    # -- sealing ----------------------------------------------------------------------------

    async def seal_events(self, events: Sequence[Event]) -> list[Event]:
        for event in events:
            if isinstance(event.payload, WorkflowCreatedData):
                self.remember_template(event.instance_id, event.payload.template_id)
        if not any(carries_step_data(e) for e in events):
            return list(events)
        return await self.seal([event_holding(e) for e in events])

    async def seal_state(self, state: InstanceState) -> InstanceState:
        self.remember_template(state.id, state.template_id)
        return (await self.seal([state_holding(state)]))[0]

    async def seal(self, holdings: Sequence[Holding[T]]) -> list[T]:
        """Each holding with its personal values sealed under their subjects' keys."""
        carried: list[tuple[Holding[T], str, Mapping[str, Any]]] = []
        for holding in holdings:

            def seen(step_id: str, data: Mapping[str, Any], h: Holding[T] = holding) -> Any:
                carried.append((h, step_id, data))
                return data

            holding.changed(holding.value, seen)
        if not carried:
            return [h.value for h in holdings]
        async with self._transaction() as tx:
            plans = await self._plans_of(tx, {h.instance_id for h, _, _ in carried})
            holders: dict[Holder, str] = {}  # (subject, instance) -> tenant
            for holding, step_id, data in carried:
                plan = plans.get(holding.instance_id, {}).get(step_id, NOTHING)
                for value in personal_values(data, plan):
                    if value.value != ERASED:
                        subject = value.subject_id(holding.tenant_id, holding.instance_id)
                        holders[(subject, holding.instance_id)] = holding.tenant_id
            if not holders:
                return [h.value for h in holdings]
            ciphers = await self._ciphers_for(tx, holders)

        def sealed(holding: Holding[T]) -> T:
            instance_plans = plans.get(holding.instance_id, {})

            def seal_value(value: PersonalValue) -> Any:
                if value.value == ERASED:
                    return value.value
                subject = value.subject_id(holding.tenant_id, holding.instance_id)
                return ciphers[(subject, holding.instance_id)].seal(value.value)

            def change(step_id: str, data: Mapping[str, Any]) -> Any:
                return replace_personal(data, instance_plans.get(step_id, NOTHING), seal_value)

            return holding.changed(holding.value, change)

        return [sealed(h) for h in holdings]

    async def _plans_of(self, tx: LazyTransaction, instances: set[str]) -> dict[str, StepPlans]:
        """Each instance's step plans (none known: the built-in contacts rule alone)."""
        unknown = [i for i in instances if i not in self._template_of]
        if unknown:
            conn = await tx.conn()
            rows = await conn.fetch(
                "SELECT mongo_id, template_id FROM wfm.workflow_instances_index "
                "WHERE mongo_id = ANY($1::text[])",
                unknown,
            )
            for row in rows:
                self.remember_template(row["mongo_id"], str(row["template_id"]))
        templates = {i: self._template_of.get(i) for i in instances}
        missing = {t for t in templates.values() if t is not None and t not in self._plans}
        if missing:
            conn = await tx.conn()
            rows = await conn.fetch(
                "SELECT id, definition->'steps' AS steps FROM wfm.workflow_templates "
                "WHERE id = ANY($1::uuid[])",
                [ident for ident in map(_uuid_or_none, missing) if ident is not None],
            )
            for template in missing:
                self._plans[template] = {}  # none stored by that id: the built-in rule alone
            for row in rows:
                self._plans[str(row["id"])] = definition_plans({"steps": row["steps"] or []})
        return {
            instance: self._plans.get(template) or {}
            for instance, template in templates.items()
            if template is not None
        }

    async def _ciphers_for(
        self, tx: LazyTransaction, holders: Mapping[Holder, str]
    ) -> dict[Holder, SubjectCipher]:
        """The live key of each (subject, instance), created where there is none."""
        ciphers: dict[Holder, SubjectCipher] = {}
        for holder in holders:
            recent = self._recent(holder)
            if recent is not None:
                ciphers[holder] = recent
        wanted = sorted(h for h in holders if h not in ciphers)  # one order: no deadlock
        if not wanted:
            return ciphers
        # the key of each one that has none is made beforehand: one statement finds or stores
        material = {h: new_key() for h in wanted}
        made = {
            h: NewKey(uuid.uuid4(), uuid.UUID(holders[h]), h[0], h[1], seal_key(self._box, m))
            for h, m in material.items()
        }
        conn = await tx.conn()
        for key in await self._keys.live_or_create(conn, list(made.values()), at=datetime.now(UTC)):
            holder = (key.subject_id, key.instance_id)
            stored_now = key.id == made[holder].id
            ciphers[holder] = (
                SubjectCipher(key.id, material[holder]) if stored_now else self._cipher(key)
            )
        raced = [h for h in wanted if h not in ciphers]
        if raced:  # a concurrent writer created them first: theirs
            for holder, key in (await self._keys.live(conn, raced)).items():
                ciphers[holder] = self._cipher(key)
        for holder in wanted:
            if holder in ciphers:
                self._at_hand(holder, ciphers[holder])
        return ciphers

    def _cipher(self, key: SubjectKey) -> SubjectCipher:
        assert key.sealed_key is not None
        material = self._opened.get(key.sealed_key)
        if material is None:
            material = open_key(self._box, key.sealed_key)
            self._opened[key.sealed_key] = material
        return SubjectCipher(key.id, material)

    # -- revealing --------------------------------------------------------------------------

    async def reveal(self, holdings: Sequence[Holding[T]]) -> list[T]:
        """Each holding with its tokens revealed (a destroyed key's: `[erased]`)."""
        key_ids: set[uuid.UUID] = set()

        def seen(step_id: str, data: Mapping[str, Any]) -> Any:
            for token in tokens_in(data):
                key_id = token_key_id(token)
                if key_id is not None:
                    key_ids.add(key_id)
            return data

        for holding in holdings:
            holding.changed(holding.value, seen)
        if not key_ids:
            return [h.value for h in holdings]
        async with self._db.transaction(self._platform) as conn:
            keys = await self._keys.by_ids(conn, list(key_ids))
        ciphers: dict[uuid.UUID, SubjectCipher | None] = {
            key_id: None if key.erased else self._cipher(key) for key_id, key in keys.items()
        }
        for key_id, key in keys.items():
            cipher = ciphers[key_id]
            if cipher is not None:  # the command that read it will save with it
                self._at_hand((key.subject_id, key.instance_id), cipher)

        def revealed(token: str) -> Any:
            key_id = token_key_id(token)
            if key_id is None or key_id not in ciphers:
                return token  # not a token of ours: text that looks like one
            cipher = ciphers[key_id]
            if cipher is None:
                return ERASED
            try:
                return cipher.open(token)
            except TokenUnreadable:
                return token

        def change(step_id: str, data: Mapping[str, Any]) -> Any:
            return replace_tokens(data, revealed)

        return [h.changed(h.value, change) for h in holdings]

    async def reveal_events(self, events: Sequence[Event]) -> list[Event]:
        return await self.reveal([event_holding(e) for e in events])

    async def reveal_states(self, states: Sequence[InstanceState]) -> list[InstanceState]:
        for state in states:
            self.remember_template(state.id, state.template_id)
        return await self.reveal([state_holding(s) for s in states])


class SealedEventLog:
    """The event log as its callers see it: personal values sealed when appended, revealed
    when read."""

    def __init__(self, log: EventLog, sealer: PersonalDataSealer) -> None:
        self._log = log
        self._sealer = sealer

    async def append(self, events: Sequence[Event]) -> None:
        await self._log.append(await self._sealer.seal_events(events))

    async def for_instances(
        self, principal: Principal, instance_ids: Sequence[str], *, after_seq: int = 0
    ) -> dict[str, list[Event]]:
        found = await self._log.for_instances(principal, instance_ids, after_seq=after_seq)
        flat = [e for events in found.values() for e in events]
        revealed = iter(await self._sealer.reveal_events(flat))
        return {instance: [next(revealed) for _ in events] for instance, events in found.items()}

    async def for_instance(
        self, principal: Principal, instance_id: str, *, after_seq: int = 0
    ) -> list[Event]:
        found = await self._log.for_instance(principal, instance_id, after_seq=after_seq)
        for event in found:
            if event.type is EventType.WORKFLOW_CREATED:
                assert isinstance(event.payload, WorkflowCreatedData)
                self._sealer.remember_template(instance_id, event.payload.template_id)
        return await self._sealer.reveal_events(found)

    async def exists(self, instance_id: str, seq: int) -> bool:
        return await self._log.exists(instance_id, seq)

    async def with_idempotency_key(
        self, principal: Principal, instance_id: str, key: str
    ) -> list[Event]:
        found = await self._log.with_idempotency_key(principal, instance_id, key)
        return await self._sealer.reveal_events(found)

    async def latest_seqs(
        self, principal: Principal, instance_ids: Sequence[str]
    ) -> dict[str, int]:
        return await self._log.latest_seqs(principal, instance_ids)


class SealedDocuments:
    """The instance documents as their callers see them: personal values sealed when saved,
    revealed when read."""

    def __init__(self, documents: InstanceDocumentStore, sealer: PersonalDataSealer) -> None:
        self._documents = documents
        self._sealer = sealer

    async def save(self, state: InstanceState) -> bool:
        return await self._documents.save(await self._sealer.seal_state(state))

    async def by_ids(self, principal: Principal, ids: Sequence[str]) -> dict[str, InstanceState]:
        found = await self._documents.by_ids(principal, ids)
        revealed = await self._sealer.reveal_states(list(found.values()))
        return {state.id: state for state in revealed}

    async def get(self, principal: Principal, instance_id: str) -> InstanceState | None:
        found = await self._documents.get(principal, instance_id)
        if found is None:
            return None
        return (await self._sealer.reveal_states([found]))[0]

    async def versions(self, principal: Principal, ids: Sequence[str]) -> dict[str, int]:
        return await self._documents.versions(principal, ids)


def _uuid_or_none(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None
