"""Expressions in actions, end to end through GraphQL, a worker and real loopback peers: an
api_call carries the participant's data and the tenant's secret to a registry, a notification
and a webhook message name what the workflow found; the secret reaches the registry and nothing
the platform records — GraphQL answers, logs, every Postgres table, every MongoDB collection.
Bad expressions are refused when published, at their paths; a missing field or a secret the
tenant has not set (another tenant's is never looked at) fails the step with its reason."""

from __future__ import annotations

import json
import logging
import uuid
from pathlib import Path

import httpx
import pytest
import yaml
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from wfm_api.app import create_app
from wfm_testing.factories import ean18
from wfm_testing.graphql import GraphQLClient
from wfm_testing.peers import serve_asgi
from wfm_testing.templates import form_step, step, template, unique_key
from wfm_testing.worker import drain

# The README's example ("### Expressions in actions"), verbatim; the test swaps the registry's
# host for its loopback peer.
README_TEMPLATE = """key: access-point-registration
version: 1
name: {en: Access point registration, fr: Enregistrement d'un point d'accès, nl: Registratie van een toegangspunt}
steps:
  - id: site
    type: form
    title: {en: The access point, fr: Le point d'accès, nl: Het toegangspunt}
    schema:
      type: object
      required: [ean, capacityKw]
      properties:
        ean: {type: string, format: ean18}
        capacityKw: {type: integer, minimum: 1}
  - id: register
    type: api_call
    title: {en: Registration, fr: Enregistrement, nl: Registratie}
    config:
      method: PUT
      url: "https://registry.example/access-points/{{ steps.site.ean }}?source=wfm"
      headers:
        Authorization: "Bearer {{ secrets.REGISTRY_TOKEN }}"
      query:
        vat: "{{ tenant.vat_number }}"
      body:
        ean: "{{ steps.site.ean }}"
        capacityKw: "{{ steps.site.capacityKw }}"
        holder: "{{ tenant.company_name }} ({{ tenant.vat_number }})"
      responseMapping:
        registrationId: body.registrationId
    retry: {max: 2, backoff: PT10S}
  - id: confirm
    type: notification
    title: {en: Confirmation, fr: Confirmation, nl: Bevestiging}
    config:
      channel: in_app
      to: ["role:tenant_admin"]
      subject:
        en: "Access point {{ steps.site.ean }} registered"
        fr: "Point d'accès {{ steps.site.ean }} enregistré"
        nl: "Toegangspunt {{ steps.site.ean }} geregistreerd"
      body:
        en: "{tenant.companyName}: registration {{ variables.registrationId }}, {{ steps.site.capacityKw }} kW."
        fr: "{tenant.companyName} : enregistrement {{ variables.registrationId }}, {{ steps.site.capacityKw }} kW."
        nl: "{tenant.companyName}: registratie {{ variables.registrationId }}, {{ steps.site.capacityKw }} kW."
  - id: announce
    type: webhook
    title: {en: Announcement, fr: Annonce, nl: Aankondiging}
    config:
      eventType: accesspoint.registered
      payload:
        ean: "{{ steps.site.ean }}"
        registrationId: "{{ variables.registrationId }}"
        capacityMw: "{{ double(steps.site.capacityKw) / 1000.0 }}"
"""
README_REGISTRY = "https://registry.example"

REGISTRY_TOKEN = "rt-7Qm2x9Lk4Vb8Np3Z-never-recorded"
ONLY_B_TOKEN = "b-token-51c0e8-never-seen-by-a"
EAN = "541448820000000015"
NO_RETRY = {"max": 0, "backoff": "PT0.05S"}

PUBLISH = "mutation($d: JSON!) { publishTemplate(definition: $d) { key version } }"
VALIDATE = (
    "mutation($d: JSON!) { validateTemplate(definition: $d) { valid errors { path message } } }"
)
VERSIONS = "query($key: String!) { templateVersions(key: $key) { version } }"
SET_SECRET = """mutation($name: String!, $value: String!) {
  setSecret(name: $name, value: $value) { name } }"""
SUBSCRIBE = """mutation($url: String!, $types: [String!]!) {
  createWebhookSubscription(url: $url, eventTypes: $types) { subscription { id } secret } }"""
CREATE = """mutation($key: String!) {
  createWorkflow(marketRole: GU, templateKey: $key) { id status } }"""
START = "mutation($id: ID!) { startWorkflow(workflowId: $id) { status } }"
EXECUTE = """mutation($id: ID!, $step: String!, $data: JSON!) {
  executeStep(workflowId: $id, stepId: $step, data: $data) { status currentStepId } }"""
WORKFLOW = """query($id: ID!) { workflow(id: $id) {
  status currentStepId
  state { steps { id status data } variables metadata }
  events(first: 50) { edges { node { seq type stepId data correlationId } } }
} }"""
JOBS = "{ jobs(first: 100) { entrypoint status payload lastError dedupeKey } }"
DELIVERIES = "{ webhookDeliveries(first: 50) { eventType payload status lastError } }"
INBOX = "{ notifications(first: 50) { kind subject body workflowId } }"
AUDIT = "{ auditLog(first: 100) { nodes { action objectType objectId details } } }"


# -- peers ----------------------------------------------------------------------------------


def registry_app():
    """The grid registry: records each request as it arrived, answers a registration id, and
    echoes the Authorization header (a careless peer: its answer is recorded too)."""
    received: list[dict] = []

    async def register(request: Request):
        body = await request.body()
        received.append(
            {
                "method": request.method,
                "raw_path": request.scope["raw_path"].decode(),
                "query": request.scope["query_string"].decode(),
                "authorization": request.headers.get("authorization"),
                "body": json.loads(body) if body else None,
            }
        )
        return JSONResponse(
            {
                "registrationId": f"REG-{len(received):04d}",
                "echo": request.headers.get("authorization"),
            }
        )

    app = Starlette(
        routes=[Route("/{path:path}", register, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])]
    )
    return app, received


def receiver_app():
    """A webhook receiver: keeps each message's JSON."""
    messages: list[dict] = []

    async def hook(request: Request):
        messages.append(json.loads(await request.body()))
        return Response(status_code=204)

    return Starlette(routes=[Route("/hooks", hook, methods=["POST"])]), messages


# -- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def gql(isolated_world):
    """The API on the module's database (its own: every table and collection is searched)."""
    app = create_app(isolated_world.settings, storage=isolated_world.storage)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
            yield GraphQLClient(http)


@pytest.fixture(scope="module")
async def people(isolated_world):
    make, factory = isolated_world.factory.account, isolated_world.factory
    a = await factory.tenant(company_name="Ardennes Énergie SA", vat_number="BE0456789034")
    b = await factory.tenant(company_name="Flanders Flex NV")
    return {
        "ops": await make("market_ops"),
        "a": a,
        "admin_a": await make("tenant_admin", a),
        "b": b,
        "admin_b": await make("tenant_admin", b),
    }


def call_template(config: dict, *, retry: dict = NO_RETRY, **fields) -> dict:
    """A form `site`, then an api_call `register` with `config` (not retried, unless said)."""
    register = step("register", "api_call", config=config, retry=retry, **fields)
    return template([form_step("site"), register], key=unique_key("call"))


def post_to_register(registry_url: str, body: dict) -> dict:
    return call_template({"method": "POST", "url": f"{registry_url}/register", "body": body})


async def publish(gql, people, definition) -> str:
    (await gql(PUBLISH, {"d": definition}, token=people["ops"].token)).ok()
    return definition["key"]


async def run_to_the_call(gql, admin, key, site) -> str:
    """A workflow of `key` for `admin`'s tenant, started, its `site` step completed."""
    workflow_id = (await gql(CREATE, {"key": key}, token=admin.token)).ok()["createWorkflow"]["id"]
    (await gql(START, {"id": workflow_id}, token=admin.token)).ok()
    data = {"id": workflow_id, "step": "site", "data": site}
    (await gql(EXECUTE, data, token=admin.token)).ok()
    return workflow_id


async def workflow(gql, account, workflow_id):
    return (await gql(WORKFLOW, {"id": workflow_id}, token=account.token)).ok()["workflow"]


def steps_of(answer):
    return {s["id"]: s for s in answer["state"]["steps"]}


def failure_reason(answer) -> str:
    [failed] = [
        e["node"] for e in answer["events"]["edges"] if e["node"]["type"] == "WORKFLOW_FAILED"
    ]
    return failed["data"]["reason"]


def readme_template(registry_url: str) -> dict:
    # the README shows this very template
    assert README_TEMPLATE in (Path(__file__).parents[1] / "README.md").read_text()
    definition = yaml.safe_load(README_TEMPLATE.replace(README_REGISTRY, registry_url))
    return {**definition, "key": unique_key("apr")}  # a key of its own, test after test


async def everything_postgres_holds(owner) -> str:
    """Every row of every table of the platform's schemas (the job queue's included), as text."""
    tables = await owner.fetch(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_schema IN ('wfm', 'wfm_queue') AND table_type = 'BASE TABLE'"
    )
    assert {"wfm.audit_log", "wfm.webhook_deliveries", "wfm.notifications"} <= {
        f"{t['table_schema']}.{t['table_name']}" for t in tables
    }
    texts = []
    for table in tables:
        rows = await owner.fetch(f'SELECT * FROM "{table["table_schema"]}"."{table["table_name"]}"')
        for row in rows:
            texts += [
                v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
                for v in row.values()
            ]
    return "\n".join(texts)


async def everything_mongodb_holds(storage) -> str:
    db = storage.mongo.db
    names = await db.list_collection_names()
    assert {"workflow_events", "workflow_instances"} <= set(names), names
    texts = []
    for name in names:
        async for document in db[name].find({}):
            texts.append(json.dumps(document, default=str, ensure_ascii=False))
    return "\n".join(texts)


# -- the README's example -------------------------------------------------------------------


async def test_the_readme_example_registers_an_access_point_with_a_secret_and_records_no_secret(
    gql, people, worker, isolated_world, capfd, caplog
):
    caplog.set_level(logging.DEBUG)
    admin, ops = people["admin_a"], people["ops"]
    answers: list[dict] = []
    registry, received = registry_app()
    receiver, messages = receiver_app()
    async with serve_asgi(registry) as registry_url, serve_asgi(receiver) as receiver_url:
        answers.append(
            (
                await gql(
                    SET_SECRET,
                    {"name": "REGISTRY_TOKEN", "value": REGISTRY_TOKEN},
                    token=admin.token,
                )
            ).ok()
        )
        subscribe = {"url": f"{receiver_url}/hooks", "types": ["accesspoint.registered"]}
        (await gql(SUBSCRIBE, subscribe, token=admin.token)).ok()
        key = await publish(gql, people, readme_template(registry_url))
        workflow_id = await run_to_the_call(gql, admin, key, {"ean": EAN, "capacityKw": 250})
        await drain(worker)

    # the registry received the participant's data and the token
    [call] = received
    assert call == {
        "method": "PUT",
        "raw_path": f"/access-points/{EAN}",
        "query": "source=wfm&vat=BE0456789034",
        "authorization": f"Bearer {REGISTRY_TOKEN}",
        "body": {"ean": EAN, "capacityKw": 250, "holder": "Ardennes Énergie SA (BE0456789034)"},
    }
    answer = await workflow(gql, admin, workflow_id)
    answers.append(answer)
    assert answer["status"] == "AWAITING_VALIDATION"
    assert answer["state"]["variables"] == {"registrationId": "REG-0001"}
    # the step records the request as rendered, the secret written [secret:NAME]
    register = steps_of(answer)["register"]["data"]
    assert register["request"] == {
        "method": "PUT",
        "url": f"{registry_url}/access-points/{EAN}?source=wfm",
        "headers": {"Authorization": "Bearer [secret:REGISTRY_TOKEN]"},
        "query": {"vat": "BE0456789034"},
        "body": {"ean": EAN, "capacityKw": 250, "holder": "Ardennes Énergie SA (BE0456789034)"},
    }
    # what the peer echoed of it too
    assert register["body"] == {
        "registrationId": "REG-0001",
        "echo": "Bearer [secret:REGISTRY_TOKEN]",
    }

    # the notification's texts, with a variable and a `{path}` placeholder
    inbox = (await gql(INBOX, token=admin.token)).ok()["notifications"]
    answers.append(inbox)
    [told] = [n for n in inbox if n["kind"] == "notification"]
    assert told == {
        "kind": "notification",
        "subject": f"Access point {EAN} registered",
        "body": "Ardennes Énergie SA: registration REG-0001, 250 kW.",
        "workflowId": workflow_id,
    }
    # the webhook message's payload, its number a number
    [message] = [m for m in messages if m["type"] == "accesspoint.registered"]
    assert message["data"]["payload"] == {
        "ean": EAN,
        "registrationId": "REG-0001",
        "capacityMw": 0.25,
    }

    # the secret in nothing the platform recorded
    for query, account in (
        (JOBS, ops),
        (DELIVERIES, ops),
        (AUDIT, ops),
        (AUDIT, admin),
        (WORKFLOW, ops),
    ):
        answers.append((await gql(query, {"id": workflow_id}, token=account.token)).ok())
    assert all(REGISTRY_TOKEN not in json.dumps(a, ensure_ascii=False) for a in answers)
    out, err = capfd.readouterr()
    assert REGISTRY_TOKEN not in out + err
    assert REGISTRY_TOKEN not in caplog.text
    assert REGISTRY_TOKEN not in await everything_postgres_holds(isolated_world.owner)
    assert REGISTRY_TOKEN not in await everything_mongodb_holds(isolated_world.storage)


# -- participant data in a path, a lone placeholder's type -------------------------------------


async def test_participant_data_is_percent_encoded_in_the_path_and_a_lone_number_stays_a_number(
    gql, people, worker
):
    admin = people["admin_a"]
    registry, received = registry_app()
    async with serve_asgi(registry) as registry_url:
        definition = call_template(
            {
                "method": "POST",
                "url": registry_url
                + "/sites/{{ steps.site.name }}/points?ean={{ steps.site.ean }}",
                "query": {"label": "{{ steps.site.name }}"},
                "body": {
                    "capacityKw": "{{ steps.site.capacityKw }}",
                    "points": "{{ [steps.site.ean] }}",
                    "text": "{{ steps.site.capacityKw }} kW",
                },
            }
        )
        key = await publish(gql, people, definition)
        site = {"name": "Zone A/B ?&#", "ean": ean18(42), "capacityKw": 1250}
        workflow_id = await run_to_the_call(gql, admin, key, site)
        await drain(worker)

    [call] = received
    assert call["raw_path"] == "/sites/Zone%20A%2FB%20%3F%26%23/points"
    assert call["query"] == f"ean={ean18(42)}&label=Zone+A%2FB+%3F%26%23"
    assert call["body"] == {"capacityKw": 1250, "points": [ean18(42)], "text": "1250 kW"}
    assert (await workflow(gql, admin, workflow_id))["status"] == "AWAITING_VALIDATION"


async def test_each_item_of_a_for_each_is_rendered_into_its_own_request(gql, people, worker):
    admin = people["admin_a"]
    (
        await gql(
            SET_SECRET, {"name": "REGISTRY_TOKEN", "value": REGISTRY_TOKEN}, token=admin.token
        )
    ).ok()
    registry, received = registry_app()
    async with serve_asgi(registry) as registry_url:
        definition = call_template(
            {
                "method": "PUT",
                "url": registry_url + "/points/{{ point }}",
                "headers": {"Authorization": "Bearer {{ secrets.REGISTRY_TOKEN }}"},
                "body": {"site": "{{ steps.site.name }}"},
            },
            forEach={"items": "steps.site.points", "as": "point"},
        )
        key = await publish(gql, people, definition)
        points = [ean18(7), ean18(8)]
        workflow_id = await run_to_the_call(gql, admin, key, {"name": "Zone A", "points": points})
        await drain(worker)

    assert [(c["raw_path"], c["authorization"]) for c in received] == [
        (f"/points/{points[0]}", f"Bearer {REGISTRY_TOKEN}"),
        (f"/points/{points[1]}", f"Bearer {REGISTRY_TOKEN}"),
    ]
    answer = await workflow(gql, admin, workflow_id)
    assert answer["status"] == "AWAITING_VALIDATION"
    results = steps_of(answer)["register"]["data"]["results"]
    assert [r["request"]["url"] for r in results] == [
        f"{registry_url}/points/{point}" for point in points
    ]
    assert {r["request"]["headers"]["Authorization"] for r in results} == {
        "Bearer [secret:REGISTRY_TOKEN]"
    }
    assert REGISTRY_TOKEN not in json.dumps(answer)


# -- failures at run time ---------------------------------------------------------------------


async def test_a_failing_peer_that_echoes_the_secret_leaves_it_in_no_retry_nor_failure(
    gql, people, worker, isolated_world
):
    admin, ops = people["admin_a"], people["ops"]
    (
        await gql(
            SET_SECRET, {"name": "REGISTRY_TOKEN", "value": REGISTRY_TOKEN}, token=admin.token
        )
    ).ok()
    calls = []

    async def failing(request: Request):
        calls.append(request.headers["authorization"])
        return Response(f"no access for {request.headers['authorization']}", status_code=503)

    peer = Starlette(routes=[Route("/register", failing, methods=["POST"])])
    async with serve_asgi(peer) as registry_url:
        definition = call_template(
            {
                "method": "POST",
                "url": f"{registry_url}/register",
                "headers": {"Authorization": "Bearer {{ secrets.REGISTRY_TOKEN }}"},
                "body": {"ean": "{{ steps.site.ean }}"},
            },
            retry={"max": 1, "backoff": "PT0.05S"},
        )
        key = await publish(gql, people, definition)
        workflow_id = await run_to_the_call(gql, admin, key, {"ean": EAN})
        await drain(worker)

    assert calls == [f"Bearer {REGISTRY_TOKEN}"] * 2  # retried once, then given up
    answer = await workflow(gql, admin, workflow_id)
    assert answer["status"] == "FAILED"
    assert failure_reason(answer) == (
        "step 'register': HTTP 503 Service Unavailable: no access for Bearer "
        "[secret:REGISTRY_TOKEN] (gave up after 2 attempts)"
    )
    jobs = (await gql(JOBS, token=ops.token)).ok()
    assert REGISTRY_TOKEN not in json.dumps(jobs)
    assert REGISTRY_TOKEN not in await everything_postgres_holds(isolated_world.owner)
    assert REGISTRY_TOKEN not in await everything_mongodb_holds(isolated_world.storage)


async def test_a_field_the_data_lacks_fails_the_step_with_where_and_why(gql, people, worker):
    admin = people["admin_a"]
    registry, received = registry_app()
    async with serve_asgi(registry) as registry_url:
        key = await publish(
            gql, people, post_to_register(registry_url, {"owner": "{{ steps.site.owner }}"})
        )
        workflow_id = await run_to_the_call(gql, admin, key, {"ean": EAN})
        await drain(worker)

    assert received == []
    answer = await workflow(gql, admin, workflow_id)
    assert answer["status"] == "FAILED"
    assert failure_reason(answer) == (
        "step 'register': config.body.owner: the expression 'steps.site.owner' failed: "
        "the data has no field 'owner'"
    )


async def test_a_secret_only_another_tenant_has_is_not_set_for_this_ones_workflow(
    gql, people, worker, isolated_world
):
    admin_a, admin_b = people["admin_a"], people["admin_b"]
    (await gql(SET_SECRET, {"name": "ONLY_B", "value": ONLY_B_TOKEN}, token=admin_b.token)).ok()
    registry, received = registry_app()
    async with serve_asgi(registry) as registry_url:
        key = await publish(
            gql, people, post_to_register(registry_url, {"token": "{{ secrets.ONLY_B }}"})
        )
        a_workflow = await run_to_the_call(gql, admin_a, key, {})
        await drain(worker)
        # the same template in B's tenant: B's own secret goes to the peer
        b_workflow = await run_to_the_call(gql, admin_b, key, {})
        await drain(worker)

    a_answer = await workflow(gql, admin_a, a_workflow)
    assert a_answer["status"] == "FAILED"
    assert failure_reason(a_answer) == "step 'register': secret ONLY_B is not set"
    assert ONLY_B_TOKEN not in json.dumps(a_answer)
    [call] = received  # B's workflow's only
    assert call["body"] == {"token": ONLY_B_TOKEN}
    b_answer = await workflow(gql, admin_b, b_workflow)
    assert b_answer["status"] == "AWAITING_VALIDATION"
    assert steps_of(b_answer)["register"]["data"]["request"]["body"] == {"token": "[secret:ONLY_B]"}
    # A's people cannot reach B's workflow: answered like an unknown one
    foreign = await gql(WORKFLOW, {"id": b_workflow}, token=admin_a.token)
    unknown = await gql(WORKFLOW, {"id": str(uuid.uuid4())}, token=admin_a.token)
    assert foreign.codes == unknown.codes == ["NOT_FOUND"]


# -- refused when published ------------------------------------------------------------------


async def test_bad_expressions_are_refused_at_their_paths_and_nothing_is_published(gql, people):
    ops = people["ops"]
    definition = template(
        [
            form_step("site"),
            step(
                "register",
                "api_call",
                config={
                    "url": "https://{{ variables.host }}/register",
                    "headers": {"Authorization": "Bearer {{ secrets['REGISTRY_TOKEN'] }}"},
                    "body": {"ean": "{{ steps.site.ean + }}", "who": "{{ registry.user }}"},
                },
            ),
            step(
                "announce",
                "webhook",
                config={
                    "eventType": "site.registered",
                    "payload": {"t": "{{ secrets.REGISTRY_TOKEN }}"},
                },
            ),
        ],
        key=unique_key("bad"),
    )
    refused = await gql(PUBLISH, {"d": definition}, token=ops.token)
    assert refused.codes == ["VALIDATION_FAILED"]
    fields = [
        ([str(p) for p in f["path"]], f["message"])
        for e in refused.errors
        for f in e["extensions"]["fields"]
    ]
    expected = [
        (["steps", "1", "config", "url"], "its scheme and host are written out"),
        (["steps", "1", "config", "headers", "Authorization"], "not by index"),
        (["steps", "1", "config", "body", "ean"], "does not compile: at column 16"),
        (["steps", "1", "config", "body", "who"], "names 'registry': expressions name steps"),
        (
            ["steps", "2", "config", "payload", "t"],
            "names a secret: only a step that sends a request may",
        ),
    ]
    for path, words in expected:
        assert any(p == path and words in m for p, m in fields), (path, fields)
    versions = await gql(VERSIONS, {"key": definition["key"]}, token=ops.token)
    assert versions.codes == ["NOT_FOUND"] or versions.ok()["templateVersions"] == []

    # validateTemplate reports the same, storing nothing
    checked = (await gql(VALIDATE, {"d": definition}, token=ops.token)).ok()["validateTemplate"]
    assert checked["valid"] is False
    assert [(p["path"], p["message"]) for p in checked["errors"]] == fields
