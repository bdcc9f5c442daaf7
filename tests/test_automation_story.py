"""Issue 16's "Done when", told as one story through the public interfaces only: the API as its
own process over real HTTP, the hook URL a vendor's system calls, the worker running its jobs,
and a registry on loopback. Market operations publish a template that registers an access point
with the registry, carrying the participant's data in the path and the tenant's secret in a
header; a vendor's signed webhook starts it; the registry is down, so the workflow pauses with
the error in its state instead of failing; once the registry is back, resuming makes the call
again and the workflow completes; market operations read the template's statistics, another
tenant reads none of them; and the secret's value is in no answer, no log line, no event."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from wfm_devkit.servers import ApiProcess
from wfm_integrations.webhooks import sign
from wfm_testing.factories import ean18
from wfm_testing.graphql import GraphQLClient, GraphQLResult
from wfm_testing.peers import serve_asgi
from wfm_testing.pytest_plugin import api_env
from wfm_testing.templates import step, template, unique_key
from wfm_testing.worker import drain

REGISTRY_TOKEN = "rt-story-9Fz3Qw7Lp2Xc5Vb8-never-recorded"
EAN = ean18(16)

PUBLISH = "mutation($d: JSON!) { publishTemplate(definition: $d) { key version } }"
SET_SECRET = """mutation($name: String!, $value: String!) {
  setSecret(name: $name, value: $value) { name updatedAt } }"""
SECRETS = "{ secrets { name updatedAt } }"
CREATE_HOOK = """mutation($key: String!, $schema: JSON!, $variables: JSON!) {
  createWorkflowTrigger(name: "Access point added in the ERP", kind: WEBHOOK,
                        templateKey: $key, marketRole: GU,
                        inputSchema: $schema, variables: $variables) {
    id hookUrl signingSecret } }"""
RUNS = """query($id: ID!) { triggerRuns(triggerId: $id, first: 10) {
  nodes { outcome workflowId correlationId reason } } }"""
WORKFLOW = """query($id: ID!) { workflow(id: $id) {
  status currentStepId allowedActions
  state { steps { id status data } variables metadata pause { reason } }
  events(first: 100) { edges { node { seq type stepId data correlationId } } }
} }"""
RESUME = "mutation($id: ID!) { resumeWorkflow(workflowId: $id) { status } }"
SUBMIT = "mutation($id: ID!) { submitWorkflow(workflowId: $id) { status } }"
APPROVE = "mutation($id: ID!) { approveWorkflow(workflowId: $id) { status } }"
STATS = """query($key: String!, $tenant: ID) { templateStats(key: $key, tenantId: $tenant) {
  workflows
  byStatus { status count }
  duration { measured p50Seconds p90Seconds p95Seconds }
  tenants { tenantId workflows }
  steps {
    stepId runs completed failed compensated abandoned underWay failureRate
    duration { measured p50Seconds p90Seconds p95Seconds }
  }
} }"""
JOBS = "{ jobs(first: 100) { entrypoint status attempts lastError payload } }"
AUDIT = "{ auditLog(first: 100) { nodes { action objectType objectId details } } }"

ACCESS_POINT = {
    "type": "object",
    "required": ["accessPoint"],
    "properties": {
        "accessPoint": {
            "type": "object",
            "required": ["ean", "capacityKw"],
            "properties": {
                "ean": {"type": "string", "format": "ean18"},
                "capacityKw": {"type": "integer", "minimum": 1},
            },
        }
    },
}
MAPPING = {"ean": "input.accessPoint.ean", "capacityKw": "input.accessPoint.capacityKw"}


def registration_template(registry_url: str) -> dict[str, Any]:
    """One api_call: the access point's EAN in the path, the tenant's token in a header; a
    failure after one retry waits for a person instead of failing the workflow."""
    register = step(
        "register",
        "api_call",
        config={
            "method": "PUT",
            "url": registry_url + "/access-points/{{ variables.ean }}",
            "headers": {"Authorization": "Bearer {{ secrets.REGISTRY_TOKEN }}"},
            "body": {"capacityKw": "{{ variables.capacityKw }}", "holder": "{{ tenant.slug }}"},
            "responseMapping": {"registrationId": "body.registrationId"},
        },
        retry={"max": 1, "backoff": "PT0.05S"},
        onFailure="pause",
    )
    return template([register], key=unique_key("story"), name="Access point from the ERP")


@dataclass
class Registry:
    """The grid registry: records each request as it arrived; answers `status` (a careless
    peer whose error echoes the Authorization header it was sent)."""

    status: int = 503
    received: list[dict[str, Any]] = field(default_factory=list)

    def app(self) -> Starlette:
        async def register(request: Request) -> JSONResponse:
            self.received.append(
                {
                    "method": request.method,
                    "raw_path": request.scope["raw_path"].decode(),
                    "authorization": request.headers.get("authorization"),
                    "body": json.loads(await request.body()),
                }
            )
            if self.status != 200:
                seen = request.headers.get("authorization")
                return JSONResponse({"error": f"maintenance ({seen})"}, status_code=self.status)
            return JSONResponse({"registrationId": f"REG-{len(self.received):04d}"})

        return Starlette(routes=[Route("/access-points/{ean}", register, methods=["PUT"])])


class RecordingClient:
    """GraphQL over real HTTP that keeps every answer's raw text, to search them all."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.gql = GraphQLClient(http)
        self.answers: list[str] = []

    async def __call__(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str
    ) -> GraphQLResult:
        result = await self.gql(query, variables, token=token)
        self.answers.append(result.response.text)
        return result


@dataclass
class Platform:
    api: ApiProcess
    http: httpx.AsyncClient


@pytest.fixture(scope="module")
async def platform(isolated_world) -> AsyncIterator[Platform]:
    """The API as its own process on the module's database, its hook URLs its own address."""
    log = Path.cwd() / ".wfm" / f"story-api-{uuid.uuid4().hex[:8]}.log"
    api = ApiProcess(api_env(isolated_world.settings), log)
    api.env["WFM_PUBLIC_URL"] = api.url  # the hookUrl a vendor is given is where the API listens
    api.env["PYTHONUNBUFFERED"] = "1"  # its log is searched while it runs
    await asyncio.to_thread(api.start)
    try:
        async with httpx.AsyncClient(base_url=api.url, timeout=30) as http:
            yield Platform(api, http)
    finally:
        await asyncio.to_thread(api.stop)
        log.unlink(missing_ok=True)


async def vendor_sends(
    hook: dict[str, Any], message_id: str, payload: dict[str, Any]
) -> httpx.Response:
    """What the vendor's system does: sign the body as Standard Webhooks specifies and POST it
    to the hook URL it was given."""
    body = json.dumps(payload).encode()
    at = int(time.time())
    async with httpx.AsyncClient(timeout=30) as vendor:
        return await vendor.post(
            hook["hookUrl"],
            content=body,
            headers={
                "content-type": "application/json",
                "webhook-id": message_id,
                "webhook-timestamp": str(at),
                "webhook-signature": sign(hook["signingSecret"], message_id, at, body),
            },
        )


def steps_of(workflow: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in workflow["state"]["steps"]}


def events_of(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["node"] for e in workflow["events"]["edges"]]


async def test_a_vendors_webhook_starts_a_registration_that_survives_the_registrys_outage(
    platform, isolated_world, worker, capfd, caplog
):
    caplog.set_level(logging.DEBUG)
    factory = isolated_world.factory
    tenant, other_tenant = await factory.tenant(), await factory.tenant()
    ops = await factory.account("market_ops")
    admin = await factory.account("tenant_admin", tenant)
    other_admin = await factory.account("tenant_admin", other_tenant)
    gql = RecordingClient(platform.http)
    registry = Registry(status=503)

    async def workflow(workflow_id: str) -> dict[str, Any]:
        answer = await gql(WORKFLOW, {"id": workflow_id}, token=admin.token)
        return answer.ok()["workflow"]

    async with serve_asgi(registry.app()) as registry_url:
        # 1. market operations publish the registration (checked: expressions, the URL policy)
        definition = registration_template(registry_url)
        (await gql(PUBLISH, {"d": definition}, token=ops.token)).ok()
        key = definition["key"]

        # 2. the tenant's admin keeps the registry's token and gives the vendor a hook
        (
            await gql(
                SET_SECRET, {"name": "REGISTRY_TOKEN", "value": REGISTRY_TOKEN}, token=admin.token
            )
        ).ok()
        assert [s["name"] for s in (await gql(SECRETS, token=admin.token)).ok()["secrets"]] == [
            "REGISTRY_TOKEN"
        ]
        hook = (
            await gql(
                CREATE_HOOK,
                {"key": key, "schema": ACCESS_POINT, "variables": MAPPING},
                token=admin.token,
            )
        ).ok()["createWorkflowTrigger"]
        assert hook["hookUrl"] == f"{platform.api.url}/hooks/{hook['id']}"

        # the vendor's system reports a new access point: the workflow starts
        message_id = f"msg_{uuid.uuid4().hex}"
        point = {"accessPoint": {"ean": EAN, "capacityKw": 250}}
        sent = await vendor_sends(hook, message_id, point)
        assert sent.status_code == 202, sent.text
        assert sent.json()["outcome"] == "started"
        workflow_id = sent.json()["workflowId"]
        [run] = (await gql(RUNS, {"id": hook["id"]}, token=admin.token)).ok()["triggerRuns"][
            "nodes"
        ]
        assert (run["outcome"], run["workflowId"]) == ("STARTED", workflow_id)

        # 3. the registry is down: the call and its one retry fail, and the workflow waits
        await drain(worker)
        assert len(registry.received) == 2
        paused = await workflow(workflow_id)
        assert paused["status"] == "PAUSED"  # not FAILED, not CANCELLED
        assert "RESUME" in paused["allowedActions"]
        error = paused["state"]["variables"]["lastError"]
        assert error["stepId"] == "register"
        assert error["attempts"] == 2
        assert error["message"].startswith("HTTP 503 Service Unavailable")
        # what the careless registry echoed of the token is recorded as the secret's name
        assert "[secret:REGISTRY_TOKEN]" in error["message"]
        assert paused["state"]["pause"]["reason"].startswith("HTTP 503 Service Unavailable")
        assert steps_of(paused)["register"]["status"] == "FAILED"
        assert "STEP_FAILED" in [e["type"] for e in events_of(paused)]

        # the registry is back; the tenant's admin resumes, and the call is made again
        registry.status = 200
        assert (await gql(RESUME, {"id": workflow_id}, token=admin.token)).ok()["resumeWorkflow"][
            "status"
        ] == "IN_PROGRESS"
        await drain(worker)

    # every attempt carried the participant's data in the path and the token in the header
    assert [(r["method"], r["raw_path"], r["authorization"]) for r in registry.received] == [
        ("PUT", f"/access-points/{EAN}", f"Bearer {REGISTRY_TOKEN}")
    ] * 3
    assert registry.received[-1]["body"] == {"capacityKw": 250, "holder": tenant.slug}
    registered = await workflow(workflow_id)
    assert registered["status"] == "AWAITING_VALIDATION"
    assert registered["state"]["variables"]["registrationId"] == "REG-0003"
    recorded = steps_of(registered)["register"]["data"]
    assert recorded["status"] == 200
    assert recorded["request"]["headers"] == {"Authorization": "Bearer [secret:REGISTRY_TOKEN]"}
    # the tenant submits, market operations approve: the workflow is completed
    (await gql(SUBMIT, {"id": workflow_id}, token=admin.token)).ok()
    approved = (await gql(APPROVE, {"id": workflow_id}, token=ops.token)).ok()
    assert approved["approveWorkflow"]["status"] == "COMPLETED"
    completed = await workflow(workflow_id)
    assert completed["status"] == "COMPLETED"
    # the hook created and started it, under the vendor's webhook-id
    created, started = events_of(completed)[:2]
    assert (created["type"], started["type"]) == ("WORKFLOW_CREATED", "WORKFLOW_STARTED")
    assert created["correlationId"] == started["correlationId"] == message_id

    # 4. market operations see one completed workflow; one of the step's two runs failed
    stats = (await gql(STATS, {"key": key}, token=ops.token)).ok()["templateStats"]
    assert stats["workflows"] == 1
    assert stats["byStatus"] == [{"status": "COMPLETED", "count": 1}]
    assert stats["tenants"] == [{"tenantId": str(tenant.id), "workflows": 1}]
    assert stats["duration"]["measured"] == 1
    assert stats["duration"]["p50Seconds"] > 0
    [register] = stats["steps"]
    assert {k: register[k] for k in register if k != "duration"} == {
        "stepId": "register",
        "runs": 2,
        "completed": 1,
        "failed": 1,
        "compensated": 0,
        "abandoned": 0,
        "underWay": 0,
        "failureRate": 0.5,  # failed / (completed + compensated + failed)
    }
    assert register["duration"]["measured"] == 1
    assert register["duration"]["p50Seconds"] >= 0
    # another tenant's admin: their own numbers, none; naming this tenant: as if unknown
    theirs = (await gql(STATS, {"key": key}, token=other_admin.token)).ok()["templateStats"]
    assert (theirs["workflows"], theirs["byStatus"], theirs["tenants"]) == (0, [], [])
    assert all(s["runs"] == 0 for s in theirs["steps"])
    foreign = await gql(STATS, {"key": key, "tenant": str(tenant.id)}, token=other_admin.token)
    unknown_id = str(uuid.uuid4())
    unknown = await gql(STATS, {"key": key, "tenant": unknown_id}, token=other_admin.token)
    assert foreign.codes == unknown.codes == ["NOT_FOUND"]
    assert foreign.errors[0]["message"].replace(str(tenant.id), "?") == unknown.errors[0][
        "message"
    ].replace(unknown_id, "?")
    foreign_workflow = await gql(WORKFLOW, {"id": workflow_id}, token=other_admin.token)
    unknown_workflow = await gql(WORKFLOW, {"id": unknown_id}, token=other_admin.token)
    assert foreign_workflow.codes == unknown_workflow.codes == ["NOT_FOUND"]

    # 5. the token is in no answer of the story (the workflow's state and events included),
    # nor in what market operations can read of the jobs and the audit trail, nor in any log
    (await gql(JOBS, token=ops.token)).ok()
    (await gql(AUDIT, token=ops.token)).ok()
    (await gql(AUDIT, token=admin.token)).ok()
    everything = "\n".join(gql.answers) + sent.text
    assert "[secret:REGISTRY_TOKEN]" in everything  # where it would have been, its name
    assert REGISTRY_TOKEN not in everything
    out, err = capfd.readouterr()
    assert REGISTRY_TOKEN not in out + err + caplog.text
    api_log = platform.api.log_path.read_text(errors="replace")
    assert f"/hooks/{hook['id']}" in api_log  # the log that saw the story...
    assert REGISTRY_TOKEN not in api_log  # ...and not the token it was sent
