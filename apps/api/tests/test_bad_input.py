"""Bad input gets a clear, typed error and changes nothing."""

from wfm_api.schema import build_schema
from wfm_shared.settings import Settings
from wfm_testing.onboarding import CREATE, EXECUTE, START, step_data

STATE = """query($id: ID!) { workflow(id: $id) { version status events { totalCount } } }"""


async def started_workflow(gql, factory):
    tenant = await factory.tenant()
    account = await factory.account("tenant_user", tenant)
    workflow_id = (await gql(CREATE, {"role": "BRP"}, token=account.token)).ok()["createWorkflow"][
        "id"
    ]
    (await gql(START, {"id": workflow_id}, token=account.token)).ok()
    return tenant, account, workflow_id


async def test_malformed_query_is_a_parse_error(gql, factory):
    account = await factory.account("tenant_user", await factory.tenant())
    result = await gql("{ me { email ", token=account.token)
    assert result.codes == ["GRAPHQL_PARSE_FAILED"]
    assert result.data is None


async def test_unknown_field_and_unknown_argument_are_validation_errors(gql, factory):
    account = await factory.account("tenant_user", await factory.tenant())
    assert (await gql("{ me { email shoeSize } }", token=account.token)).codes == [
        "GRAPHQL_VALIDATION_FAILED"
    ]
    assert (await gql('{ tenant(id: "x", colour: 1) { id } }', token=account.token)).codes == [
        "GRAPHQL_VALIDATION_FAILED"
    ]


async def test_wrong_variable_types_are_refused_before_execution(gql, factory):
    _, account, workflow_id = await started_workflow(gql, factory)
    result = await gql(
        EXECUTE,
        {"id": workflow_id, "step": 42, "data": {}, "expected": "three"},
        token=account.token,
    )
    assert set(result.codes) == {"GRAPHQL_VALIDATION_FAILED"}
    bad_enum = await gql(CREATE, {"role": "PIRATE"}, token=account.token)
    assert bad_enum.codes == ["GRAPHQL_VALIDATION_FAILED"]


async def test_malformed_id_is_a_validation_error(gql, factory):
    account = await factory.account("tenant_user", await factory.tenant())
    result = await gql(STATE, {"id": "not-a-uuid"}, token=account.token)
    assert result.codes == ["VALIDATION_FAILED"]


async def test_form_data_violating_the_schema_lists_field_paths_and_appends_nothing(gql, factory):
    tenant, account, workflow_id = await started_workflow(gql, factory)
    before = (await gql(STATE, {"id": workflow_id}, token=account.token)).ok()["workflow"]
    data = {
        "companyName": "",
        "vatNumber": "BE0123456789",
        "address": {"street": "Main", "postalCode": "12", "country": "FR"},
        "unexpected": True,
    }
    result = await gql(
        EXECUTE, {"id": workflow_id, "step": "company-info", "data": data}, token=account.token
    )
    assert result.codes == ["VALIDATION_FAILED"]
    paths = {tuple(f["path"]) for f in result.errors[0]["extensions"]["fields"]}
    assert paths == {
        ("companyName",),
        ("vatNumber",),
        ("address", "postalCode"),
        ("address", "city"),
        ("address", "country"),
        ("unexpected",),
    }
    after = (await gql(STATE, {"id": workflow_id}, token=account.token)).ok()["workflow"]
    assert after == before == {"version": 2, "status": "IN_PROGRESS", "events": {"totalCount": 2}}
    # the same step with good data then goes through
    good = step_data(tenant)["company-info"]
    assert (
        await gql(
            EXECUTE, {"id": workflow_id, "step": "company-info", "data": good}, token=account.token
        )
    ).ok()


async def test_step_data_must_be_an_object(gql, factory):
    _, account, workflow_id = await started_workflow(gql, factory)
    result = await gql(
        EXECUTE, {"id": workflow_id, "step": "company-info", "data": [1, 2]}, token=account.token
    )
    assert result.codes == ["VALIDATION_FAILED"]


async def test_oversized_request_body_is_refused(gql):
    response = await gql.http.post(
        "/graphql",
        content=b"{" + b" " * (2 * 1024 * 1024) + b"}",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413


async def test_abusive_queries_are_refused_before_they_run(gql, factory):
    account = await factory.account("tenant_user", await factory.tenant())
    deep = "{ me { tenant { marketRoles { role } } } }"
    assert (await gql(deep, token=account.token)).ok()
    nested = "{ workflows { edges { node { tenant { marketRoles { role } } template { steps { id } } } } } }"
    assert (await gql(nested, token=account.token)).ok()
    aliases = "{ " + " ".join(f"a{i}: me {{ email }}" for i in range(30)) + " }"
    assert (await gql(aliases, token=account.token)).codes == ["GRAPHQL_VALIDATION_FAILED"]
    page = await gql("{ workflows(first: 1000) { edges { cursor } } }", token=account.token)
    assert page.codes == ["VALIDATION_FAILED"]
    assert (
        await gql('{ workflows(after: "garbage") { edges { cursor } } }', token=account.token)
    ).codes == ["VALIDATION_FAILED"]


async def test_query_depth_is_limited_by_settings():
    schema = build_schema(Settings(max_query_depth=3))
    result = await schema.execute("{ workflows { edges { node { tenant { id } } } } }")
    assert result.errors
    assert "exceeds maximum operation depth of 3" in result.errors[0].message
