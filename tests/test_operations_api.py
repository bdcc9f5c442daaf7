"""Operating the automation through GraphQL: the job queue and its dead letters, webhook
subscriptions (the secret shown once) and deliveries (replayed under the same message id),
each user's notifications, and the triggers that start workflows."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from wfm_shared.principal import system_principal
from wfm_shared.sealing import SecretBox
from wfm_storage import jobs
from wfm_testing.operations import notify, webhook_delivery
from wfm_testing.triggers import SCHEDULE, create_trigger

SUBSCRIPTION_FIELDS = "id tenantId url eventTypes description active"
CREATE_SUBSCRIPTION = f"""
mutation($tenantId: ID, $url: String!, $eventTypes: [String!]!, $description: String) {{
  createWebhookSubscription(tenantId: $tenantId, url: $url, eventTypes: $eventTypes,
                            description: $description) {{
    subscription {{ {SUBSCRIPTION_FIELDS} }} secret
  }}
}}"""
UPDATE_SUBSCRIPTION = f"""
mutation($id: ID!, $url: String, $eventTypes: [String!], $description: String, $active: Boolean) {{
  updateWebhookSubscription(id: $id, url: $url, eventTypes: $eventTypes, description: $description,
                            active: $active) {{ {SUBSCRIPTION_FIELDS} }}
}}"""
DELETE_SUBSCRIPTION = "mutation($id: ID!) { deleteWebhookSubscription(id: $id) }"
SUBSCRIPTIONS = (
    f"query($t: ID) {{ webhookSubscriptions(tenantId: $t) {{ {SUBSCRIPTION_FIELDS} }} }}"
)
DELIVERY_FIELDS = """
  id subscriptionId tenantId messageId eventType payload status attemptCount lastStatusCode
  lastError attempts { attempt statusCode error durationMs attemptedAt }
"""
DELIVERIES = f"""
query($status: WebhookDeliveryStatus, $sub: ID, $first: Int! = 50) {{
  webhookDeliveries(status: $status, subscriptionId: $sub, first: $first) {{ {DELIVERY_FIELDS} }}
}}"""
REPLAY = f"mutation($id: ID!) {{ replayWebhookDelivery(id: $id) {{ {DELIVERY_FIELDS} }} }}"
JOB_FIELDS = "id entrypoint status attempts createdAt updatedAt executeAfter payload lastError"
JOBS = f"""
query($status: JobStatus, $entrypoint: String, $first: Int! = 50) {{
  jobs(status: $status, entrypoint: $entrypoint, first: $first) {{ {JOB_FIELDS} }}
}}"""
RETRY = f"mutation($id: ID!) {{ retryJob(id: $id) {{ {JOB_FIELDS} }} }}"
NOTIFICATIONS = """
query($unread: Boolean! = false, $first: Int! = 20) {
  notifications(unreadOnly: $unread, first: $first) { id kind subject body read readAt workflowId }
}"""
MARK_READ = "mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) }"
TRIGGER_FIELDS = (
    "id tenantId name kind cron timezone eventType filter templateKey marketRole active"
)
CREATE_TRIGGER = create_trigger(TRIGGER_FIELDS)
TRIGGERS = f"query($t: ID) {{ workflowTriggers(tenantId: $t) {{ {TRIGGER_FIELDS} }} }}"
DELETE_TRIGGER = "mutation($id: ID!) { deleteWorkflowTrigger(id: $id) }"

ON_APPROVAL = {
    "name": "Portfolio after onboarding",
    "kind": "EVENT",
    "templateKey": "portfolio-management",
    "marketRole": "BRP",
    "eventType": "workflow.approved",
    "filter": {"templateKey": "contract-onboarding"},
}


@pytest.fixture
async def ops(factory):
    return await factory.account("market_ops")


@pytest.fixture
async def queue(owner_conn):
    """Jobs a test leaves in the shared queue, by dedupe key or id, removed afterwards."""
    left = {"keys": [], "ids": []}
    yield left
    await owner_conn.execute(
        "DELETE FROM wfm_queue.pgqueuer WHERE dedupe_key = ANY($1::text[]) OR id = ANY($2::bigint[])",
        left["keys"],
        left["ids"],
    )


async def subscribe(gql, account, tenant_id=None, **overrides):
    variables = {
        "tenantId": tenant_id,
        "url": f"https://hooks.example.test/{uuid.uuid4().hex}",
        "eventTypes": ["workflow.approved", "workflow.step_completed"],
        "description": "ERP",
        **overrides,
    }
    return (await gql(CREATE_SUBSCRIPTION, variables, token=account.token)).ok()[
        "createWebhookSubscription"
    ]


async def failed_delivery(storage, subscription_id):
    """A delivery the worker gave up on after two attempts."""
    delivery_id = await webhook_delivery(storage, subscription_id)
    async with storage.db.transaction(system_principal()) as conn:
        at = datetime.now(UTC)
        for attempt, (code, gave_up) in enumerate(((500, False), (503, True))):
            delivery = await storage.webhooks.delivery(conn, uuid.UUID(delivery_id))
            await storage.webhooks.record_attempt(
                conn,
                delivery,
                status_code=code,
                error=f"HTTP {code}",
                duration_ms=40 + attempt,
                delivered=False,
                gave_up=gave_up,
                at=at + timedelta(seconds=attempt),
            )
    return delivery_id


async def held_failed_job(storage, owner_conn, queue, *, error=("RuntimeError", "boom")):
    """A job the worker held as failed after its last attempt, with its logged traceback."""
    entrypoint = f"test_job_{uuid.uuid4().hex[:8]}"
    async with storage.db.transaction(system_principal()) as conn:
        job_id = await storage.jobs.enqueue(conn, entrypoint, {"deliveryId": "d-1", "n": 7})
    queue["ids"].append(job_id)
    await owner_conn.execute(
        "UPDATE wfm_queue.pgqueuer SET status = 'failed', attempts = 5 WHERE id = $1", job_id
    )
    if error:
        await owner_conn.execute(
            "INSERT INTO wfm_queue.pgqueuer_log (job_id, status, priority, entrypoint, traceback) "
            "VALUES ($1, 'exception', 0, $2, $3)",
            job_id,
            entrypoint,
            {
                "job_id": job_id,
                "timestamp": datetime.now(UTC).isoformat(),
                "exception_type": error[0],
                "exception_message": error[1],
                "traceback": "Traceback (most recent call last): ...",
                "additional_context": None,
            },
        )
    return job_id, entrypoint


async def audit_actions(owner_conn, target_id):
    rows = await owner_conn.fetch(
        "SELECT action, details FROM wfm.audit_log WHERE target_id = $1 ORDER BY id", target_id
    )
    return [(r["action"], r["details"]) for r in rows]


# -- webhook subscriptions ---------------------------------------------------------------


async def test_tenant_admin_subscribes_and_sees_the_secret_only_once(
    gql, admin, tenant, owner_conn, wfm_settings
):
    created = await subscribe(gql, admin)
    subscription, secret = created["subscription"], created["secret"]
    assert secret.startswith("whsec_")
    assert subscription["tenantId"] == str(tenant.id)
    assert subscription["eventTypes"] == ["workflow.approved", "workflow.step_completed"]
    assert subscription["active"] is True
    stored = await owner_conn.fetchrow(
        "SELECT secret, sealed_secret FROM wfm.webhook_subscriptions WHERE id = $1",
        uuid.UUID(subscription["id"]),
    )
    # kept sealed under the keyring (WFM_SECRET_KEYS), never in plaintext
    assert stored["secret"] is None
    assert secret.removeprefix("whsec_") not in stored["sealed_secret"]
    assert SecretBox.from_settings(wfm_settings).open(stored["sealed_secret"]) == secret

    listed = await gql(SUBSCRIPTIONS, token=admin.token)
    assert listed.ok()["webhookSubscriptions"] == [subscription]
    assert secret not in json.dumps(listed.body)
    asking_for_it = await gql("{ webhookSubscriptions { secret } }", token=admin.token)
    assert asking_for_it.codes == ["GRAPHQL_VALIDATION_FAILED"]
    updated = await gql(UPDATE_SUBSCRIPTION, {"id": subscription["id"]}, token=admin.token)
    assert secret not in json.dumps(updated.body)

    [(action, details)] = await audit_actions(owner_conn, subscription["id"])
    assert action == "WEBHOOK_SUBSCRIPTION_CREATED"
    assert details["url"] == subscription["url"]
    assert secret not in json.dumps(details)


@pytest.mark.parametrize(
    ("overrides", "paths"),
    [
        ({"url": "ftp://hooks.example.test/x"}, [["url"]]),
        ({"url": "https://"}, [["url"]]),
        ({"url": "https:///no-host"}, [["url"]]),
        ({"url": "hooks.example.test/x"}, [["url"]]),
        ({"eventTypes": []}, [["eventTypes"]]),
        (
            {"eventTypes": ["workflow.approved", "Workflow Approved", "approved"]},
            [
                ["eventTypes", 1],
                ["eventTypes", 2],
            ],
        ),
        ({"description": "x" * 501}, [["description"]]),
        ({"url": "mailto:ops@example.test", "eventTypes": []}, [["url"], ["eventTypes"]]),
    ],
)
async def test_subscription_input_is_refused_with_the_field_paths(gql, admin, overrides, paths):
    variables = {
        "url": "https://hooks.example.test/in",
        "eventTypes": ["workflow.approved"],
        **overrides,
    }
    result = await gql(CREATE_SUBSCRIPTION, variables, token=admin.token)
    assert result.codes == ["VALIDATION_FAILED"]
    assert result.field_paths == paths


async def test_every_event_and_http_urls_are_accepted(gql, admin):
    created = await subscribe(gql, admin, url="http://erp.example.test:8080/hook", eventTypes=["*"])
    assert created["subscription"]["eventTypes"] == ["*"]
    tenant_event = await subscribe(gql, admin, eventTypes=["tenant.created", "tenant.created"])
    assert tenant_event["subscription"]["eventTypes"] == ["tenant.created"]


async def test_market_operations_subscribe_for_a_tenant_they_name(gql, ops, tenant):
    unnamed = await gql(
        CREATE_SUBSCRIPTION,
        {"url": "https://hooks.example.test/a", "eventTypes": ["*"]},
        token=ops.token,
    )
    assert unnamed.codes == ["VALIDATION_FAILED"]
    assert unnamed.field_paths == [["tenantId"]]
    created = await subscribe(gql, ops, str(tenant.id))
    assert created["subscription"]["tenantId"] == str(tenant.id)
    unknown = await gql(
        CREATE_SUBSCRIPTION,
        {"tenantId": str(uuid.uuid4()), "url": "https://hooks.example.test/a", "eventTypes": ["*"]},
        token=ops.token,
    )
    assert unknown.codes == ["NOT_FOUND"]


async def test_tenant_users_may_not_manage_webhooks(gql, factory, tenant, admin):
    user = await factory.account("tenant_user", tenant)
    subscription = (await subscribe(gql, admin))["subscription"]
    attempts = [
        (
            CREATE_SUBSCRIPTION,
            {"url": "https://hooks.example.test/u", "eventTypes": ["*"]},
        ),
        (SUBSCRIPTIONS, {}),
        (UPDATE_SUBSCRIPTION, {"id": subscription["id"], "active": False}),
        (DELETE_SUBSCRIPTION, {"id": subscription["id"]}),
    ]
    for query, variables in attempts:
        assert (await gql(query, variables, token=user.token)).codes == ["FORBIDDEN"]
    assert (await gql(SUBSCRIPTIONS, token=admin.token)).ok()["webhookSubscriptions"] == [
        subscription
    ]


async def test_an_update_changes_what_is_given_and_keeps_the_secret(gql, admin, owner_conn):
    subscription = (await subscribe(gql, admin))["subscription"]
    secret_before = await owner_conn.fetchval(
        "SELECT sealed_secret FROM wfm.webhook_subscriptions WHERE id = $1",
        uuid.UUID(subscription["id"]),
    )
    changed = (
        await gql(
            UPDATE_SUBSCRIPTION,
            {"id": subscription["id"], "url": "https://erp.example.test/in", "active": False},
            token=admin.token,
        )
    ).ok()["updateWebhookSubscription"]
    assert changed == {
        **subscription,
        "url": "https://erp.example.test/in",
        "active": False,
    }
    cleared = (
        await gql(
            UPDATE_SUBSCRIPTION,
            {"id": subscription["id"], "description": "", "eventTypes": ["workflow.rejected"]},
            token=admin.token,
        )
    ).ok()["updateWebhookSubscription"]
    assert cleared["description"] is None
    assert cleared["eventTypes"] == ["workflow.rejected"]
    assert cleared["url"] == "https://erp.example.test/in"
    assert (
        await owner_conn.fetchval(
            "SELECT sealed_secret FROM wfm.webhook_subscriptions WHERE id = $1",
            uuid.UUID(subscription["id"]),
        )
        == secret_before
    )
    bad = await gql(
        UPDATE_SUBSCRIPTION, {"id": subscription["id"], "url": "ftp://x"}, token=admin.token
    )
    assert bad.codes == ["VALIDATION_FAILED"]
    assert bad.field_paths == [["url"]]
    actions = await audit_actions(owner_conn, subscription["id"])
    assert [a for a, _ in actions] == [
        "WEBHOOK_SUBSCRIPTION_CREATED",
        "WEBHOOK_SUBSCRIPTION_UPDATED",
        "WEBHOOK_SUBSCRIPTION_UPDATED",
    ]
    assert actions[1][1] == {"url": "https://erp.example.test/in", "active": False}


async def test_a_deleted_subscription_is_gone(gql, admin, owner_conn):
    subscription = (await subscribe(gql, admin))["subscription"]
    deleted = await gql(DELETE_SUBSCRIPTION, {"id": subscription["id"]}, token=admin.token)
    assert deleted.ok() == {"deleteWebhookSubscription": subscription["id"]}
    assert (await gql(SUBSCRIPTIONS, token=admin.token)).ok()["webhookSubscriptions"] == []
    again = await gql(DELETE_SUBSCRIPTION, {"id": subscription["id"]}, token=admin.token)
    assert again.codes == ["NOT_FOUND"]
    assert [a for a, _ in await audit_actions(owner_conn, subscription["id"])] == [
        "WEBHOOK_SUBSCRIPTION_CREATED",
        "WEBHOOK_SUBSCRIPTION_DELETED",
    ]


# -- webhook deliveries --------------------------------------------------------------------


async def test_market_operations_list_deliveries_with_their_attempts(gql, admin, ops, storage):
    subscription = (await subscribe(gql, admin))["subscription"]
    delivery_id = await failed_delivery(storage, subscription["id"])
    [delivery] = (await gql(DELIVERIES, {"sub": subscription["id"]}, token=ops.token)).ok()[
        "webhookDeliveries"
    ]
    assert delivery["id"] == delivery_id
    assert delivery["status"] == "FAILED"
    assert delivery["attemptCount"] == 2
    assert (delivery["lastStatusCode"], delivery["lastError"]) == (503, "HTTP 503")
    assert [
        (a["attempt"], a["statusCode"], a["error"], a["durationMs"]) for a in delivery["attempts"]
    ] == [(1, 500, "HTTP 500", 40), (2, 503, "HTTP 503", 41)]
    failed = (
        await gql(DELIVERIES, {"sub": subscription["id"], "status": "FAILED"}, token=ops.token)
    ).ok()["webhookDeliveries"]
    assert [d["id"] for d in failed] == [delivery_id]
    pending = (
        await gql(DELIVERIES, {"sub": subscription["id"], "status": "PENDING"}, token=ops.token)
    ).ok()["webhookDeliveries"]
    assert pending == []
    too_many = await gql(DELIVERIES, {"first": 1000}, token=ops.token)
    assert too_many.codes == ["VALIDATION_FAILED"]
    assert too_many.field_paths == [["first"]]


async def test_deliveries_are_for_market_operations_only(gql, admin, storage):
    subscription = (await subscribe(gql, admin))["subscription"]
    delivery_id = await failed_delivery(storage, subscription["id"])
    assert (await gql(DELIVERIES, token=admin.token)).codes == ["FORBIDDEN"]
    assert (await gql(REPLAY, {"id": delivery_id}, token=admin.token)).codes == ["FORBIDDEN"]


async def test_a_replay_resets_the_delivery_and_queues_its_job(
    gql, admin, ops, storage, owner_conn, queue
):
    subscription = (await subscribe(gql, admin))["subscription"]
    delivery_id = await failed_delivery(storage, subscription["id"])
    key = jobs.delivery_key(delivery_id)
    queue["keys"].append(key)
    before = (await gql(DELIVERIES, {"sub": subscription["id"]}, token=ops.token)).ok()[
        "webhookDeliveries"
    ][0]

    replayed = (await gql(REPLAY, {"id": delivery_id}, token=ops.token)).ok()[
        "replayWebhookDelivery"
    ]
    assert replayed["status"] == "PENDING"
    assert replayed["attemptCount"] == 0
    assert replayed["messageId"] == before["messageId"]  # receivers deduplicate on it
    assert replayed["attempts"] == before["attempts"]  # the history stays
    queued = await owner_conn.fetch(
        "SELECT entrypoint, status::text AS status, payload FROM wfm_queue.pgqueuer WHERE dedupe_key = $1",
        key,
    )
    assert [(r["entrypoint"], r["status"], json.loads(r["payload"])) for r in queued] == [
        (jobs.DELIVER_WEBHOOK, "queued", {"deliveryId": delivery_id})
    ]

    # replaying again while its job waits queues nothing more
    (await gql(REPLAY, {"id": delivery_id}, token=ops.token)).ok()
    assert (
        await owner_conn.fetchval(
            "SELECT count(*) FROM wfm_queue.pgqueuer WHERE dedupe_key = $1", key
        )
        == 1
    )
    actions = await audit_actions(owner_conn, delivery_id)
    assert [a for a, _ in actions] == ["WEBHOOK_DELIVERY_REPLAYED"] * 2
    assert actions[0][1]["messageId"] == before["messageId"]
    assert actions[1][1]["jobId"] is None

    unknown = await gql(REPLAY, {"id": str(uuid.uuid4())}, token=ops.token)
    assert unknown.codes == ["NOT_FOUND"]


# -- jobs ----------------------------------------------------------------------------------


async def test_market_operations_see_jobs_with_payload_and_last_error(
    gql, ops, storage, owner_conn, queue
):
    job_id, entrypoint = await held_failed_job(storage, owner_conn, queue)
    [job] = (await gql(JOBS, {"entrypoint": entrypoint}, token=ops.token)).ok()["jobs"]
    assert job["id"] == str(job_id)
    assert job["entrypoint"] == entrypoint
    assert job["status"] == "FAILED"
    assert job["attempts"] == 5
    assert job["payload"] == {"deliveryId": "d-1", "n": 7}
    assert job["lastError"] == "RuntimeError: boom"
    assert all(job[f] for f in ("createdAt", "updatedAt", "executeAfter"))

    failed = (await gql(JOBS, {"status": "FAILED", "first": 100}, token=ops.token)).ok()["jobs"]
    assert str(job_id) in {j["id"] for j in failed}
    assert {j["status"] for j in failed} == {"FAILED"}
    queued = await gql(JOBS, {"status": "QUEUED", "entrypoint": entrypoint}, token=ops.token)
    assert queued.ok()["jobs"] == []


async def test_a_job_without_a_logged_failure_has_no_last_error(
    gql, ops, storage, owner_conn, queue
):
    _, entrypoint = await held_failed_job(storage, owner_conn, queue, error=None)
    [job] = (await gql(JOBS, {"entrypoint": entrypoint}, token=ops.token)).ok()["jobs"]
    assert job["lastError"] is None


async def test_a_held_failed_job_is_queued_again(gql, ops, storage, owner_conn, queue):
    job_id, _ = await held_failed_job(storage, owner_conn, queue)
    retried = (await gql(RETRY, {"id": str(job_id)}, token=ops.token)).ok()["retryJob"]
    assert (retried["id"], retried["status"], retried["attempts"]) == (str(job_id), "QUEUED", 0)
    assert retried["lastError"] == "RuntimeError: boom"  # still on record
    row = await owner_conn.fetchrow(
        "SELECT status::text AS status, attempts FROM wfm_queue.pgqueuer WHERE id = $1", job_id
    )
    assert dict(row) == {"status": "queued", "attempts": 0}
    assert [a for a, _ in await audit_actions(owner_conn, str(job_id))] == ["JOB_RETRIED"]

    again = await gql(RETRY, {"id": str(job_id)}, token=ops.token)
    assert again.codes == ["VALIDATION_FAILED"]
    assert again.field_paths == [["id"]]


async def test_retrying_an_unknown_or_malformed_job_id_is_refused(gql, ops):
    assert (await gql(RETRY, {"id": "987654321012"}, token=ops.token)).codes == ["NOT_FOUND"]
    malformed = await gql(RETRY, {"id": "not-a-number"}, token=ops.token)
    assert malformed.codes == ["VALIDATION_FAILED"]
    assert malformed.field_paths == [["id"]]


async def test_the_job_queue_is_for_market_operations_only(
    gql, factory, tenant, admin, storage, owner_conn, queue
):
    job_id, _ = await held_failed_job(storage, owner_conn, queue)
    user = await factory.account("tenant_user", tenant)
    for account in (admin, user):
        assert (await gql(JOBS, token=account.token)).codes == ["FORBIDDEN"]
        assert (await gql(RETRY, {"id": str(job_id)}, token=account.token)).codes == ["FORBIDDEN"]
    assert (await gql(JOBS)).codes == ["UNAUTHENTICATED"]
    status = await owner_conn.fetchval(
        "SELECT status::text FROM wfm_queue.pgqueuer WHERE id = $1", job_id
    )
    assert status == "failed"


# -- notifications -------------------------------------------------------------------------


async def test_a_user_reads_and_marks_their_notifications(gql, admin, storage):
    await notify(storage, admin, "first")
    await notify(storage, admin, "second")
    inbox = (await gql(NOTIFICATIONS, token=admin.token)).ok()["notifications"]
    assert [(n["subject"], n["read"]) for n in inbox] == [("second", False), ("first", False)]
    assert inbox[0]["body"] == "second: body"

    marked = await gql(MARK_READ, {"ids": [inbox[1]["id"]]}, token=admin.token)
    assert marked.ok() == {"markNotificationsRead": 1}
    unread = (await gql(NOTIFICATIONS, {"unread": True}, token=admin.token)).ok()["notifications"]
    assert [n["subject"] for n in unread] == ["second"]
    everything = (await gql(NOTIFICATIONS, token=admin.token)).ok()["notifications"]
    assert [(n["subject"], n["read"], n["readAt"] is not None) for n in everything] == [
        ("second", False, False),
        ("first", True, True),
    ]
    again = await gql(MARK_READ, {"ids": [inbox[1]["id"], str(uuid.uuid4())]}, token=admin.token)
    assert again.ok() == {"markNotificationsRead": 0}
    assert (
        len((await gql(NOTIFICATIONS, {"first": 1}, token=admin.token)).ok()["notifications"]) == 1
    )


async def test_notification_arguments_are_checked(gql, admin):
    malformed = await gql(MARK_READ, {"ids": [str(uuid.uuid4()), "nope"]}, token=admin.token)
    assert malformed.codes == ["VALIDATION_FAILED"]
    assert malformed.field_paths == [["ids", 1]]
    too_many = await gql(NOTIFICATIONS, {"first": 0}, token=admin.token)
    assert too_many.codes == ["VALIDATION_FAILED"]
    assert too_many.field_paths == [["first"]]
    assert (await gql(NOTIFICATIONS)).codes == ["UNAUTHENTICATED"]


# -- workflow triggers ---------------------------------------------------------------------


async def test_tenant_admin_keeps_schedule_and_event_triggers(gql, admin, tenant, owner_conn):
    schedule = (await gql(CREATE_TRIGGER, SCHEDULE, token=admin.token)).ok()[
        "createWorkflowTrigger"
    ]
    assert schedule["tenantId"] == str(tenant.id)
    assert (schedule["kind"], schedule["cron"], schedule["timezone"]) == (
        "SCHEDULE",
        "0 6 * * 1",
        "Europe/Brussels",
    )
    assert schedule["eventType"] is None
    event = (await gql(CREATE_TRIGGER, ON_APPROVAL, token=admin.token)).ok()[
        "createWorkflowTrigger"
    ]
    assert (event["kind"], event["eventType"], event["filter"]) == (
        "EVENT",
        "workflow.approved",
        {"templateKey": "contract-onboarding"},
    )
    assert event["marketRole"] == "BRP"
    listed = (await gql(TRIGGERS, token=admin.token)).ok()["workflowTriggers"]
    assert listed == [schedule, event]

    deleted = await gql(DELETE_TRIGGER, {"id": schedule["id"]}, token=admin.token)
    assert deleted.ok() == {"deleteWorkflowTrigger": schedule["id"]}
    assert (await gql(TRIGGERS, token=admin.token)).ok()["workflowTriggers"] == [event]
    assert (await gql(DELETE_TRIGGER, {"id": schedule["id"]}, token=admin.token)).codes == [
        "NOT_FOUND"
    ]
    actions = await audit_actions(owner_conn, schedule["id"])
    assert [a for a, _ in actions] == ["WORKFLOW_TRIGGER_CREATED", "WORKFLOW_TRIGGER_DELETED"]
    assert actions[0][1]["cron"] == "0 6 * * 1"


@pytest.mark.parametrize(
    ("overrides", "paths"),
    [
        ({"cron": "61 * * * *"}, [["cron"]]),
        ({"cron": "every monday"}, [["cron"]]),
        ({"cron": "0 0 6 * * 1"}, [["cron"]]),
        ({"cron": None}, [["cron"]]),
        ({"timezone": "Europe/Atlantis"}, [["timezone"]]),
        ({"timezone": "../etc/passwd"}, [["timezone"]]),
        ({"timezone": None}, [["timezone"]]),
        ({"eventType": "workflow.approved"}, [["eventType"]]),
        ({"name": " "}, [["name"]]),
        ({"templateKey": "no-such-template"}, [["templateKey"]]),
        ({"cron": "61 * * * *", "timezone": "Nowhere"}, [["cron"], ["timezone"]]),
    ],
)
async def test_a_schedule_is_checked_with_field_paths(gql, admin, overrides, paths):
    result = await gql(CREATE_TRIGGER, {**SCHEDULE, **overrides}, token=admin.token)
    assert result.codes == ["VALIDATION_FAILED"]
    assert result.field_paths == paths


@pytest.mark.parametrize(
    ("overrides", "paths"),
    [
        ({"eventType": None}, [["eventType"]]),
        ({"eventType": "workflow.exploded"}, [["eventType"]]),
        ({"eventType": "*"}, [["eventType"]]),
        ({"cron": "0 6 * * 1"}, [["cron"]]),
        ({"filter": {"tenantId": "x"}}, [["filter", "tenantId"]]),
        ({"filter": {"stepId": 3}}, [["filter", "stepId"]]),
        ({"filter": ["templateKey"]}, [["filter"]]),
        ({"eventType": "workflow.created", "filter": {}}, [["filter", "templateKey"]]),
        ({"marketRole": "GU", "templateKey": "no-such-template"}, [["templateKey"]]),
    ],
)
async def test_an_event_trigger_is_checked_with_field_paths(gql, admin, overrides, paths):
    result = await gql(CREATE_TRIGGER, {**ON_APPROVAL, **overrides}, token=admin.token)
    assert result.codes == ["VALIDATION_FAILED"]
    assert result.field_paths == paths


async def test_market_operations_keep_triggers_of_any_tenant_and_of_the_platform(
    gql, ops, tenant, admin
):
    unnamed = await gql(CREATE_TRIGGER, SCHEDULE, token=ops.token)
    assert unnamed.codes == ["VALIDATION_FAILED"]
    assert unnamed.field_paths == [["tenantId"]]
    for_tenant = (
        await gql(CREATE_TRIGGER, {**SCHEDULE, "tenantId": str(tenant.id)}, token=ops.token)
    ).ok()["createWorkflowTrigger"]
    assert for_tenant["tenantId"] == str(tenant.id)
    platform = (
        await gql(
            CREATE_TRIGGER,
            {
                **ON_APPROVAL,
                "name": "Onboard every new tenant",
                "templateKey": "contract-onboarding",
                "eventType": "tenant.created",
                "filter": None,
            },
            token=ops.token,
        )
    ).ok()["createWorkflowTrigger"]
    assert platform["tenantId"] is None
    everything = {t["id"] for t in (await gql(TRIGGERS, token=ops.token)).ok()["workflowTriggers"]}
    assert {for_tenant["id"], platform["id"]} <= everything
    # the tenant sees its own trigger, not the platform's
    own = (await gql(TRIGGERS, token=admin.token)).ok()["workflowTriggers"]
    assert [t["id"] for t in own] == [for_tenant["id"]]
    assert (await gql(DELETE_TRIGGER, {"id": platform["id"]}, token=admin.token)).codes == [
        "NOT_FOUND"
    ]
    assert (await gql(DELETE_TRIGGER, {"id": platform["id"]}, token=ops.token)).ok()


async def test_tenant_users_may_not_manage_triggers(gql, factory, tenant, admin):
    user = await factory.account("tenant_user", tenant)
    trigger = (await gql(CREATE_TRIGGER, SCHEDULE, token=admin.token)).ok()["createWorkflowTrigger"]
    assert (await gql(CREATE_TRIGGER, SCHEDULE, token=user.token)).codes == ["FORBIDDEN"]
    assert (await gql(TRIGGERS, token=user.token)).codes == ["FORBIDDEN"]
    assert (await gql(DELETE_TRIGGER, {"id": trigger["id"]}, token=user.token)).codes == [
        "FORBIDDEN"
    ]
    assert (await gql(TRIGGERS, token=admin.token)).ok()["workflowTriggers"] == [trigger]
