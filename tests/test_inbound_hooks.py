"""A vendor's system starts a workflow through a webhook trigger: `POST /hooks/{triggerId}`
signed by a real Standard Webhooks sender (the project's own `sign`, as its outgoing webhooks
are). A good signature starts the workflow with the variables mapped from the body; a bad
signature, a stale timestamp, a replayed webhook-id, a body against the trigger's schema, a
trigger switched off and too many requests are each answered as the specification and the
README say, and every request that reaches a trigger is logged in `triggerRuns`."""

import asyncio
import json
import re
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from pydantic import SecretStr

from wfm_api.app import create_app
from wfm_integrations.webhooks import new_secret, sign
from wfm_shared.principal import system_principal
from wfm_shared.sealing import SecretBox
from wfm_testing.factories import ean18
from wfm_testing.pytest_plugin import next_client_address
from wfm_testing.triggers import ACCESS_POINT

CREATE = """
mutation($name: String!, $kind: TriggerKind!, $inputSchema: JSON, $variables: JSON) {
  createWorkflowTrigger(name: $name, kind: $kind, templateKey: "portfolio-management",
                        marketRole: BRP, inputSchema: $inputSchema, variables: $variables) {
    id kind hookUrl signingSecret
  }
}"""
TRIGGERS = "{ workflowTriggers { id hookUrl signingSecret } }"
DISABLE = "mutation($id: ID!) { disableWorkflowTrigger(id: $id) { active } }"
ENABLE = "mutation($id: ID!) { enableWorkflowTrigger(id: $id) { active } }"
RUNS = """
query($id: ID!) {
  triggerRuns(triggerId: $id) {
    totalCount
    nodes { id kind outcome workflowId reason correlationId webhookId }
  }
}"""
WORKFLOW = "query($id: ID!) { workflow(id: $id) { tenant { id } state { variables } } }"

HOOK = {
    "name": "Access point added in the ERP",
    "kind": "WEBHOOK",
    "inputSchema": ACCESS_POINT,
    "variables": {"ean": "input.accessPoint.ean"},
}
EAN = ean18(11)
BODY = {"accessPoint": {"ean": EAN}}


async def send(
    http,
    trigger,
    secret,
    payload=BODY,
    *,
    webhook_id=None,
    timestamp=None,
    body=None,
    signature=None,
):
    """One request as a Standard Webhooks sender makes it."""
    content = body if body is not None else json.dumps(payload).encode()
    message_id = webhook_id or f"msg_{uuid.uuid4().hex}"
    at = int(time.time()) if timestamp is None else timestamp
    return await http.post(
        urlsplit(trigger["hookUrl"]).path,
        content=content,
        headers={
            "content-type": "application/json",
            "webhook-id": message_id,
            "webhook-timestamp": str(at),
            "webhook-signature": signature or sign(secret, message_id, at, content),
        },
    )


@pytest.fixture
async def hook(gql, admin):
    created = await gql(CREATE, HOOK, token=admin.token)
    return created.ok()["createWorkflowTrigger"]


async def workflows_of(owner_conn, tenant_id):
    return await owner_conn.fetchval(
        "SELECT count(*) FROM wfm.workflow_instances_index WHERE tenant_id = $1", tenant_id
    )


async def runs_of(gql, account, trigger):
    result = await gql(RUNS, {"id": trigger["id"]}, token=account.token)
    return result.ok()["triggerRuns"]["nodes"]


def refusal(response):
    error = response.json()["errors"][0]
    return error["extensions"]["code"], error["message"]


async def test_a_signed_request_starts_the_workflow_with_the_variables_from_its_body(
    gql, admin, tenant, hook, owner_conn, storage, wfm_settings
):
    secret = hook["signingSecret"]
    assert secret.startswith("whsec_")
    assert hook["hookUrl"] == f"{wfm_settings.public_url.rstrip('/')}/hooks/{hook['id']}"
    # shown once: never listed, kept sealed
    listed = (await gql(TRIGGERS, token=admin.token)).ok()["workflowTriggers"]
    assert listed == [{"id": hook["id"], "hookUrl": hook["hookUrl"], "signingSecret": None}]
    stored = await owner_conn.fetchval(
        "SELECT signing_secret FROM wfm.workflow_triggers WHERE id = $1", uuid.UUID(hook["id"])
    )
    assert secret not in stored
    assert secret.removeprefix("whsec_") not in stored
    in_audit = await owner_conn.fetchval(
        "SELECT count(*) FROM wfm.audit_log WHERE strpos(details::text, $1) > 0",
        secret.removeprefix("whsec_"),
    )
    assert in_audit == 0

    response = await send(gql.http, hook, secret, webhook_id="msg_erp_1")
    assert response.status_code == 202
    answer = response.json()
    assert answer["outcome"] == "started"
    workflow = (await gql(WORKFLOW, {"id": answer["workflowId"]}, token=admin.token)).ok()
    assert workflow["workflow"]["state"]["variables"] == {"ean": EAN}
    assert workflow["workflow"]["tenant"]["id"] == str(tenant.id)
    assert await runs_of(gql, admin, hook) == [
        {
            "id": answer["runId"],
            "kind": "WEBHOOK",
            "outcome": "STARTED",
            "workflowId": answer["workflowId"],
            "reason": None,
            "correlationId": "msg_erp_1",
            "webhookId": "msg_erp_1",
        }
    ]
    events = await storage.events.for_instance(system_principal(), answer["workflowId"])
    assert events[0].data["trigger"]["type"] == "webhook"
    assert events[0].data["trigger"]["webhookId"] == "msg_erp_1"
    assert events[0].correlation_id == "msg_erp_1"


async def test_a_replayed_webhook_id_is_answered_with_the_first_run_and_starts_nothing(
    gql, admin, tenant, hook, owner_conn
):
    secret = hook["signingSecret"]
    first = await send(gql.http, hook, secret, webhook_id="msg_again")
    assert first.status_code == 202
    # a sender's retry: the same id, signed again a little later
    again = await send(
        gql.http, hook, secret, webhook_id="msg_again", timestamp=int(time.time()) + 1
    )
    assert again.status_code == 200
    assert again.json() == first.json()
    assert await workflows_of(owner_conn, tenant.id) == 1
    duplicate, started = await runs_of(gql, admin, hook)
    assert (duplicate["outcome"], duplicate["workflowId"], duplicate["webhookId"]) == (
        "DUPLICATE",
        None,
        "msg_again",
    )
    assert first.json()["runId"] in duplicate["reason"]
    assert started["id"] == first.json()["runId"]


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        ({"signature": "v1," + "A" * 44}, "no matching signature"),
        ({"secret": new_secret()}, "no matching signature"),
        # seconds from now, read when the test runs (not when the module is collected)
        ({"skew": -6 * 60}, "outside the tolerance"),
        ({"skew": 6 * 60}, "outside the tolerance"),
        ({"signature": "v2,unknown-scheme"}, "no matching signature"),
        ({"body": b'{"accessPoint": {"ean": "541440000000000011"}}  '}, "no matching signature"),
    ],
)
async def test_a_request_that_is_not_verified_is_refused_logged_and_starts_nothing(
    gql, admin, tenant, hook, owner_conn, tamper, reason
):
    tamper = dict(tamper)
    secret = tamper.pop("secret", hook["signingSecret"])
    if "skew" in tamper:
        tamper["timestamp"] = int(time.time()) + tamper.pop("skew")
    if "body" in tamper:  # signed for one body, sent with another
        signed = json.dumps(BODY).encode()
        at, message_id = int(time.time()), "msg_tampered"
        tamper = {
            "body": tamper["body"],
            "webhook_id": message_id,
            "timestamp": at,
            "signature": sign(secret, message_id, at, signed),
        }
    response = await send(gql.http, hook, secret, **tamper)
    assert response.status_code == 401
    code, message = refusal(response)
    assert code == "UNAUTHENTICATED"
    assert reason in message
    assert await workflows_of(owner_conn, tenant.id) == 0
    (failed,) = await runs_of(gql, admin, hook)
    assert (failed["outcome"], failed["workflowId"], failed["webhookId"]) == ("FAILED", None, None)
    assert reason in failed["reason"]


async def test_a_request_without_the_headers_is_refused(gql, hook):
    response = await gql.http.post(urlsplit(hook["hookUrl"]).path, json=BODY)
    assert response.status_code == 401
    assert refusal(response) == (
        "UNAUTHENTICATED",
        "the request is not verified: missing header webhook-id",
    )


async def test_any_one_of_several_signatures_may_match_while_a_sender_rotates(gql, hook):
    secret, content = hook["signingSecret"], json.dumps(BODY).encode()
    at, message_id = int(time.time()), "msg_rotating"
    signatures = " ".join(
        [sign(new_secret(), message_id, at, content), sign(secret, message_id, at, content)]
    )
    response = await send(
        gql.http, hook, secret, webhook_id=message_id, timestamp=at, signature=signatures
    )
    assert response.status_code == 202


@pytest.mark.parametrize(
    ("body", "paths"),
    [
        (json.dumps({"accessPoint": {"ean": "541440000000000012"}}), [["accessPoint", "ean"]]),
        (json.dumps({"accessPoint": {}}), [["accessPoint", "ean"]]),
        (json.dumps(["not", "an", "object"]), [[]]),
        ("{not json", [[]]),
        ('{"n": NaN}', [[]]),
    ],
)
async def test_a_body_the_trigger_does_not_take_is_refused_with_its_problems(
    gql, admin, tenant, hook, owner_conn, body, paths
):
    secret = hook["signingSecret"]
    response = await send(gql.http, hook, secret, body=body.encode(), webhook_id="msg_bad_body")
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "VALIDATION_FAILED"
    assert [f["path"] for f in error["extensions"]["fields"]] == paths
    assert await workflows_of(owner_conn, tenant.id) == 0
    (failed,) = await runs_of(gql, admin, hook)
    assert (failed["outcome"], failed["webhookId"]) == ("FAILED", "msg_bad_body")
    # a refused request does not take its webhook-id: the sender's corrected one goes through
    corrected = await send(gql.http, hook, secret, webhook_id="msg_bad_body")
    assert corrected.status_code == 202


async def test_a_trigger_switched_off_unknown_or_of_another_kind_answers_404_alike(
    gql, admin, hook
):
    secret = hook["signingSecret"]
    (await gql(DISABLE, {"id": hook["id"]}, token=admin.token)).ok()
    manual = (await gql(CREATE, {"name": "By hand", "kind": "MANUAL"}, token=admin.token)).ok()[
        "createWorkflowTrigger"
    ]
    off = await send(gql.http, hook, secret)
    seen = [(off.status_code, refusal(off)[0], refusal(off)[1].replace(hook["id"], "<id>"))]
    for other in (str(uuid.uuid4()), manual["id"]):
        response = await send(gql.http, {"hookUrl": f"/hooks/{other}"}, secret)
        seen.append(
            (
                response.status_code,
                refusal(response)[0],
                refusal(response)[1].replace(other, "<id>"),
            )
        )
    assert seen == [(404, "NOT_FOUND", "webhook trigger <id> not found")] * 3
    malformed = await send(gql.http, {"hookUrl": "/hooks/not-an-id"}, secret)
    assert malformed.status_code == 404
    assert (await runs_of(gql, admin, hook)) == []  # nothing reached it
    (await gql(ENABLE, {"id": hook["id"]}, token=admin.token)).ok()
    assert (await send(gql.http, hook, secret)).status_code == 202


async def test_a_body_over_the_limit_is_refused_before_it_is_read(gql, hook, wfm_settings):
    big = json.dumps({"pad": "x" * (wfm_settings.max_body_bytes + 1)}).encode()
    response = await send(gql.http, hook, hook["signingSecret"], body=big)
    assert response.status_code == 413


@pytest.fixture
async def strict_api(wfm_settings, storage):
    """The API allowing 2 webhook requests per trigger per minute."""
    settings = wfm_settings.model_copy(update={"hook_max_requests": 2, "hook_window_seconds": 60})
    app = create_app(settings, storage=storage)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=(next_client_address(), 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
            yield http


async def test_requests_past_the_limit_of_a_trigger_answer_429_with_retry_after(
    gql, admin, tenant, owner_conn, strict_api
):
    first, second = [
        (await gql(CREATE, {**HOOK, "name": name}, token=admin.token)).ok()["createWorkflowTrigger"]
        for name in ("ERP", "Metering")
    ]
    answers = [
        (await send(strict_api, first, first["signingSecret"])).status_code for _ in range(2)
    ]
    assert answers == [202, 202]
    limited = await send(strict_api, first, first["signingSecret"])
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert refusal(limited)[0] == "RATE_LIMITED"
    # even an unsigned request counts: a flood is refused before anything is checked or logged
    assert (await send(strict_api, first, new_secret())).status_code == 429
    assert await workflows_of(owner_conn, tenant.id) == 2
    assert len(await runs_of(gql, admin, first)) == 2
    # the limit is each trigger's own
    assert (await send(strict_api, second, second["signingSecret"])).status_code == 202


async def test_one_tenants_hook_cannot_start_another_tenants_workflow(
    gql, factory, admin, tenant, hook, owner_conn
):
    tenant_b = await factory.tenant()
    b = await factory.account("tenant_admin", tenant_b)
    b_hook = (await gql(CREATE, HOOK, token=b.token)).ok()["createWorkflowTrigger"]
    # B's secret does not sign for A's trigger
    response = await send(gql.http, hook, b_hook["signingSecret"])
    assert response.status_code == 401
    assert await workflows_of(owner_conn, tenant.id) == 0
    # B's URL starts B's workflow, in B's tenant, and nothing of A's
    started = await send(gql.http, b_hook, b_hook["signingSecret"])
    assert started.status_code == 202
    workflow = await gql(WORKFLOW, {"id": started.json()["workflowId"]}, token=b.token)
    assert workflow.ok()["workflow"]["tenant"]["id"] == str(tenant_b.id)
    assert await workflows_of(owner_conn, tenant.id) == 0
    # A sees neither B's trigger nor its runs nor its workflow
    assert (await gql(RUNS, {"id": b_hook["id"]}, token=admin.token)).codes == ["NOT_FOUND"]
    foreign = await gql(WORKFLOW, {"id": started.json()["workflowId"]}, token=admin.token)
    assert foreign.codes == ["NOT_FOUND"]


# -- the README's example, over real HTTP ----------------------------------------------------

README = Path(__file__).resolve().parents[1] / "README.md"
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def readme_sender() -> str:
    """The README's signed-webhook example (the Python block that signs a request)."""
    blocks = [
        b
        for b in PYTHON_BLOCK.findall(README.read_text(encoding="utf-8"))
        if "webhook-signature" in b
    ]
    assert len(blocks) == 1, (
        "the README shows one signed-webhook example in Python, under 'Triggers'"
    )
    return blocks[0]


async def test_the_readme_webhook_example_starts_a_workflow_over_real_http(
    gql, admin, live_api_url
):
    created = (await gql(CREATE, HOOK, token=admin.token)).ok()["createWorkflowTrigger"]
    example = readme_sender()
    # the two values the README says to fill in: the trigger's hookUrl and its secret
    hook_url = f"{live_api_url}/hooks/{created['id']}"
    filled, count = re.subn(r'^hook_url = ".*"', f'hook_url = "{hook_url}"', example, flags=re.M)
    filled, more = re.subn(
        r'^secret = ".*"', f'secret = "{created["signingSecret"]}"', filled, flags=re.M
    )
    assert (count, more) == (1, 1), "the example assigns hook_url and secret once each"
    namespace: dict[str, object] = {}
    await asyncio.to_thread(exec, compile(filled, "README.md", "exec"), namespace)
    answer = namespace["answer"]
    assert isinstance(answer, dict)
    assert answer["outcome"] == "started"
    workflow = (await gql(WORKFLOW, {"id": answer["workflowId"]}, token=admin.token)).ok()
    assert workflow["workflow"]["state"]["variables"] == {"ean": "541440000000000019"}


async def test_a_signing_secret_resealed_under_a_new_key_still_verifies(
    gql, admin, hook, wfm_settings, storage
):
    """What `wfm secrets rotate-key` does to webhook triggers: each secret resealed under
    the keyring's new first key, after which the old key may leave the keyring."""
    old = SecretBox.from_settings(wfm_settings)
    new_key = SecretBox.generate_key()
    keyring = SecretBox([new_key.encode()])
    async with storage.db.transaction(system_principal()) as conn:
        stored = await storage.triggers.signing_secrets_page(conn, after=None, limit=10_000)
        sealed = dict(stored)[uuid.UUID(hook["id"])]
        resealed = keyring.seal(old.open(sealed))
        assert await storage.triggers.replace_signing_secret(
            conn, uuid.UUID(hook["id"]), sealed, resealed
        )
        # a change meanwhile is not overwritten
        assert not await storage.triggers.replace_signing_secret(
            conn, uuid.UUID(hook["id"]), sealed, resealed
        )
    settings = wfm_settings.model_copy(update={"secret_keys": SecretStr(new_key)})
    app = create_app(settings, storage=storage)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=(next_client_address(), 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
            assert (await send(http, hook, hook["signingSecret"])).status_code == 202


async def test_a_request_with_nothing_to_start_is_answered_200_and_logged_as_skipped(
    gql, admin, tenant, owner_conn
):
    created = await gql(
        """mutation { createWorkflowTrigger(name: "Onboard from the CRM", kind: WEBHOOK,
             templateKey: "contract-onboarding", marketRole: BRP) { id hookUrl signingSecret } }""",
        token=admin.token,
    )
    onboard = created.ok()["createWorkflowTrigger"]
    first = await send(gql.http, onboard, onboard["signingSecret"], {})
    assert first.status_code == 202
    second = await send(gql.http, onboard, onboard["signingSecret"], {})
    assert second.status_code == 200
    answer = second.json()
    assert (answer["outcome"], answer["workflowId"]) == ("skipped", None)
    assert first.json()["workflowId"] in answer["reason"]
    assert await workflows_of(owner_conn, tenant.id) == 1
    skipped, started = await runs_of(gql, admin, onboard)
    assert (skipped["outcome"], started["outcome"]) == ("SKIPPED", "STARTED")
