"""The event log and the instance documents with personal data sealed at the boundary: what
a template marks personal and the built-in contacts fields are written as tokens under one
key per subject and workflow, and read back exactly as written; an erased key reads
`[erased]`, the stored log unchanged; a read costs one Postgres query for all its tokens,
none without any."""

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from bson import json_util

from wfm_engine import Event, EventType, fold
from wfm_engine.events import payload_from_json
from wfm_shared.personal_data import (
    ERASED,
    is_token,
    subject_id_for,
    workflow_subject_id,
)
from wfm_shared.principal import system_principal
from wfm_shared.sealing import SecretBox
from wfm_storage.instrumentation import counting_round_trips
from wfm_storage.repositories.templates import TemplateRepository
from wfm_storage.sealed import PersonalDataSealer, SealedEventLog
from wfm_testing.templates import form_step, template
from wfm_workflows.extensions import load_catalog

SYSTEM = system_principal()
PERSON = {
    "type": "object",
    "properties": {
        "fullName": {"type": "string", "personal": True},
        "email": {"type": "string", "personal": True},
        "notes": {"type": "string"},
    },
}


@pytest.fixture
async def template_id(owner_conn):
    """A template whose `person` step marks a name and an e-mail address personal."""
    definition = template([form_step("person", schema=PERSON), form_step("contacts")])
    record = await TemplateRepository().save(
        owner_conn, load_catalog().registries.parse_template(definition)
    )
    return str(record.id)


class Workflow:
    """An instance of the template, its events built one after the other."""

    def __init__(self, tenant_id, template_id):
        self.id = str(uuid.uuid4())
        self.tenant_id = str(tenant_id)
        self.events: list[Event] = []
        self.events.append(
            self.event(
                EventType.WORKFLOW_CREATED,
                {
                    "templateId": template_id,
                    "templateKey": "k",
                    "templateVersion": 1,
                    "marketRole": "BRP",
                },
            )
        )
        self.events.append(self.event(EventType.WORKFLOW_STARTED, {"firstStepId": "person"}))

    def event(self, type_, data, step_id=None):
        seq = len(self.events) + 1
        return Event(
            instance_id=self.id,
            tenant_id=self.tenant_id,
            seq=seq,
            performed_by=str(uuid.uuid4()),
            occurred_at=datetime(2026, 11, 22, 10, 0, seq, 123000, tzinfo=UTC),
            payload=payload_from_json(type_, data),
            step_id=step_id,
        )

    def complete(self, step_id, data):
        completed = {"data": data, "variables": {}, "nextStepId": None}
        self.events.append(self.event(EventType.STEP_COMPLETED, completed, step_id))
        return self.events[-1]


LEA = {"name": "Lea Peeters", "email": "lea@example.test", "phone": "+32 470 12 34 56"}
MARC = {"name": "Marc Dubois", "email": "marc@example.test", "role": "technical"}


async def written(storage, workflow):
    await storage.events.append(workflow.events)
    state = fold(workflow.events)
    await storage.documents.save(state)
    return state


async def raw(storage, workflow):
    events = await storage.raw_events.for_instance(SYSTEM, workflow.id)
    document = await storage.raw_documents.get(SYSTEM, workflow.id)
    return events, document


async def keys_of(storage, instance_id):
    async with storage.db.transaction(SYSTEM) as conn:
        return await storage.subject_keys.for_instances(conn, [instance_id])


async def test_personal_values_are_stored_as_tokens_and_read_as_written(
    storage, factory, template_id
):
    tenant = await factory.tenant()
    workflow = Workflow(tenant.id, template_id)
    person = {"fullName": "Eva Claes", "email": "eva@example.test", "notes": "met in Liège"}
    workflow.complete("person", person)
    workflow.complete("contacts", {"contacts": [LEA, MARC], "comment": "two"})
    state = await written(storage, workflow)

    assert await storage.events.for_instance(SYSTEM, workflow.id) == workflow.events
    assert await storage.documents.get(SYSTEM, workflow.id) == state
    events, document = await raw(storage, workflow)
    stored = json_util.dumps([[e.data for e in events], document.step_states["person"].data])
    for value in ("Eva Claes", "eva@example.test", "Lea Peeters", "+32 470", "Marc Dubois"):
        assert value not in stored
    kept = document.step_states["person"].data
    assert is_token(kept["fullName"])
    assert is_token(kept["email"])
    assert kept["notes"] == "met in Liège"  # not personal
    contacts = document.step_states["contacts"].data
    assert contacts["comment"] == "two"
    assert contacts["contacts"][1]["role"] == "technical"
    # the latest events the document keeps are sealed as the log's
    assert all("Lea Peeters" not in json_util.dumps(e.data) for e in document.recent_events)


async def test_each_person_has_one_key_per_workflow(storage, factory, template_id):
    tenant = await factory.tenant()
    first, second = Workflow(tenant.id, template_id), Workflow(tenant.id, template_id)
    first.complete("person", {"fullName": "Lea Peeters", "email": "LEA@example.test"})
    first.complete("contacts", {"contacts": [LEA, {"name": "Nobody Known"}]})
    second.complete("contacts", {"contacts": [LEA]})
    await written(storage, first)
    await written(storage, second)

    lea = subject_id_for(tenant.id, "lea@example.test")
    assert {(k.subject_id, k.instance_id) for k in await keys_of(storage, first.id)} == {
        (lea, first.id),
        (workflow_subject_id(tenant.id, first.id), first.id),  # the contact without address
    }
    assert {(k.subject_id, k.instance_id) for k in await keys_of(storage, second.id)} == {
        (lea, second.id)
    }


async def test_an_erased_key_reads_erased_everywhere_and_leaves_the_stored_log_as_it_was(
    storage, factory, template_id
):
    tenant = await factory.tenant()
    workflow = Workflow(tenant.id, template_id)
    workflow.complete("contacts", {"contacts": [LEA, MARC]})
    await written(storage, workflow)
    before, _ = await raw(storage, workflow)

    async with storage.db.transaction(SYSTEM) as conn:
        erased = await storage.subject_keys.erase_subject(
            conn,
            subject_id_for(tenant.id, LEA["email"]),
            at=datetime.now(UTC),
            by=SYSTEM.user_id,
            reason="on request",
        )
    assert erased == 1

    expected = [{"name": ERASED, "email": ERASED, "phone": ERASED}, MARC]
    events = await storage.events.for_instance(SYSTEM, workflow.id)
    assert events[-1].payload.data["contacts"] == expected
    state = await storage.documents.get(SYSTEM, workflow.id)
    assert state.step("contacts").data["contacts"] == expected
    assert state == fold(events)  # the fold holds over erased values
    assert (await raw(storage, workflow))[0] == before

    # written again, an erased value stays `[erased]`: there is nothing left to seal
    later = Workflow(tenant.id, template_id)
    later.id, later.events = workflow.id, list(events)
    later.complete("person", {"fullName": "Ann", "email": "ann@example.test"})
    await storage.events.append(later.events[-1:])
    await storage.documents.save(fold(later.events))
    _, document = await raw(storage, workflow)
    assert document.step_states["contacts"].data["contacts"][0]["name"] == ERASED
    assert (await storage.documents.get(SYSTEM, workflow.id)) == fold(
        await storage.events.for_instance(SYSTEM, workflow.id)
    )


async def test_a_person_named_again_after_their_erasure_is_held_under_a_new_key(
    storage, factory, template_id, wfm_settings
):
    sealer = PersonalDataSealer(
        storage.db,
        keys=storage.subject_keys,
        box=SecretBox.from_settings(wfm_settings),
        sealing_seconds=0,  # no key kept at hand between calls
    )
    events = SealedEventLog(storage.raw_events, sealer)
    tenant = await factory.tenant()
    workflow = Workflow(tenant.id, template_id)
    workflow.complete("contacts", {"contacts": [LEA]})
    await events.append(workflow.events)
    lea = subject_id_for(tenant.id, LEA["email"])
    async with storage.db.transaction(SYSTEM) as conn:
        await storage.subject_keys.erase_subject(
            conn, lea, at=datetime.now(UTC), by=SYSTEM.user_id, reason="on request"
        )
    await asyncio.sleep(0.01)
    workflow.complete("contacts", {"contacts": [LEA]})
    await events.append(workflow.events[-1:])

    read = await events.for_instance(SYSTEM, workflow.id)
    assert read[-2].payload.data["contacts"][0]["name"] == ERASED
    assert read[-1].payload.data["contacts"][0] == LEA
    keys = await keys_of(storage, workflow.id)
    assert [(k.subject_id, k.erased) for k in keys] == [(lea, True), (lea, False)]


async def test_a_read_costs_one_postgres_transaction_for_all_its_tokens_and_none_without(
    storage, factory, template_id
):
    tenant = await factory.tenant()
    named, plain = (
        [Workflow(tenant.id, template_id) for _ in range(3)],
        Workflow(tenant.id, template_id),
    )
    for workflow in named:
        workflow.complete("contacts", {"contacts": [LEA, MARC]})
        await written(storage, workflow)
    plain.complete("contacts", {"contacts": []})
    await written(storage, plain)

    with counting_round_trips() as trips:
        found = await storage.events.for_instances(SYSTEM, [w.id for w in named])
        await asyncio.sleep(0)  # asyncpg reports its queries with call_soon
    assert all(events[-1].payload.data["contacts"][0] == LEA for events in found.values())
    assert trips.postgres == 3  # BEGIN with the platform's settings, the keys, COMMIT
    with counting_round_trips() as trips:
        await storage.documents.by_ids(SYSTEM, [plain.id])
        await storage.events.for_instance(SYSTEM, plain.id)
        await asyncio.sleep(0)
    assert trips.postgres == 0


async def test_two_processes_naming_a_person_at_once_share_one_key(
    storage, factory, template_id, wfm_settings
):
    def process():  # its own sealer: nothing at hand from the other
        sealer = PersonalDataSealer(
            storage.db, keys=storage.subject_keys, box=SecretBox.from_settings(wfm_settings)
        )
        return SealedEventLog(storage.raw_events, sealer)

    tenant = await factory.tenant()
    workflow = Workflow(tenant.id, template_id)
    first = workflow.complete("contacts", {"contacts": [LEA]})
    second = workflow.complete("contacts", {"contacts": [LEA, MARC]})
    await asyncio.gather(process().append(workflow.events[:-1]), process().append([second]))

    read = await process().for_instance(SYSTEM, workflow.id)
    assert [e.payload.data for e in read if e.step_id] == [
        first.payload.data,
        second.payload.data,
    ]
    lea = subject_id_for(tenant.id, LEA["email"])
    assert [k.subject_id for k in await keys_of(storage, workflow.id)].count(lea) == 1


async def test_a_write_naming_people_without_keys_costs_one_statement_besides_its_transaction(
    storage, factory, template_id
):
    tenant = await factory.tenant()
    workflow = Workflow(tenant.id, template_id)
    workflow.complete("contacts", {"contacts": [LEA, MARC]})
    with counting_round_trips() as trips:
        await storage.events.append(workflow.events)
        await asyncio.sleep(0)
    assert trips.postgres == 4  # BEGIN with the settings, the template, the keys, COMMIT
    assert len(await keys_of(storage, workflow.id)) == 2


async def test_text_that_merely_looks_like_a_token_reads_as_it_was_typed(
    storage, factory, template_id
):
    tenant = await factory.tenant()
    workflow = Workflow(tenant.id, template_id)
    lookalike = f"wfm:pd:1:{uuid.uuid4()}:AAAA"
    workflow.complete("person", {"fullName": lookalike, "notes": lookalike, "email": ERASED})
    await written(storage, workflow)
    [read] = [e for e in await storage.events.for_instance(SYSTEM, workflow.id) if e.step_id]
    assert read.payload.data == {"fullName": lookalike, "notes": lookalike, "email": ERASED}
    events, _ = await raw(storage, workflow)
    stored = events[-1].payload.data
    assert stored["fullName"] != lookalike  # sealed like any personal value
    assert stored["email"] == ERASED  # nothing to seal
