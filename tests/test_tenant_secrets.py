"""Tenant secrets through the API, with two tenants: a tenant's administrators (and market
operations, for a tenant they name) set, replace, list and delete them; a value is never
answered, audited, logged, nor stored in plaintext; only the platform reads it (`reveal`).
Another tenant's secrets answer exactly like an unknown tenant's; bad input changes nothing.
Webhook signing secrets are kept under the same keyring."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from wfm_integrations.webhooks import new_secret, verify
from wfm_shared.principal import system_principal
from wfm_testing.operations import webhook_delivery
from wfm_testing.peers import serve_asgi

SECRET_FIELDS = "name tenantId createdAt updatedAt createdBy { kind name } updatedBy { kind }"
SET = f"""mutation($name: String!, $value: String!, $t: ID) {{
  setSecret(name: $name, value: $value, tenantId: $t) {{ {SECRET_FIELDS} }} }}"""
DELETE = "mutation($name: String!, $t: ID) { deleteSecret(name: $name, tenantId: $t) }"
LIST = f"query($t: ID) {{ secrets(tenantId: $t) {{ {SECRET_FIELDS} }} }}"

ERP_KEY = "erp-key-7f3c9a1e-do-not-leak"
NEW_ERP_KEY = "erp-key-rotated-51b0d2-do-not-leak"


async def stored_rows(owner_conn, tenant_id) -> list[dict]:
    rows = await owner_conn.fetch(
        "SELECT name, sealed_value FROM wfm.tenant_secrets WHERE tenant_id = $1 ORDER BY name",
        tenant_id,
    )
    return [dict(r) for r in rows]


async def audit_entries(owner_conn, tenant_id) -> list[tuple[str, str, str]]:
    rows = await owner_conn.fetch(
        "SELECT action, target_id, details::text AS details FROM wfm.audit_log "
        "WHERE tenant_id = $1 AND target_type = 'tenant_secret' ORDER BY id",
        tenant_id,
    )
    return [(r["action"], r["target_id"], r["details"]) for r in rows]


async def test_an_administrator_sets_replaces_lists_and_deletes_a_secret_never_seeing_its_value(
    gql, two_tenants, owner_conn, services, capfd
):
    admin, tenant = two_tenants["admin_a"], two_tenants["a"]
    answers = []

    created = await gql(SET, {"name": "ERP_API_KEY", "value": ERP_KEY}, token=admin.token)
    answers.append(created.body)
    secret = created.ok()["setSecret"]
    assert secret["name"] == "ERP_API_KEY"
    assert secret["tenantId"] == str(tenant.id)
    assert secret["createdBy"] == {
        "kind": "USER",
        "name": admin.user.display_name or admin.user.email,
    }
    assert secret["createdAt"] == secret["updatedAt"]

    replaced = await gql(SET, {"name": "ERP_API_KEY", "value": NEW_ERP_KEY}, token=admin.token)
    answers.append(replaced.body)
    again = replaced.ok()["setSecret"]
    assert again["createdAt"] == secret["createdAt"]  # the same secret, a new value
    assert datetime.fromisoformat(again["updatedAt"]) >= datetime.fromisoformat(secret["updatedAt"])
    listed = await gql(LIST, token=admin.token)
    answers.append(listed.body)
    assert listed.ok()["secrets"] == [again]
    # no field answers a value: asking for one is not even a valid query
    asking = await gql("{ secrets { name value } }", token=admin.token)
    assert asking.codes == ["GRAPHQL_VALIDATION_FAILED"]

    # the platform's own steps read the latest value
    assert await services.secrets.reveal(tenant.id, ["ERP_API_KEY", "ABSENT"]) == {
        "ERP_API_KEY": NEW_ERP_KEY
    }
    # stored sealed: the table holds no value in plaintext
    [row] = await stored_rows(owner_conn, tenant.id)
    assert ERP_KEY not in row["sealed_value"]
    assert NEW_ERP_KEY not in row["sealed_value"]

    deleted = await gql(DELETE, {"name": "ERP_API_KEY"}, token=admin.token)
    answers.append(deleted.body)
    assert deleted.ok() == {"deleteSecret": True}
    assert (await gql(LIST, token=admin.token)).ok()["secrets"] == []
    assert await services.secrets.reveal(tenant.id, ["ERP_API_KEY"]) == {}
    gone = await gql(DELETE, {"name": "ERP_API_KEY"}, token=admin.token)
    assert gone.codes == ["NOT_FOUND"]
    assert gone.errors[0]["message"] == "secret ERP_API_KEY not found"

    # audited by name, never by value
    entries = await audit_entries(owner_conn, tenant.id)
    assert [(action, name) for action, name, _ in entries] == [
        ("SECRET_CREATED", "ERP_API_KEY"),
        ("SECRET_UPDATED", "ERP_API_KEY"),
        ("SECRET_DELETED", "ERP_API_KEY"),
    ]
    for value in (ERP_KEY, NEW_ERP_KEY):
        assert all(value not in details for _, _, details in entries)
        assert all(value not in json.dumps(body) for body in answers)
    out, err = capfd.readouterr()
    assert ERP_KEY not in out + err
    assert NEW_ERP_KEY not in out + err


async def test_another_tenants_secrets_answer_exactly_like_an_unknown_tenants(
    gql, two_tenants, owner_conn, services
):
    admin_a, admin_b, a = two_tenants["admin_a"], two_tenants["admin_b"], two_tenants["a"]
    (await gql(SET, {"name": "ERP_API_KEY", "value": ERP_KEY}, token=admin_a.token)).ok()
    unknown = str(uuid.uuid4())

    for query, variables in (
        (SET, {"name": "ERP_API_KEY", "value": "taken over"}),
        (SET, {"name": "B_WAS_HERE", "value": "planted"}),
        (DELETE, {"name": "ERP_API_KEY"}),
        (LIST, {}),
    ):
        foreign = await gql(query, {**variables, "t": str(a.id)}, token=admin_b.token)
        stranger = await gql(query, {**variables, "t": unknown}, token=admin_b.token)
        assert foreign.codes == stranger.codes == ["NOT_FOUND"]
        assert foreign.errors[0]["message"].replace(str(a.id), "<id>") == stranger.errors[0][
            "message"
        ].replace(unknown, "<id>")
        assert foreign.data == stranger.data
    # within B's own tenant, A's secret is not there either
    assert (await gql(LIST, token=admin_b.token)).ok()["secrets"] == []
    not_b = await gql(DELETE, {"name": "ERP_API_KEY"}, token=admin_b.token)
    assert not_b.codes == ["NOT_FOUND"]

    # A's secret is as A set it, and nothing else was stored for A
    assert [r["name"] for r in await stored_rows(owner_conn, a.id)] == ["ERP_API_KEY"]
    assert await services.secrets.reveal(a.id, ["ERP_API_KEY"]) == {"ERP_API_KEY": ERP_KEY}
    assert [action for action, _, _ in await audit_entries(owner_conn, a.id)] == ["SECRET_CREATED"]


async def test_a_tenant_user_may_not_set_list_or_delete_secrets(gql, two_tenants, owner_conn):
    user, tenant = two_tenants["user_a"], two_tenants["a"]
    for query, variables in (
        (SET, {"name": "ERP_API_KEY", "value": ERP_KEY}),
        (LIST, {}),
        (DELETE, {"name": "ERP_API_KEY"}),
    ):
        refused = await gql(query, variables, token=user.token)
        assert refused.codes == ["FORBIDDEN"]
        assert "lacks secrets.manage" in refused.errors[0]["message"]
    assert await stored_rows(owner_conn, tenant.id) == []


async def test_market_operations_manage_the_secrets_of_a_tenant_they_name(
    gql, factory, two_tenants, services
):
    ops, b = await factory.account("market_ops"), two_tenants["b"]
    unnamed = await gql(SET, {"name": "ERP_API_KEY", "value": ERP_KEY}, token=ops.token)
    assert unnamed.codes == ["VALIDATION_FAILED"]
    assert unnamed.errors[0]["extensions"]["fields"] == [
        {"path": ["tenantId"], "message": "is required for market operations"}
    ]
    named = {"name": "ERP_API_KEY", "value": ERP_KEY, "t": str(b.id)}
    assert (await gql(SET, named, token=ops.token)).ok()["setSecret"]["tenantId"] == str(b.id)
    # B's administrator sees it, set by market operations
    [seen] = (await gql(LIST, token=two_tenants["admin_b"].token)).ok()["secrets"]
    assert (seen["name"], seen["createdBy"]["kind"]) == ("ERP_API_KEY", "USER")
    assert await services.secrets.reveal(b.id, ["ERP_API_KEY"]) == {"ERP_API_KEY": ERP_KEY}
    unknown = await gql(SET, {**named, "t": str(uuid.uuid4())}, token=ops.token)
    assert unknown.codes == ["NOT_FOUND"]
    assert (await gql(DELETE, {"name": "ERP_API_KEY", "t": str(b.id)}, token=ops.token)).ok()


@pytest.mark.parametrize(
    ("name", "value", "path"),
    [
        ("", ERP_KEY, "name"),
        ("1ST_KEY", ERP_KEY, "name"),
        ("_KEY", ERP_KEY, "name"),
        ("ERP API KEY", ERP_KEY, "name"),
        ("ERP-KEY", ERP_KEY, "name"),
        ("CLÉ", ERP_KEY, "name"),
        ("KEY\n", ERP_KEY, "name"),
        ("K" * 65, ERP_KEY, "name"),
        ("ERP_API_KEY", "", "value"),
        ("ERP_API_KEY", "x" * 8193, "value"),
        ("ERP_API_KEY", "é" * 4097, "value"),  # 8194 bytes in UTF-8
    ],
)
async def test_a_bad_name_or_value_is_refused_with_its_field_and_nothing_is_stored(
    gql, two_tenants, owner_conn, name, value, path
):
    admin, tenant = two_tenants["admin_a"], two_tenants["a"]
    refused = await gql(SET, {"name": name, "value": value}, token=admin.token)
    assert refused.codes == ["VALIDATION_FAILED"]
    [problem] = refused.errors[0]["extensions"]["fields"]
    assert problem["path"] == [path]
    if value:
        assert value[:20] not in refused.response.text  # the value is never quoted
    assert await stored_rows(owner_conn, tenant.id) == []
    assert await audit_entries(owner_conn, tenant.id) == []


async def test_the_longest_name_and_the_largest_value_are_accepted(gql, two_tenants, services):
    admin, tenant = two_tenants["admin_a"], two_tenants["a"]
    name, value = "K" + "a_9" * 21, "€" * 2730 + "xx"  # 64 characters; 8192 bytes
    assert len(name) == 64
    assert len(value.encode()) == 8192
    assert (await gql(SET, {"name": name, "value": value}, token=admin.token)).ok()
    assert await services.secrets.reveal(tenant.id, [name]) == {name: value}


async def test_a_signing_secret_kept_in_plaintext_before_sealing_still_signs_deliveries(
    factory, storage, services, owner_conn
):
    """Subscriptions stored before migration 0017 keep their secret in plaintext until
    `wfm secrets rotate-key` seals it: their deliveries are signed with it meanwhile."""
    tenant = await factory.tenant()
    secret, verified = new_secret(), []

    async def hook(request: Request) -> Response:
        verify(secret, dict(request.headers), await request.body(), now=datetime.now(UTC))
        verified.append(request.headers["webhook-id"])
        return Response(status_code=204)

    async with serve_asgi(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as url:
        subscription_id = uuid.uuid4()
        await owner_conn.execute(
            "INSERT INTO wfm.webhook_subscriptions (id, tenant_id, url, secret, event_types, "
            "created_by) VALUES ($1, $2, $3, $4, '{*}', $5)",
            subscription_id,
            tenant.id,
            f"{url}/hook",
            secret,
            system_principal().user_id,
        )
        delivery = await webhook_delivery(storage, str(subscription_id))
        outcome = await services.webhooks.deliver(uuid.UUID(delivery))
    assert outcome is not None
    assert not outcome.retry, outcome
    assert len(verified) == 1
