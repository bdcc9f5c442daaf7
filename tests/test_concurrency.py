"""Issue 2, test 6: concurrent writers on one workflow; optimistic concurrency by the
unique (instance, seq) index of the event log."""

import asyncio
import uuid

from wfm_shared.principal import principal_for
from wfm_testing.onboarding import EXECUTE, drive, step_data


async def test_same_expected_version_only_one_wins(gql, factory, storage, owner_conn):
    tenant = await factory.tenant()
    account = await factory.account("tenant_user", tenant)
    workflow_id = await drive(gql, tenant, account.token, until="IN_PROGRESS")
    data = step_data(tenant)["company-info"]
    variables = {"id": workflow_id, "step": "company-info", "data": data, "expected": 2}

    results = await asyncio.gather(
        *(gql(EXECUTE, variables, token=account.token) for _ in range(2))
    )

    codes = sorted(tuple(r.codes) for r in results)
    assert codes == [(), ("CONFLICT",)]
    winner = next(r for r in results if not r.errors).data["executeStep"]
    assert winner["version"] == 3
    ops = principal_for(uuid.uuid4(), None, "market_ops")
    events = await storage.events.for_instance(ops, workflow_id)
    assert [e.seq for e in events] == [1, 2, 3]
    row = await owner_conn.fetchrow(
        "SELECT version, current_step FROM wfm.workflow_instances_index WHERE id = $1",
        uuid.UUID(workflow_id),
    )
    assert dict(row) == {"version": 3, "current_step": "contacts"}


async def test_many_concurrent_writers_keep_the_log_contiguous(gql, factory, storage):
    tenant = await factory.tenant()
    account = await factory.account("tenant_user", tenant)
    workflow_id = await drive(gql, tenant, account.token, until="IN_PROGRESS")
    data = step_data(tenant)["company-info"]
    variables = {"id": workflow_id, "step": "company-info", "data": data}

    results = await asyncio.gather(
        *(gql(EXECUTE, variables, token=account.token) for _ in range(8))
    )

    succeeded = [r for r in results if not r.errors]
    assert len(succeeded) >= 1
    assert all(r.codes in ([], ["CONFLICT"], ["INVALID_TRANSITION"]) for r in results)
    ops = principal_for(uuid.uuid4(), None, "market_ops")
    seqs = [e.seq for e in await storage.events.for_instance(ops, workflow_id)]
    assert seqs == list(range(1, len(seqs) + 1))
    assert len(seqs) == 2 + len(succeeded)
