"""Issue 4 over GraphQL: template versions (publish, pin, deprecate), titles per locale,
and per-tenant configuration resolved tenant -> market role -> defaults."""

import uuid

import pytest

TEMPLATE = """query($key: String!, $version: Int) { template(key: $key, version: $version) {
  key version status name steps { id title } options { flags { name default } settings { name default min max } } } }"""
VERSIONS = "query($key: String!) { templateVersions(key: $key) { version status } }"
PUBLISH = "mutation($d: JSON!) { publishTemplate(definition: $d) { key version status } }"
DEPRECATE = "mutation($key: String!, $v: Int!) { deprecateTemplate(key: $key, version: $v) { version status } }"
CREATE = """mutation($key: String!, $tenant: ID) { createWorkflow(marketRole: GU, templateKey: $key, tenantId: $tenant) {
  id template { version } } }"""
START = "mutation($id: ID!) { startWorkflow(workflowId: $id) { currentStepId } }"
EXECUTE = "mutation($id: ID!, $s: String!) { executeStep(workflowId: $id, stepId: $s, data: {}) { currentStepId status } }"
CONFIG = """query($t: ID!, $key: String!) { tenantWorkflowConfig(tenantId: $t, templateKey: $key, marketRole: GU) {
  version flags { name value source } settings { name value source } } }"""
UPDATE_TENANT = """mutation($t: ID!, $key: String!, $flags: JSON, $settings: JSON, $v: Int) {
  updateTenantWorkflowConfig(tenantId: $t, templateKey: $key, marketRole: GU, flags: $flags, settings: $settings, expectedVersion: $v) {
    version flags { name value source } settings { name value source } } }"""
UPDATE_ROLE = """mutation($key: String!, $flags: JSON) {
  updateMarketRoleWorkflowConfig(templateKey: $key, marketRole: GU, flags: $flags) { version flags { name value source } } }"""


def text(en, fr=None, nl=None):
    return {"en": en, "fr": fr or f"{en} (fr)", "nl": nl or f"{en} (nl)"}


def definition(key, steps=("apply", "review", "sign")):
    return {
        "key": key,
        "version": 1,
        "name": text("Grid connection request", "Demande de raccordement", "Aansluitingsaanvraag"),
        "steps": [
            {
                "id": step,
                "type": "form",
                "title": text(step.title()),
                **(
                    {"skippedBy": "express", "sla": {"duration": "P2D"}} if step == "review" else {}
                ),
            }
            for step in steps
        ],
        "options": {
            "flags": {"express": {"default": False}},
            "settings": {
                "reviewSla": {
                    "target": "steps.review.sla.duration",
                    "type": "duration",
                    "default": "P2D",
                    "min": "PT4H",
                    "max": "P10D",
                }
            },
        },
    }


@pytest.fixture
def key():
    return f"grid-{uuid.uuid4().hex[:10]}"


@pytest.fixture
async def people(factory):
    tenant_a, tenant_b = await factory.tenant(), await factory.tenant()
    return {
        "a": tenant_a,
        "b": tenant_b,
        "admin_a": await factory.account("tenant_admin", tenant_a),
        "user_a": await factory.account("tenant_user", tenant_a),
        "admin_b": await factory.account("tenant_admin", tenant_b),
        "ops": await factory.account("market_ops"),
    }


async def walk(gql, token, workflow_id):
    current = (await gql(START, {"id": workflow_id}, token=token)).ok()["startWorkflow"][
        "currentStepId"
    ]
    visited = []
    while current:
        visited.append(current)
        current = (await gql(EXECUTE, {"id": workflow_id, "s": current}, token=token)).ok()[
            "executeStep"
        ]["currentStepId"]
    return visited


async def test_only_market_operations_publish_and_every_problem_is_reported(gql, people, key):
    assert (await gql(PUBLISH, {"d": definition(key)}, token=people["admin_a"].token)).codes == [
        "FORBIDDEN"
    ]
    broken = definition(key)
    broken["steps"][0]["type"] = "telex"
    broken["steps"][1]["next"] = [{"to": "nowhere"}]
    del broken["name"]["nl"]
    result = await gql(PUBLISH, {"d": broken}, token=people["ops"].token)
    assert result.codes == ["VALIDATION_FAILED"]
    paths = {tuple(f["path"]) for f in result.errors[0]["extensions"]["fields"]}
    assert {("steps", "0", "type"), ("steps", "1", "next", "0", "to"), ("name", "nl")} <= {
        tuple(str(p) for p in path) for path in paths
    }


async def test_publishing_creates_the_next_version_and_instances_keep_theirs(gql, people, key):
    ops, admin = people["ops"].token, people["admin_a"].token
    assert (await gql(PUBLISH, {"d": definition(key)}, token=ops)).ok()["publishTemplate"][
        "version"
    ] == 1
    first = (await gql(CREATE, {"key": key}, token=admin)).ok()["createWorkflow"]
    assert first["template"]["version"] == 1
    v2 = definition(key, steps=("apply", "review", "verify", "sign"))
    assert (await gql(PUBLISH, {"d": v2}, token=ops)).ok()["publishTemplate"]["version"] == 2
    second = (await gql(CREATE, {"key": key}, token=admin)).ok()["createWorkflow"]
    assert second["template"]["version"] == 2
    assert await walk(gql, admin, first["id"]) == ["apply", "review", "sign"]  # still on version 1
    assert await walk(gql, admin, second["id"]) == ["apply", "review", "verify", "sign"]
    versions = (await gql(VERSIONS, {"key": key}, token=admin)).ok()["templateVersions"]
    assert versions == [{"version": 2, "status": "active"}, {"version": 1, "status": "active"}]


async def test_a_deprecated_version_starts_nothing_new_but_stays_readable(gql, people, key):
    ops, admin = people["ops"].token, people["admin_a"].token
    (await gql(PUBLISH, {"d": definition(key)}, token=ops)).ok()
    (
        await gql(
            PUBLISH, {"d": definition(key, steps=("apply", "review", "extra", "sign"))}, token=ops
        )
    ).ok()
    running = (await gql(CREATE, {"key": key}, token=admin)).ok()["createWorkflow"]
    assert (await gql(DEPRECATE, {"key": key, "v": 2}, token=admin)).codes == ["FORBIDDEN"]
    assert (await gql(DEPRECATE, {"key": key, "v": 2}, token=ops)).ok()["deprecateTemplate"] == {
        "version": 2,
        "status": "deprecated",
    }
    assert (await gql(CREATE, {"key": key}, token=admin)).ok()["createWorkflow"]["template"][
        "version"
    ] == 1
    old = (await gql(TEMPLATE, {"key": key, "version": 2}, token=admin)).ok()["template"]
    assert old["status"] == "deprecated"
    assert await walk(gql, admin, running["id"]) == ["apply", "review", "extra", "sign"]
    assert (await gql(DEPRECATE, {"key": key, "v": 9}, token=ops)).codes == ["NOT_FOUND"]


async def test_titles_follow_the_locale_argument_or_accept_language(gql, people, key):
    (await gql(PUBLISH, {"d": definition(key)}, token=people["ops"].token)).ok()
    token = people["admin_a"].token
    dutch = (
        await gql(
            TEMPLATE,
            {"key": key},
            token=token,
            headers={"accept-language": "nl-BE,nl;q=0.9,fr;q=0.5"},
        )
    ).ok()
    assert dutch["template"]["name"] == "Aansluitingsaanvraag"
    french = (
        await gql(
            "query($k: String!) { template(key: $k) { name(locale: FR) } }", {"k": key}, token=token
        )
    ).ok()
    assert french["template"]["name"] == "Demande de raccordement"
    english = (await gql(TEMPLATE, {"key": key}, token=token)).ok()["template"]
    assert english["name"] == "Grid connection request"
    assert english["options"]["settings"] == [
        {"name": "reviewSla", "default": "P2D", "min": "PT4H", "max": "P10D"}
    ]


async def test_configuration_resolves_tenant_then_market_role_then_defaults(
    gql, people, key, owner_conn
):
    ops, admin_a = people["ops"].token, people["admin_a"].token
    (await gql(PUBLISH, {"d": definition(key)}, token=ops)).ok()
    tenant_a, tenant_b = str(people["a"].id), str(people["b"].id)
    defaults = (await gql(CONFIG, {"t": tenant_a, "key": key}, token=admin_a)).ok()[
        "tenantWorkflowConfig"
    ]
    assert defaults == {
        "version": 0,
        "flags": [{"name": "express", "value": False, "source": "default"}],
        "settings": [{"name": "reviewSla", "value": "P2D", "source": "default"}],
    }
    assert (
        await gql(UPDATE_ROLE, {"key": key, "flags": {"express": True}}, token=admin_a)
    ).codes == ["FORBIDDEN"]
    (await gql(UPDATE_ROLE, {"key": key, "flags": {"express": True}}, token=ops)).ok()
    role_wide = (
        await gql(CONFIG, {"t": tenant_b, "key": key}, token=people["admin_b"].token)
    ).ok()["tenantWorkflowConfig"]
    assert role_wide["flags"] == [{"name": "express", "value": True, "source": "marketRole"}]

    updated = await gql(
        UPDATE_TENANT,
        {
            "t": tenant_a,
            "key": key,
            "flags": {"express": False},
            "settings": {"reviewSla": "P1D"},
            "v": 0,
        },
        token=admin_a,
    )
    assert updated.ok()["updateTenantWorkflowConfig"] == {
        "version": 1,
        "flags": [{"name": "express", "value": False, "source": "tenant"}],
        "settings": [{"name": "reviewSla", "value": "P1D", "source": "tenant"}],
    }
    stale = await gql(
        UPDATE_TENANT, {"t": tenant_a, "key": key, "flags": {}, "v": 0}, token=admin_a
    )
    assert stale.codes == ["CONFLICT"]
    audited = await owner_conn.fetchval(
        "SELECT count(*) FROM wfm.audit_log WHERE action = 'WORKFLOW_CONFIG_UPDATED' AND target_id LIKE $1",
        f"{key}/%",
    )
    assert audited == 2

    # new workflows run with their tenant's configuration, pinned when they are created
    a_flow = (await gql(CREATE, {"key": key}, token=admin_a)).ok()["createWorkflow"]["id"]
    b_flow = (await gql(CREATE, {"key": key}, token=people["admin_b"].token)).ok()[
        "createWorkflow"
    ]["id"]
    (
        await gql(
            UPDATE_TENANT, {"t": tenant_a, "key": key, "flags": {"express": True}}, token=admin_a
        )
    ).ok()
    assert await walk(gql, admin_a, a_flow) == ["apply", "review", "sign"]
    assert await walk(gql, people["admin_b"].token, b_flow) == ["apply", "sign"]


async def test_configuration_bounds_and_permissions(gql, people, key):
    (await gql(PUBLISH, {"d": definition(key)}, token=people["ops"].token)).ok()
    tenant_a = str(people["a"].id)
    bad = await gql(
        UPDATE_TENANT,
        {
            "t": tenant_a,
            "key": key,
            "flags": {"express": "yes", "turbo": True},
            "settings": {"reviewSla": "P30D"},
        },
        token=people["admin_a"].token,
    )
    assert bad.codes == ["VALIDATION_FAILED"]
    assert {tuple(f["path"]) for f in bad.errors[0]["extensions"]["fields"]} == {
        ("flags", "express"),
        ("flags", "turbo"),
        ("settings", "reviewSla"),
    }
    assert (
        await gql(
            UPDATE_TENANT, {"t": tenant_a, "key": key, "flags": {}}, token=people["user_a"].token
        )
    ).codes == ["FORBIDDEN"]
    assert (await gql(CONFIG, {"t": tenant_a, "key": key}, token=people["user_a"].token)).ok()


@pytest.mark.parametrize("operation", ["read", "update"])
async def test_another_tenants_configuration_answers_like_an_unknown_tenant(
    gql, people, key, operation
):
    (await gql(PUBLISH, {"d": definition(key)}, token=people["ops"].token)).ok()
    query = CONFIG if operation == "read" else UPDATE_TENANT
    extra = {} if operation == "read" else {"flags": {"express": True}}
    token = people["admin_a"].token
    foreign_id, unknown_id = str(people["b"].id), str(uuid.uuid4())
    foreign = await gql(query, {"t": foreign_id, "key": key, **extra}, token=token)
    unknown = await gql(query, {"t": unknown_id, "key": key, **extra}, token=token)
    assert foreign.codes == unknown.codes == ["NOT_FOUND"]
    assert foreign.errors[0]["message"].replace(foreign_id, "?") == unknown.errors[0][
        "message"
    ].replace(unknown_id, "?")
    b_view = (await gql(CONFIG, {"t": foreign_id, "key": key}, token=people["admin_b"].token)).ok()
    assert b_view["tenantWorkflowConfig"]["version"] == 0  # nothing changed for B


VALIDATE = """mutation($d: JSON!) { validateTemplate(definition: $d) {
  valid errors { path message } } }"""


async def test_validating_a_template_runs_the_checks_of_publishing_and_stores_nothing(
    gql, people, key, owner_conn
):
    ops = people["ops"].token

    async def validated(d):
        return (await gql(VALIDATE, {"d": d}, token=ops)).ok()["validateTemplate"]

    async def stored():
        return await owner_conn.fetchval(
            "SELECT count(*) FROM wfm.workflow_templates WHERE key = $1", key
        )

    assert await validated(definition(key)) == {"valid": True, "errors": []}
    assert await stored() == 0

    broken = definition(key)
    broken["steps"][1]["next"] = [{"to": "sign", "when": "steps.apply.data.express =="}]
    del broken["name"]["nl"]
    report = await validated(broken)
    assert report["valid"] is False
    paths = [problem["path"] for problem in report["errors"]]
    assert ["steps", "1", "next", "0", "when"] in paths
    assert ["name", "nl"] in paths
    # the very problems publishing the definition is refused for
    refused = await gql(PUBLISH, {"d": broken}, token=ops)
    assert report["errors"] == [
        {"path": [str(p) for p in field["path"]], "message": field["message"]}
        for field in refused.errors[0]["extensions"]["fields"]
    ]
    # an overlay is resolved against its base, as publishing does
    overlay = {"extends": f"{key}-none", "marketRole": "GU", "overlay": {}}
    assert (await validated(overlay))["errors"] == [
        {"path": ["extends"], "message": f"no template '{key}-none'"}
    ]
    assert await validated([1, 2]) == {
        "valid": False,
        "errors": [{"path": [], "message": "must be an object"}],
    }
    assert await stored() == 0
    assert not await owner_conn.fetchval(
        "SELECT count(*) FROM wfm.audit_log WHERE target_type = 'template' AND target_id LIKE $1",
        f"{key}%",
    )

    for participant in (people["user_a"], people["admin_b"]):
        refused = await gql(VALIDATE, {"d": definition(key)}, token=participant.token)
        assert refused.codes == ["FORBIDDEN"]
        assert "lacks templates.publish" in refused.errors[0]["message"]
