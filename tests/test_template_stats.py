"""A template's execution statistics (`templateStats`), checked against a known history made
through the real command path on a controlled clock: counts by status (all, per version,
per tenant), step runs, failures and failure rates, duration percentiles, SLA breaches.
Postgres computes them from the projections; replaying events counts nothing twice, and the
migration's backfill recovers the runs from the audit trail. Two tenants: each sees its own
numbers, market operations both or one."""

import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from wfm_api.app import create_app
from wfm_engine import (
    ApproveWorkflow,
    CancelWorkflow,
    ExecuteStep,
    FailStep,
    FailWorkflow,
    PauseWorkflow,
    ResumeWorkflow,
    StartWorkflow,
    SubmitWorkflow,
)
from wfm_engine.step_runs import run_changes
from wfm_shared.clock import FrozenClock
from wfm_shared.principal import system_principal
from wfm_storage.migrations import available_migrations
from wfm_storage.repositories.templates import TemplateRepository
from wfm_testing.graphql import GraphQLClient
from wfm_testing.pytest_plugin import next_client_address
from wfm_testing.templates import form_step, template
from wfm_testing.templates import step as template_step
from wfm_workflows.extensions import load_catalog
from wfm_workflows.service import Faults
from wfm_workflows.statistics import StatsQuestion

STATS = """query($key: String!, $since: DateTime, $until: DateTime, $version: Int, $tenant: ID) {
  templateStats(key: $key, since: $since, until: $until, version: $version, tenantId: $tenant) {
    templateKey workflows slaBreaches
    byStatus { status count }
    duration { measured p50Seconds p90Seconds p95Seconds }
    versions { version marketRole workflows byStatus { status count } }
    tenants { tenantId tenant { id } workflows byStatus { status count } }
    steps {
      stepId runs completed failed compensated abandoned underWay failureRate slaBreaches
      duration { measured p50Seconds p90Seconds p95Seconds }
    }
  } }"""
CREATE = """mutation($key: String!) {
  createWorkflow(marketRole: GU, templateKey: $key) { id } }"""
START = "mutation($id: ID!) { startWorkflow(workflowId: $id) { status } }"
EXECUTE = """mutation($id: ID!, $step: String!) {
  executeStep(workflowId: $id, stepId: $step, data: {}) { status } }"""
SUBMIT = "mutation($id: ID!) { submitWorkflow(workflowId: $id) { status } }"
APPROVE = "mutation($id: ID!) { approveWorkflow(workflowId: $id) { status } }"
ROLLBACK = """mutation($id: ID!, $to: String!) {
  rollbackWorkflow(workflowId: $id, toStepId: $to) { status currentStepId } }"""

# Far from the real time: no other test's timers or periods meet these workflows.
T0 = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)


def definition(key=None, version=1):
    return template(
        [
            form_step("apply", sla={"duration": "PT1H"}),
            form_step("check"),
            form_step("review"),
        ],
        key=key,
        version=version,
        name="Statistics",
    )


async def publish(owner_conn, body):
    parsed = load_catalog().registries.parse_template(body)
    return await TemplateRepository().save(owner_conn, parsed)


@contextlib.asynccontextmanager
async def api_on(clock, settings, storage) -> AsyncIterator[tuple[GraphQLClient, object]]:
    """The API in this process on `clock`, and its services (the worker's, on the same clock)."""
    app = create_app(settings, storage=storage, clock=clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=(next_client_address(), 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
            yield GraphQLClient(http), app.state.services


@dataclass
class History:
    """Who made it, and what the statistics of it must say."""

    key: str
    clock: FrozenClock
    gql: GraphQLClient
    services: object
    admin_a: object
    admin_b: object
    ops: object
    created: dict[str, datetime]
    ids: dict[str, str]

    async def __call__(self, query, variables, account):
        return await self.gql(query, variables, token=account.token)

    async def stats(self, account, **arguments):
        result = await self(STATS, {"key": self.key, **arguments}, account)
        return result.ok()["templateStats"]


async def make_history(h: History, owner_conn):
    """Tenant A: w1 and w2 completed, w5 a draft, w6 under way on version 2. Tenant B: w3
    rolled back from `review` to `apply` (`check` compensated, `review` left, `check` under
    way again), w4 failed on `apply`. Each workflow starts when it is created."""

    async def begin(name, admin):
        h.created[name] = h.clock.now()
        workflow_id = (await h(CREATE, {"key": h.key}, admin)).ok()["createWorkflow"]["id"]
        h.ids[name] = workflow_id
        if name != "w5":
            (await h(START, {"id": workflow_id}, admin)).ok()
        return workflow_id

    async def execute(workflow_id, step, after, admin):
        h.clock.advance(after)
        (await h(EXECUTE, {"id": workflow_id, "step": step}, admin)).ok()

    async def complete(workflow_id, admin, durations, approved_after):
        for step, after in zip(("apply", "check", "review"), durations, strict=True):
            await execute(workflow_id, step, after, admin)
        (await h(SUBMIT, {"id": workflow_id}, admin)).ok()
        h.clock.advance(approved_after)
        assert (await h(APPROVE, {"id": workflow_id}, h.ops)).ok()["approveWorkflow"] == {
            "status": "COMPLETED"
        }

    # w1: apply 30 min, check 2 h, review 1 h, approved 30 min later: 4 h in all
    w1 = await begin("w1", h.admin_a)
    await complete(w1, h.admin_a, (30 * MINUTE, 2 * HOUR, HOUR), 30 * MINUTE)
    # w2: apply 90 min (its one-hour SLA breached on the way), check 1 h, review 2 h,
    # approved 30 min later: 5 h in all
    h.clock.advance(HOUR)
    w2 = await begin("w2", h.admin_a)
    h.clock.advance(61 * MINUTE)
    await h.services.automation.timer_fired(uuid.UUID(w2), "sla", "apply", 2)
    await complete(w2, h.admin_a, (29 * MINUTE, HOUR, 2 * HOUR), 30 * MINUTE)
    # w3: apply 1 h, check 30 min, then rolled back to apply from review
    h.clock.advance(HOUR)
    w3 = await begin("w3", h.admin_b)
    await execute(w3, "apply", HOUR, h.admin_b)
    await execute(w3, "check", 30 * MINUTE, h.admin_b)
    h.clock.advance(10 * MINUTE)
    rolled_back = (await h(ROLLBACK, {"id": w3, "to": "apply"}, h.admin_b)).ok()
    assert rolled_back["rollbackWorkflow"] == {"status": "IN_PROGRESS", "currentStepId": "check"}
    # w4: its registry call fails on apply
    h.clock.advance(HOUR)
    w4 = await begin("w4", h.admin_b)
    h.clock.advance(5 * MINUTE)
    await h.services.workflows.execute(
        h.ops.principal, uuid.UUID(w4), FailWorkflow("the registry is down", "apply")
    )
    # w5: never started
    h.clock.advance(HOUR)
    await begin("w5", h.admin_a)
    # w6: on version 2, under way
    await publish(owner_conn, definition(h.key, version=2))
    h.clock.advance(HOUR)
    await begin("w6", h.admin_a)


@pytest.fixture
async def history(factory, owner_conn, wfm_settings, storage):
    key = (await publish(owner_conn, definition())).key
    tenant_a, tenant_b = await factory.tenant(), await factory.tenant()
    clock = FrozenClock(T0)
    async with api_on(clock, wfm_settings, storage) as (gql, services):
        h = History(
            key=key,
            clock=clock,
            gql=gql,
            services=services,
            admin_a=await factory.account("tenant_admin", tenant_a),
            admin_b=await factory.account("tenant_admin", tenant_b),
            ops=await factory.account("market_ops"),
            created={},
            ids={},
        )
        h.tenant_a, h.tenant_b = tenant_a, tenant_b
        await make_history(h, owner_conn)
        yield h


def durations(measured, p50=None, p90=None, p95=None):
    return {"measured": measured, "p50Seconds": p50, "p90Seconds": p90, "p95Seconds": p95}


def statuses(**counts):
    order = ["DRAFT", "IN_PROGRESS", "AWAITING_VALIDATION", "SUBMITTED", "COMPLETED", "FAILED"]
    return [{"status": s, "count": counts[s]} for s in order if s in counts]


def step(step_id, **figures):
    return {
        "stepId": step_id,
        "runs": 0,
        "completed": 0,
        "failed": 0,
        "compensated": 0,
        "abandoned": 0,
        "underWay": 0,
        "failureRate": None,
        "slaBreaches": 0,
        "duration": durations(0),
        **figures,
    }


# percentile_cont interpolates: p(x) of n sorted values sits at position (n - 1) * x
EVERY_TENANT_STEPS = [
    # apply: 30, 90 and 60 min completed, one failure, one under way (w6)
    step(
        "apply",
        runs=5,
        completed=3,
        failed=1,
        underWay=1,
        failureRate=0.25,
        slaBreaches=1,
        duration=durations(3, 3600.0, 5040.0, 5220.0),
    ),
    # check: 2 h and 1 h completed, 30 min undone by w3's rollback, w3's second one under way
    step(
        "check",
        runs=4,
        completed=2,
        compensated=1,
        underWay=1,
        failureRate=0.0,
        duration=durations(3, 3600.0, 6480.0, 6840.0),
    ),
    # review: 1 h and 2 h, and w3's left by its rollback
    step(
        "review",
        runs=3,
        completed=2,
        abandoned=1,
        failureRate=0.0,
        duration=durations(2, 5400.0, 6840.0, 7020.0),
    ),
]


async def test_market_operations_see_every_tenants_counts_durations_and_steps(history):
    stats = await history.stats(history.ops)
    assert stats["templateKey"] == history.key
    assert stats["workflows"] == 6
    assert stats["byStatus"] == statuses(DRAFT=1, IN_PROGRESS=2, COMPLETED=2, FAILED=1)
    # w1 took 4 h, w2 5 h from their start to their approval
    assert stats["duration"] == durations(2, 16200.0, 17640.0, 17820.0)
    assert stats["steps"] == EVERY_TENANT_STEPS
    assert stats["slaBreaches"] == 1
    assert stats["versions"] == [
        {"version": 2, "marketRole": None, "workflows": 1, "byStatus": statuses(IN_PROGRESS=1)},
        {
            "version": 1,
            "marketRole": None,
            "workflows": 5,
            "byStatus": statuses(DRAFT=1, IN_PROGRESS=1, COMPLETED=2, FAILED=1),
        },
    ]
    a, b = str(history.tenant_a.id), str(history.tenant_b.id)
    assert stats["tenants"] == [
        {
            "tenantId": a,
            "tenant": {"id": a},
            "workflows": 4,
            "byStatus": statuses(DRAFT=1, IN_PROGRESS=1, COMPLETED=2),
        },
        {
            "tenantId": b,
            "tenant": {"id": b},
            "workflows": 2,
            "byStatus": statuses(IN_PROGRESS=1, FAILED=1),
        },
    ]


async def test_a_tenant_sees_its_own_numbers_and_market_operations_one_tenants_alike(history):
    mine = await history.stats(history.admin_b)
    assert (mine["workflows"], mine["byStatus"]) == (2, statuses(IN_PROGRESS=1, FAILED=1))
    assert [t["tenantId"] for t in mine["tenants"]] == [str(history.tenant_b.id)]
    assert mine["duration"] == durations(0)
    apply = mine["steps"][0]
    assert (apply["runs"], apply["completed"], apply["failed"], apply["failureRate"]) == (
        2,
        1,
        1,
        0.5,
    )
    # market operations asking for tenant B read the same figures
    assert await history.stats(history.ops, tenant=str(history.tenant_b.id)) == mine
    # B's admin naming its own tenant: the same
    assert await history.stats(history.admin_b, tenant=str(history.tenant_b.id)) == mine

    theirs = await history.stats(history.admin_a)
    assert theirs["byStatus"] == statuses(DRAFT=1, IN_PROGRESS=1, COMPLETED=2)
    assert theirs["steps"][0]["duration"] == durations(2, 3600.0, 5040.0, 5220.0)


async def test_another_tenant_named_answers_exactly_like_an_unknown_one(history):
    other = str(history.tenant_b.id)
    unknown = str(uuid.uuid4())
    foreign = await history(STATS, {"key": history.key, "tenant": other}, history.admin_a)
    missing = await history(STATS, {"key": history.key, "tenant": unknown}, history.admin_a)
    assert foreign.codes == missing.codes == ["NOT_FOUND"]
    assert foreign.data is None
    assert missing.data is None
    assert foreign.errors[0]["message"].replace(other, "?") == missing.errors[0]["message"].replace(
        unknown, "?"
    )
    # market operations: an unknown tenant is not found either
    assert (await history(STATS, {"key": history.key, "tenant": unknown}, history.ops)).codes == [
        "NOT_FOUND"
    ]


async def test_a_period_and_a_version_narrow_the_figures(history):
    # created from w2 (included) until w4 (excluded): w2 and w3, and the runs they began
    period = {
        "since": history.created["w2"].isoformat(),
        "until": history.created["w4"].isoformat(),
    }
    stats = await history.stats(history.ops, **period)
    assert stats["byStatus"] == statuses(IN_PROGRESS=1, COMPLETED=1)
    assert [(s["stepId"], s["runs"]) for s in stats["steps"]] == [
        ("apply", 2),
        ("check", 3),
        ("review", 2),
    ]
    assert stats["slaBreaches"] == 1
    assert stats["duration"] == durations(1, 18000.0, 18000.0, 18000.0)

    second = await history.stats(history.ops, version=2)
    assert (second["workflows"], second["byStatus"]) == (1, statuses(IN_PROGRESS=1))
    assert [(s["stepId"], s["runs"], s["underWay"]) for s in second["steps"]] == [("apply", 1, 1)]


async def test_bad_arguments_are_validation_failures_and_unknown_templates_not_found(history):
    since, until = T0 + HOUR, T0
    bad = await history(
        STATS,
        {"key": history.key, "since": since.isoformat(), "until": until.isoformat()},
        history.ops,
    )
    assert bad.codes == ["VALIDATION_FAILED"]
    assert bad.errors[0]["extensions"]["fields"] == [
        {"path": ["until"], "message": "must be after since"}
    ]
    same = await history(
        STATS,
        {"key": history.key, "since": since.isoformat(), "until": since.isoformat()},
        history.ops,
    )
    assert same.codes == ["VALIDATION_FAILED"]
    zero = await history(STATS, {"key": history.key, "version": 0}, history.ops)
    assert zero.codes == ["VALIDATION_FAILED"]
    not_a_date = await history(STATS, {"key": history.key, "since": "yesterday"}, history.ops)
    assert not_a_date.codes == ["GRAPHQL_VALIDATION_FAILED"]  # refused before it runs
    assert (await history(STATS, {"key": "no-such-template"}, history.ops)).codes == ["NOT_FOUND"]
    assert (await history(STATS, {"key": history.key, "version": 9}, history.ops)).codes == [
        "NOT_FOUND"
    ]
    anonymous = await history.gql(STATS, {"key": history.key})
    assert anonymous.codes == ["UNAUTHENTICATED"]


async def test_replaying_the_events_counts_nothing_twice(history, storage, owner_conn):
    before = await history.stats(history.ops)
    system = system_principal()
    async with owner_conn.transaction():
        for workflow_id in history.ids.values():
            state = await storage.documents.get(system, workflow_id)
            for event in await storage.events.for_instance(system, workflow_id):
                await storage.step_runs.record(owner_conn, state, run_changes(event))
    assert await history.stats(history.ops) == before


class SimulatedCrash(Exception):
    pass


class CrashAt(Faults):
    def __init__(self, stage):
        self.stage = stage

    async def reached(self, stage):
        if stage == self.stage:
            raise SimulatedCrash(stage)


async def test_events_the_reconciler_projects_after_a_crash_are_counted_once(
    factory, owner_conn, wfm_settings, storage, make_services
):
    key = (await publish(owner_conn, definition())).key
    admin = await factory.account("tenant_admin", await factory.tenant())
    ops = await factory.account("market_ops")
    clock = FrozenClock(T0)
    services = await make_services(wfm_settings, storage, clock=clock)
    crashing = await make_services(
        wfm_settings, storage, clock=clock, faults=CrashAt("document_saved")
    )
    state = await services.workflows.create_workflow(
        admin.principal, market_role="GU", template_key=key
    )
    workflow_id = uuid.UUID(state.id)
    await services.workflows.execute(admin.principal, workflow_id, StartWorkflow())
    clock.advance(20 * MINUTE)
    with pytest.raises(SimulatedCrash):  # in the log and the document, not in Postgres yet
        await crashing.workflows.execute(admin.principal, workflow_id, ExecuteStep("apply", {}))

    async def steps():
        stats = await services.statistics.template_stats(ops.principal, StatsQuestion(key))
        return [(s.step_id, s.runs, s.completed, s.under_way) for s in stats.steps]

    assert await steps() == [("apply", 1, 0, 1)]
    row = await storage.index.get(owner_conn, workflow_id)
    for _ in range(2):  # the second pass finds everything projected
        await services.reconciler.reconcile_instance(row)
    assert await steps() == [("apply", 1, 1, 0), ("check", 1, 0, 1)]
    stats = await services.statistics.template_stats(ops.principal, StatsQuestion(key))
    assert stats.steps[0].duration.percentiles == (1200.0, 1200.0, 1200.0)


async def test_a_failure_its_onfailure_handles_counts_and_resuming_runs_the_step_again(
    factory, owner_conn, wfm_settings, storage, make_services
):
    """An api_call that fails and pauses its workflow (`onFailure: pause`) ends its run as
    failed; resuming that pause runs the step again, a new run; resuming an ordinary pause
    does not; replaying every event counts nothing twice."""
    registry = {"url": "https://registry.example/points"}
    body = template(
        [
            form_step("apply"),
            template_step("register", "api_call", config=registry, onFailure="pause"),
            form_step("confirm"),
        ],
        name="Statistics",
    )
    key = (await publish(owner_conn, body)).key
    admin = await factory.account("tenant_admin", await factory.tenant())
    ops = await factory.account("market_ops")
    platform = system_principal()  # the worker's commands
    clock = FrozenClock(T0)
    services = await make_services(wfm_settings, storage, clock=clock)
    flows = services.workflows
    state = await flows.create_workflow(admin.principal, market_role="GU", template_key=key)
    workflow_id = uuid.UUID(state.id)
    await flows.execute(admin.principal, workflow_id, StartWorkflow())
    await flows.execute(admin.principal, workflow_id, ExecuteStep("apply", {}))
    clock.advance(MINUTE)
    failure = FailStep("register", "HTTP 503 Service Unavailable", 2)
    await flows.execute(platform, workflow_id, failure)
    clock.advance(HOUR)
    await flows.execute(admin.principal, workflow_id, ResumeWorkflow())
    clock.advance(2 * MINUTE)
    await flows.execute(platform, workflow_id, ExecuteStep("register", {"status": 200}))
    await flows.execute(admin.principal, workflow_id, PauseWorkflow("holiday"))
    await flows.execute(admin.principal, workflow_id, ResumeWorkflow())

    async def steps():
        stats = await services.statistics.template_stats(ops.principal, StatsQuestion(key))
        return [
            (s.step_id, s.runs, s.completed, s.failed, s.under_way, s.duration.percentiles)
            for s in stats.steps
        ]

    expected = [
        ("apply", 1, 1, 0, 0, (0.0, 0.0, 0.0)),
        ("register", 2, 1, 1, 0, (120.0, 120.0, 120.0)),  # from the resume to its completion
        ("confirm", 1, 0, 0, 1, ()),  # the ordinary pause went on with the same run
    ]
    assert await steps() == expected
    async with owner_conn.transaction():
        latest = await storage.documents.get(platform, str(workflow_id))
        for event in await storage.events.for_instance(platform, str(workflow_id)):
            await storage.step_runs.record(owner_conn, latest, run_changes(event))
    assert await steps() == expected


# the migration's backfill: what it recovers of the workflows before it
MIGRATION = next(m for m in available_migrations() if m.version == 18).sql
BACKFILL = MIGRATION.split("-- backfill --")[1].split("-- end of backfill --")[0]
RUN_COLUMNS = (
    "workflow_id, started_seq, step_id, tenant_id, template_id, template_version, outcome, "
    "ended_seq, compensated_seq, sla_breached_at IS NOT NULL AS breached"
)


async def test_the_migration_recovers_the_runs_from_the_audit_trail(isolated_world, make_services):
    """What the projection recorded, recovered by the migration's backfill from what Postgres
    held before it (the audit trail, the index): the same runs and outcomes; the times are
    those of the audit entries (when each event was projected), the completions exact."""
    world = isolated_world
    key = (await publish(world.owner, definition())).key
    admin = await world.factory.account("tenant_admin", await world.factory.tenant())
    ops = await world.factory.account("market_ops")
    clock = FrozenClock(T0)
    services = await make_services(world.settings, world.storage, clock=clock)
    flows = services.workflows

    async def started():
        state = await flows.create_workflow(admin.principal, market_role="GU", template_key=key)
        workflow_id = uuid.UUID(state.id)
        await flows.execute(admin.principal, workflow_id, StartWorkflow())
        return workflow_id

    async def execute(workflow_id, *steps):
        for step_id in steps:
            clock.advance(10 * MINUTE)
            await flows.execute(admin.principal, workflow_id, ExecuteStep(step_id, {}))

    done = await started()
    clock.advance(2 * HOUR)
    await services.automation.timer_fired(done, "sla", "apply", 2)
    await execute(done, "apply", "check", "review")
    await flows.execute(admin.principal, done, SubmitWorkflow())
    await flows.execute(ops.principal, done, ApproveWorkflow())
    rolled_back = await started()
    await execute(rolled_back, "apply", "check")
    await flows.rollback(admin.principal, rolled_back, "apply")
    failed = await started()
    await flows.execute(ops.principal, failed, FailWorkflow("the registry is down", "apply"))
    cancelled = await started()
    await execute(cancelled, "apply")
    await flows.execute(admin.principal, cancelled, CancelWorkflow())
    under_way = await started()

    owner = world.owner
    query = f"SELECT {RUN_COLUMNS} FROM wfm.step_runs ORDER BY workflow_id, started_seq"
    projected = [dict(r) for r in await owner.fetch(query)]
    workflows = "SELECT id, started_at IS NOT NULL AS started, completed_at FROM wfm.workflow_instances_index ORDER BY id"
    projected_workflows = [dict(r) for r in await owner.fetch(workflows)]
    async with owner.transaction():  # as before the migration
        await owner.execute("DELETE FROM wfm.step_runs")
        await owner.execute(
            "UPDATE wfm.workflow_instances_index SET started_at = NULL, completed_at = NULL"
        )
    async with owner.transaction():
        await owner.execute(BACKFILL)

    recovered = [dict(r) for r in await owner.fetch(query)]
    # all but the run of `review` that the rollback left: the audit does not name its step
    left = [r for r in projected if r["outcome"] == "abandoned" and r["workflow_id"] == rolled_back]
    assert [r["step_id"] for r in left] == ["review"]
    assert recovered == [r for r in projected if r not in left]
    assert {r["workflow_id"] for r in recovered} == {
        done,
        rolled_back,
        failed,
        cancelled,
        under_way,
    }
    assert [dict(r) for r in await owner.fetch(workflows)] == projected_workflows
    times = await owner.fetch(
        "SELECT started_at, ended_at FROM wfm.step_runs WHERE ended_at IS NOT NULL"
    )
    assert all(r["started_at"] <= r["ended_at"] for r in times)
    async with owner.transaction():  # and running it again changes nothing
        await owner.execute(BACKFILL)
    assert [dict(r) for r in await owner.fetch(query)] == recovered
