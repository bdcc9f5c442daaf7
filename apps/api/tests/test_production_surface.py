"""In production the API does not describe itself to strangers: no introspection unless
an operator turns it on, and no "Did you mean …?" in the errors of a wrong query."""

import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest

from wfm_api.app import create_app
from wfm_testing.graphql import GraphQLClient
from wfm_testing.onboarding import CREATE

SCHEMA = "{ __schema { queryType { name } types { name } } }"
TYPE = '{ __type(name: "Workflow") { fields { name } } }'


@contextlib.asynccontextmanager
async def api(settings, storage, **overrides) -> AsyncIterator[GraphQLClient]:
    app = create_app(settings.model_copy(update=overrides), storage=storage)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
            yield GraphQLClient(http)


@pytest.fixture
async def production(wfm_settings, storage) -> AsyncIterator[GraphQLClient]:
    async with api(wfm_settings, storage, env="production") as gql:
        yield gql


async def test_introspection_is_refused_in_production_every_time_it_is_asked(production, factory):
    ops = await factory.account("market_ops")
    for _ in range(2):  # validation is cached per query text: so is the refusal
        for query in (SCHEMA, TYPE):
            result = await production(query, token=ops.token)
            assert result.data is None
            assert set(result.codes) == {"GRAPHQL_VALIDATION_FAILED"}
            assert "introspection has been disabled" in result.errors[0]["message"]
    # what a client needs to tell types apart still answers
    assert (await production("{ __typename }")).ok() == {"__typename": "Query"}


async def test_an_operator_may_turn_introspection_on_in_production(wfm_settings, storage):
    async with api(wfm_settings, storage, env="production", graphql_introspection=True) as gql:
        assert (await gql(SCHEMA)).ok()["__schema"]["queryType"] == {"name": "Query"}


async def test_introspection_stays_on_outside_production_unless_turned_off(
    gql, wfm_settings, storage
):
    assert (await gql(SCHEMA)).ok()["__schema"]["queryType"] == {"name": "Query"}
    async with api(wfm_settings, storage, graphql_introspection=False) as private:
        assert set((await private(SCHEMA)).codes) == {"GRAPHQL_VALIDATION_FAILED"}
    # the same query text in the first schema is not refused by the other's cached answer
    assert (await gql(SCHEMA)).ok()


WRONG_NAMES = [
    ("{ me { emial } }", None),  # a field
    ("{ workflows(frist: 1) { totalCount } }", None),  # an argument
    ("query($r: MarketRol!) { __typename }", None),  # a type
    (CREATE, {"role": "BRPP"}),  # an enum value, in the variables
]


@pytest.mark.parametrize(
    ("query", "variables"), WRONG_NAMES, ids=["field", "argument", "type", "enum"]
)
async def test_errors_of_a_wrong_query_suggest_no_names_in_production(
    production, gql, factory, query, variables
):
    def suggests(result) -> bool:
        return any("Did you mean" in error["message"] for error in result.errors)

    account = await factory.account("tenant_admin", await factory.tenant())
    assert suggests(await gql(query, variables, token=account.token))  # what this is about

    result = await production(query, variables, token=account.token)
    assert result.codes
    assert set(result.codes) == {"GRAPHQL_VALIDATION_FAILED"}
    assert not suggests(result)
    assert all(error["message"] for error in result.errors)  # what is wrong is still said
    # the answer of the other schema, cached for the same text, keeps its suggestions
    assert suggests(await gql(query, variables, token=account.token))
