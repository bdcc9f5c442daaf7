"""Saving a URL the platform will call for a user: a webhook subscription, a template's
api_call step and its compensation. A URL to a loopback, private, link-local or metadata
address, in any spelling, is refused with VALIDATION_FAILED naming the field and the
address it means, and nothing is stored."""

import uuid

import pytest

from wfm_testing.graphql import GraphQLClient

SUBSCRIPTION_FIELDS = "id url eventTypes active"
CREATE_SUBSCRIPTION = f"""
mutation($url: String!) {{
  createWebhookSubscription(url: $url, eventTypes: ["*"]) {{
    subscription {{ {SUBSCRIPTION_FIELDS} }} secret
  }}
}}"""
UPDATE_SUBSCRIPTION = f"""
mutation($id: ID!, $url: String) {{
  updateWebhookSubscription(id: $id, url: $url) {{ {SUBSCRIPTION_FIELDS} }}
}}"""
SUBSCRIPTIONS = f"{{ webhookSubscriptions {{ {SUBSCRIPTION_FIELDS} }} }}"
PUBLISH = "mutation($d: JSON!) { publishTemplate(definition: $d) { key version } }"
VERSIONS = "query($key: String!) { templateVersions(key: $key) { version } }"
TEXT = {"en": "Register", "fr": "Enregistrer", "nl": "Registreren"}


def fields(result):
    return [(f["path"], f["message"]) for e in result.errors for f in e["extensions"]["fields"]]


@pytest.fixture
async def admin(factory):
    return await factory.account("tenant_admin", await factory.tenant())


@pytest.fixture
async def ops(factory):
    return await factory.account("market_ops")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://169.254.169.254/latest/meta-data/", "points to the cloud metadata address"),
        ("http://0xa9fea9fe/latest/meta-data/", "points to the cloud metadata address"),
        ("http://10.0.0.5/hook", "points to a private address (10.0.0.5)"),
        ("http://0x7f.2/hook", "points to a loopback address (127.0.0.2)"),
        ("http://[::ffff:192.168.0.1]/hook", "a private address (192.168.0.1, wrapped in IPv6"),
        ("http://localhost:8080/hook", "names this machine (localhost)"),
        ("https://hooks.example.test@10.0.0.5/hook", "must not carry a user name or password"),
    ],
)
async def test_a_subscription_to_a_non_public_address_is_refused_and_nothing_is_stored(
    gql: GraphQLClient, admin, url, reason
):
    result = await gql(CREATE_SUBSCRIPTION, {"url": url}, token=admin.token)
    assert result.codes == ["VALIDATION_FAILED"]
    [(path, message)] = fields(result)
    assert path == ["url"]
    assert reason in message
    assert (await gql(SUBSCRIPTIONS, token=admin.token)).ok()["webhookSubscriptions"] == []


async def test_a_subscription_cannot_be_moved_to_a_private_address(gql: GraphQLClient, admin):
    created = (
        await gql(CREATE_SUBSCRIPTION, {"url": "https://hooks.example.test/in"}, token=admin.token)
    ).ok()["createWebhookSubscription"]["subscription"]
    moved = await gql(
        UPDATE_SUBSCRIPTION,
        {"id": created["id"], "url": "http://192.168.1.20:8080/in"},
        token=admin.token,
    )
    assert moved.codes == ["VALIDATION_FAILED"]
    assert fields(moved) == [(["url"], "points to a private address (192.168.1.20)")]
    listed = (await gql(SUBSCRIPTIONS, token=admin.token)).ok()["webhookSubscriptions"]
    assert listed == [created]


def template(key, config_url, compensation_url):
    return {
        "key": key,
        "version": 1,
        "name": TEXT,
        "steps": [
            {"id": "apply", "type": "form", "title": TEXT},
            {
                "id": "register",
                "type": "api_call",
                "title": TEXT,
                "config": {"url": config_url},
                "compensation": {"url": compensation_url, "method": "DELETE"},
            },
        ],
    }


async def test_publishing_a_template_that_calls_private_addresses_is_refused_naming_each_url(
    gql: GraphQLClient, ops
):
    key = f"calls-{uuid.uuid4().hex[:8]}"
    definition = template(
        key, "http://2852039166/latest/meta-data/iam/", "http://[::ffff:10.0.0.5]/undo"
    )
    result = await gql(PUBLISH, {"d": definition}, token=ops.token)
    assert result.codes == ["VALIDATION_FAILED"]
    assert fields(result) == [
        (
            ["steps", 1, "config", "url"],
            "points to the cloud metadata address (169.254.169.254)",
        ),
        (
            ["steps", 1, "compensation", "url"],
            "points to a private address (10.0.0.5, wrapped in IPv6 as ::ffff:a00:5)",
        ),
    ]
    assert (await gql(VERSIONS, {"key": key}, token=ops.token)).ok()["templateVersions"] == []


async def test_a_template_calling_public_hosts_is_published(gql: GraphQLClient, ops):
    key = f"calls-{uuid.uuid4().hex[:8]}"
    definition = template(
        key, "https://registry.example.test/participants", "https://registry.example.test/undo"
    )
    published = (await gql(PUBLISH, {"d": definition}, token=ops.token)).ok()["publishTemplate"]
    assert published == {"key": key, "version": 1}
