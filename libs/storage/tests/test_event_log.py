import uuid
from datetime import UTC, datetime

import pytest

from wfm_engine import Event, EventType, fold
from wfm_engine.events import payload_from_json
from wfm_shared.errors import Conflict
from wfm_shared.principal import principal_for


def event(instance_id, tenant_id, seq, type_=EventType.WORKFLOW_STARTED, data=None):
    if seq == 1:
        type_ = EventType.WORKFLOW_CREATED
        data = {"templateId": "t", "templateKey": "k", "templateVersion": 1, "marketRole": "BRP"}
    if type_ is EventType.WORKFLOW_STARTED and data is None:
        data = {"firstStepId": "a"}
    return Event(
        instance_id=instance_id,
        tenant_id=tenant_id,
        seq=seq,
        performed_by=str(uuid.uuid4()),
        occurred_at=datetime(2026, 11, 22, 10, 0, seq, 123000, tzinfo=UTC),
        payload=payload_from_json(type_, data or {}),
    )


async def test_appending_a_seq_that_exists_is_a_conflict_and_changes_nothing(storage):
    tenant = str(uuid.uuid4())
    instance = str(uuid.uuid4())
    ops = principal_for(uuid.uuid4(), None, "market_ops")
    await storage.events.append([event(instance, tenant, 1)])
    with pytest.raises(Conflict):
        await storage.events.append([event(instance, tenant, 1)])
    stored = await storage.events.for_instance(ops, instance)
    assert [e.seq for e in stored] == [1]


async def test_events_come_back_exactly_and_only_to_their_tenant(storage):
    tenant_a, tenant_b = uuid.uuid4(), uuid.uuid4()
    instance = str(uuid.uuid4())
    written = [event(instance, str(tenant_a), 1), event(instance, str(tenant_a), 2)]
    await storage.events.append(written)
    reader_a = principal_for(uuid.uuid4(), tenant_a, "tenant_user")
    reader_b = principal_for(uuid.uuid4(), tenant_b, "tenant_user")
    assert await storage.events.for_instance(reader_a, instance) == written
    assert await storage.events.for_instance(reader_b, instance) == []


async def test_instance_documents_only_move_forward(storage):
    tenant = uuid.uuid4()
    instance = str(uuid.uuid4())
    log = [event(instance, str(tenant), 1), event(instance, str(tenant), 2)]
    older, newer = fold(log[:1]), fold(log)
    reader = principal_for(uuid.uuid4(), tenant, "tenant_user")
    assert await storage.documents.save(newer)
    assert not await storage.documents.save(older)
    assert await storage.documents.get(reader, instance) == newer
    other = principal_for(uuid.uuid4(), uuid.uuid4(), "tenant_user")
    assert await storage.documents.get(other, instance) is None
