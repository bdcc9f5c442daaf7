"""What the HTTP surface shows besides GraphQL: probes, GraphiQL, hidden internals."""

import re

import asyncpg
import httpx
import pytest
from graphql import GraphQLError
from pymongo.errors import OperationFailure

from wfm_api.app import create_app
from wfm_api.errors import translate
from wfm_api.graphiql import GraphiQLPage
from wfm_shared.errors import NotFound

ASSET = re.compile(r'(?:src|href)="(/graphiql/assets/[^"]+)"')


async def test_probes_answer(gql):
    assert (await gql.http.get("/healthz")).json() == {"status": "ok"}
    ready = await gql.http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"postgres": "ok", "mongodb": "ok"}


async def test_graphiql_is_served_outside_production(gql):
    page = await gql.http.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()


async def test_graphiql_is_not_served_in_production(wfm_settings, storage):
    production = wfm_settings.model_copy(update={"env": "production"})
    app = create_app(production, storage=storage)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
            page = await http.get("/graphql", headers={"accept": "text/html"})
            # nor the bundle's files
            for path in ASSET.findall((await GraphiQLPage().response()).body.decode()):
                assert (await http.get(path)).status_code == 404
    assert page.status_code == 404
    assert "graphiql" not in page.text.lower()


async def test_every_response_carries_a_request_id(gql):
    response = await gql.http.post(
        "/graphql", json={"query": "{ me { id } }"}, headers={"x-request-id": "abc123"}
    )
    assert response.headers["x-request-id"] == "abc123"


def test_unexpected_errors_reach_the_client_without_internals():
    leak = asyncpg.UndefinedTableError('relation "wfm.secret_table" does not exist')
    error = translate(GraphQLError("boom", path=["workflow"], original_error=leak), "req-1")
    assert error.message == "internal error"
    assert error.extensions == {"code": "INTERNAL", "requestId": "req-1"}
    assert "secret_table" not in str(error.formatted)


def test_typed_errors_keep_their_message_and_code():
    error = translate(
        GraphQLError("x", path=["workflow"], original_error=NotFound("workflow", "42"))
    )
    assert (error.message, error.extensions) == ("workflow 42 not found", {"code": "NOT_FOUND"})


def test_unreachable_storage_is_reported_as_unavailable():
    error = translate(
        GraphQLError("x", path=["workflows"], original_error=ConnectionRefusedError(111, "refused"))
    )
    assert error.extensions == {"code": "UNAVAILABLE"}


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (91, "The server is in quiesce mode and will shut down"),
        (11600, "interrupted at shutdown"),
        (1, "[query_iterator.go:92 postgresql.(*queryIterator).Next] context canceled"),
        (
            1,
            "[query_iterator.go:92 postgresql.(*queryIterator).Next] write failed: write unix "
            "@->/tmp/pg/.s.PGSQL.5432: write: broken pipe",
        ),
        (
            1,
            "[msg_insert.go:168 handler.(*Handler).MsgInsert] failed to connect to `user=postgres "
            "database=ferretdb`: dial error: connect: no such file or directory",
        ),
    ],
)
def test_a_mongodb_server_shutting_down_is_reported_as_unavailable(code, message):
    failure = OperationFailure(message, code, {"ok": 0.0, "errmsg": message, "code": code})
    error = translate(GraphQLError("x", path=["createWorkflow"], original_error=failure))
    assert (error.message, error.extensions) == (
        "a storage service is unavailable; retry later",
        {"code": "UNAVAILABLE"},
    )


def test_other_mongodb_failures_stay_internal():
    failure = OperationFailure("bad", 2, {"ok": 0.0, "errmsg": "BadValue", "code": 2})
    error = translate(GraphQLError("x", path=["createWorkflow"], original_error=failure))
    assert error.extensions["code"] == "INTERNAL"


async def test_a_server_process_moves_its_long_lived_objects_out_of_the_collectors_sight(
    wfm_settings, storage
):
    import gc

    gc.unfreeze()
    embedded = create_app(wfm_settings, storage=storage)
    async with embedded.router.lifespan_context(embedded):
        assert gc.get_freeze_count() == 0  # an app inside another program leaves it alone
    served = create_app(wfm_settings, storage=storage, owns_process=True)
    try:
        async with served.router.lifespan_context(served):
            assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


# --- refused requests: JSON with a code, whatever refused them -------------------------


def assert_refused(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == code
    assert error["message"]
    return error


@pytest.mark.parametrize(
    "body",
    [
        b'{"query": "{ me { id } }", "operationName": "\xff"}',  # no UTF-8 at all
        b'{"query": "{ __typename }", "x": "caf\xe9"}',  # Latin-1
        b'{"query": "{ __typename }", "x": "\xc0\xaf"}',  # an overlong encoding of '/'
        b'{"query": "{ __typename }", "x": "\xed\xa0\x80"}',  # a surrogate, encoded
        '{"query": "{ __typename }"}'.encode("utf-16"),  # valid JSON, another encoding
        b"\xef\xbb\xbf" + b'{"query": "{ __typename }"}',  # a byte-order mark
        b'{"query": "{ __typename }", "variables": {"a": NaN}}',  # Python's, not JSON's
        b'{"query": "{ __typename }", "variables": {"a": -Infinity}}',
    ],
    ids=["invalid", "latin-1", "overlong", "surrogate", "utf-16", "bom", "nan", "infinity"],
)
async def test_a_body_that_is_not_utf8_json_is_a_bad_request(gql, body):
    response = await gql.http.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert_refused(response, 400, "BAD_REQUEST")


async def test_malformed_graphql_request_fields_are_bad_requests(gql):
    for body in (
        {"query": 42},
        {"query": "{ __typename }", "variables": [1]},
        {"query": "{ __typename }", "extensions": "x"},
    ):
        assert_refused(await gql.http.post("/graphql", json=body), 400, "BAD_REQUEST")
    text = await gql.http.post(
        "/graphql", content=b"{ __typename }", headers={"content-type": "text/plain"}
    )
    assert_refused(text, 400, "BAD_REQUEST")


async def test_an_unknown_path_is_a_json_not_found(gql):
    # (any other path is the web app's: test_web_serving)
    for path in ("/auth/nothing-here", "/graphql/extra", "/graphiql/assets/not-in-the-bundle.js"):
        assert_refused(await gql.http.get(path), 404, "NOT_FOUND")


async def test_a_method_a_path_does_not_take_is_a_json_405_naming_the_allowed_ones(gql):
    for method, path in (("PUT", "/graphql"), ("DELETE", "/graphql"), ("POST", "/healthz")):
        response = await gql.http.request(method, path, json={"query": "{ __typename }"})
        assert_refused(response, 405, "METHOD_NOT_ALLOWED")
        assert "GET" in response.headers["allow"]


async def test_a_declared_body_over_the_cap_is_a_json_413(gql, wfm_settings):
    response = await gql.http.post(
        "/graphql",
        content=b"{}",
        headers={
            "content-type": "application/json",
            "content-length": str(wfm_settings.max_body_bytes + 1),
        },
    )
    assert_refused(response, 413, "PAYLOAD_TOO_LARGE")


# --- security headers ----------------------------------------------------------------

DATA_POLICY = "default-src 'none'; frame-ancestors 'none'"


def assert_security_headers(response: httpx.Response, policy: str = DATA_POLICY) -> None:
    assert response.headers["content-security-policy"] == policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_every_answer_of_the_api_carries_the_security_headers(gql, factory):
    account = await factory.account("tenant_user", await factory.tenant())
    answers = [
        await gql.http.get("/healthz"),
        await gql.http.get("/readyz"),
        (await gql("{ me { email } }", token=account.token)).response,
        (await gql("{ me { email } }")).response,  # an error inside GraphQL
        await gql.http.get("/auth/nothing-here"),
        await gql.http.put("/graphql"),
        await gql.http.post(
            "/graphql", content=b"\xff", headers={"content-type": "application/json"}
        ),
        await gql.http.post(
            "/graphql",
            content=b"{}",
            headers={"content-type": "application/json", "content-length": "99999999"},
        ),
    ]
    for response in answers:
        assert_security_headers(response)


async def test_the_graphiql_page_and_its_bundle_may_run_from_the_api_only(gql):
    from wfm_api.security_headers import GRAPHIQL_POLICY

    page = await gql.http.get("/graphql", headers={"accept": "text/html"})
    assert_security_headers(page, GRAPHIQL_POLICY)
    directives = dict(d.strip().split(" ", 1) for d in GRAPHIQL_POLICY.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["connect-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    for path in ASSET.findall(page.text):
        assert_security_headers(await gql.http.get(path), GRAPHIQL_POLICY)


# --- request ids ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "sent",
    [
        "x" * 65,
        "two words",
        "<script>alert(1)</script>",
        "line\tbreak",
        'quote"d',
        "",
    ],
    ids=["too-long", "space", "markup", "control", "quote", "empty"],
)
async def test_a_request_id_that_is_long_or_not_plain_is_replaced(gql, sent):
    response = await gql.http.get("/healthz", headers={"x-request-id": sent})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


async def test_a_request_id_outside_ascii_is_replaced(gql):
    response = await gql.http.get(
        "/healthz", headers=[(b"x-request-id", "r\xe9sum\xe9".encode("latin-1"))]
    )
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


@pytest.mark.parametrize(
    "sent", ["abc123", "7f1c2a9e-2d4b-4e59-9a39-1d7c0b3e8f21", "lb:01.a_b-" + "z" * 53]
)
async def test_a_short_plain_request_id_is_kept(gql, sent):
    response = await gql.http.get("/healthz", headers={"x-request-id": sent})
    assert response.headers["x-request-id"] == sent


async def test_an_unexpected_failure_outside_graphql_answers_json_without_internals(
    wfm_settings, storage
):
    from starlette.routing import Route

    async def failing(request):
        raise RuntimeError("secret detail of /srv/wfm")

    app = create_app(wfm_settings, storage=storage)
    app.router.routes.append(Route("/failing", failing))  # a route that fails, as a bug would
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
            response = await http.get("/failing")
    error = assert_refused(response, 500, "INTERNAL")
    assert "secret" not in response.text
    assert error["message"] == "internal error"
    assert_security_headers(response)
