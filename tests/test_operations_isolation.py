"""Operating the automation across tenants: with tenant A's token, tenant B's webhook
subscriptions, triggers and deliveries answer exactly like unknown ids, lists show only A's
rows, notifications belong to their user alone; market operations see every tenant."""

import uuid

import pytest

from wfm_testing.operations import notify, webhook_delivery

SUBSCRIPTIONS = "query($t: ID) { webhookSubscriptions(tenantId: $t) { id tenantId url } }"
TRIGGERS = "query($t: ID) { workflowTriggers(tenantId: $t) { id tenantId name } }"
NOTIFICATIONS = "{ notifications(first: 100) { id subject read } }"
MARK_READ = "mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) }"
CREATE_SUBSCRIPTION = """
mutation($t: ID, $url: String!) {
  createWebhookSubscription(tenantId: $t, url: $url, eventTypes: ["*"]) { subscription { id } secret }
}"""
CREATE_TRIGGER = """
mutation($t: ID, $name: String!) {
  createWorkflowTrigger(tenantId: $t, name: $name, kind: SCHEDULE, cron: "0 6 * * 1",
                        timezone: "Europe/Brussels", templateKey: "portfolio-management",
                        marketRole: BRP) { id }
}"""

# Every operation that takes an id of another tenant's row, with its variables, and the
# answer both a foreign and an unknown id get (deliveries are for market operations only).
OPERATIONS = {
    "updateWebhookSubscription": (
        "mutation($id: ID!) { updateWebhookSubscription(id: $id, active: false) { id active } }",
        lambda w: {"id": w["b_subscription"]},
        "NOT_FOUND",
    ),
    "deleteWebhookSubscription": (
        "mutation($id: ID!) { deleteWebhookSubscription(id: $id) }",
        lambda w: {"id": w["b_subscription"]},
        "NOT_FOUND",
    ),
    "createWebhookSubscription for the tenant": (
        CREATE_SUBSCRIPTION,
        lambda w: {"t": w["b_tenant"], "url": "https://hooks.example.test/x"},
        "NOT_FOUND",
    ),
    "deleteWorkflowTrigger": (
        "mutation($id: ID!) { deleteWorkflowTrigger(id: $id) }",
        lambda w: {"id": w["b_trigger"]},
        "NOT_FOUND",
    ),
    "createWorkflowTrigger for the tenant": (
        CREATE_TRIGGER,
        lambda w: {"t": w["b_tenant"], "name": "mine now"},
        "NOT_FOUND",
    ),
    "replayWebhookDelivery": (
        "mutation($id: ID!) { replayWebhookDelivery(id: $id) { id status } }",
        lambda w: {"id": w["b_delivery"]},
        "FORBIDDEN",
    ),
}


@pytest.fixture
async def world(gql, factory, storage):
    tenant_a, tenant_b = await factory.tenant(), await factory.tenant()
    a = await factory.account("tenant_admin", tenant_a)
    a2 = await factory.account("tenant_user", tenant_a)
    b = await factory.account("tenant_admin", tenant_b)
    ops = await factory.account("market_ops")
    made = {}
    for name, account in (("a", a), ("b", b)):
        created = await gql(
            CREATE_SUBSCRIPTION, {"url": f"https://{name}.example.test/hook"}, token=account.token
        )
        made[f"{name}_subscription"] = created.ok()["createWebhookSubscription"]["subscription"][
            "id"
        ]
        trigger = await gql(CREATE_TRIGGER, {"name": f"{name}'s review"}, token=account.token)
        made[f"{name}_trigger"] = trigger.ok()["createWorkflowTrigger"]["id"]
        await notify(storage, account, f"for {name}")
    await notify(storage, a2, "for a2")
    return {
        **made,
        "a_tenant": str(tenant_a.id),
        "b_tenant": str(tenant_b.id),
        "b_delivery": await webhook_delivery(storage, made["b_subscription"]),
        "a": a,
        "a2": a2,
        "b": b,
        "ops": ops,
    }


def shape(result, hidden_id):
    """An answer with the id masked: what a client can learn from it."""
    return [
        (e["extensions"]["code"], e["message"].replace(hidden_id, "<id>"), e.get("path"))
        for e in result.errors
    ], result.data


async def b_rows(gql, world):
    """What tenant B has, as market operations see it."""
    ops, tenant = world["ops"].token, world["b_tenant"]
    return (
        (await gql(SUBSCRIPTIONS, {"t": tenant}, token=ops)).ok(),
        (await gql(TRIGGERS, {"t": tenant}, token=ops)).ok(),
    )


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
async def test_another_tenants_id_answers_like_an_unknown_one(gql, world, operation):
    query, variables, code = OPERATIONS[operation]
    before = await b_rows(gql, world)
    foreign_variables = variables(world)
    [foreign_id] = [v for v in foreign_variables.values() if v in world.values()]
    unknown_id = str(uuid.uuid4())
    unknown_variables = {
        k: unknown_id if v == foreign_id else v for k, v in foreign_variables.items()
    }

    foreign = await gql(query, foreign_variables, token=world["a"].token)
    unknown = await gql(query, unknown_variables, token=world["a"].token)
    assert foreign.codes == [code], foreign.errors
    assert shape(foreign, foreign_id) == shape(unknown, unknown_id)
    assert await b_rows(gql, world) == before


async def test_lists_show_only_the_callers_rows(gql, world):
    a = world["a"].token
    subscriptions = (await gql(SUBSCRIPTIONS, token=a)).ok()["webhookSubscriptions"]
    assert [(s["id"], s["tenantId"]) for s in subscriptions] == [
        (world["a_subscription"], world["a_tenant"])
    ]
    triggers = (await gql(TRIGGERS, token=a)).ok()["workflowTriggers"]
    assert [(t["id"], t["tenantId"]) for t in triggers] == [(world["a_trigger"], world["a_tenant"])]
    for query in (SUBSCRIPTIONS, TRIGGERS):
        asked_for_b = (await gql(query, {"t": world["b_tenant"]}, token=a)).ok()
        assert next(iter(asked_for_b.values())) == []


async def test_notifications_belong_to_their_user_alone(gql, world):
    a, a2, b = world["a"].token, world["a2"].token, world["b"].token
    assert [n["subject"] for n in (await gql(NOTIFICATIONS, token=a)).ok()["notifications"]] == [
        "for a"
    ]
    a2_inbox = (await gql(NOTIFICATIONS, token=a2)).ok()["notifications"]
    assert [n["subject"] for n in a2_inbox] == ["for a2"]
    b_inbox = (await gql(NOTIFICATIONS, token=b)).ok()["notifications"]
    assert [n["subject"] for n in b_inbox] == ["for b"]

    # marking someone else's notification changes nothing, like an unknown id
    others = [a2_inbox[0]["id"], b_inbox[0]["id"]]
    assert (await gql(MARK_READ, {"ids": others}, token=a)).ok() == {"markNotificationsRead": 0}
    assert (await gql(NOTIFICATIONS, token=a2)).ok()["notifications"][0]["read"] is False
    assert (await gql(NOTIFICATIONS, token=b)).ok()["notifications"][0]["read"] is False
    # market operations do not read a user's notifications either: the inbox is the asker's
    ops_inbox = (await gql(NOTIFICATIONS, token=world["ops"].token)).ok()["notifications"]
    assert not {n["id"] for n in ops_inbox} & {*others, a2_inbox[0]["id"]}


async def test_market_operations_see_both_tenants(gql, world):
    ops = world["ops"].token
    subscriptions = (await gql(SUBSCRIPTIONS, token=ops)).ok()["webhookSubscriptions"]
    by_tenant = {(s["tenantId"], s["id"]) for s in subscriptions}
    assert {
        (world["a_tenant"], world["a_subscription"]),
        (world["b_tenant"], world["b_subscription"]),
    } <= by_tenant
    triggers = (await gql(TRIGGERS, token=ops)).ok()["workflowTriggers"]
    assert {
        (world["a_tenant"], world["a_trigger"]),
        (world["b_tenant"], world["b_trigger"]),
    } <= {(t["tenantId"], t["id"]) for t in triggers}
    only_b = (await gql(SUBSCRIPTIONS, {"t": world["b_tenant"]}, token=ops)).ok()
    assert [s["id"] for s in only_b["webhookSubscriptions"]] == [world["b_subscription"]]
    deliveries = (
        await gql(
            "query($s: ID) { webhookDeliveries(subscriptionId: $s) { id tenantId } }",
            {"s": world["b_subscription"]},
            token=ops,
        )
    ).ok()["webhookDeliveries"]
    assert deliveries == [{"id": world["b_delivery"], "tenantId": world["b_tenant"]}]
