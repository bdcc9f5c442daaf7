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
