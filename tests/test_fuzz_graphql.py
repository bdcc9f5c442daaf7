"""GraphQL fuzzing with schemathesis against the API as its own process (`wfm serve`) over
real HTTP, on a database of its own: every query and mutation, with valid and invalid
queries, as a tenant_admin, as market operations and unauthenticated. No answer is a 5xx,
every GraphQL error carries `extensions.code`, no answer shows internals (stack traces,
driver names, SQL, source paths), and the API's log has no unhandled error afterwards.

`make test` runs a bounded number of cases; `make fuzz` runs many more (WFM_FUZZ_EXAMPLES
cases per operation, identity and mode)."""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import schemathesis
from graphql import GraphQLError, NameNode, NullValueNode, ObjectFieldNode, ValueNode
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode
from schemathesis.graphql import nodes

from wfm_api.errors import translate
from wfm_devkit.servers import ApiProcess
from wfm_shared.settings import Settings
from wfm_storage.postgres import init_connection
from wfm_storage.records import Tenant
from wfm_testing.factories import TEST_PASSWORD, Factory
from wfm_testing.graphql import GraphQLClient
from wfm_testing.onboarding import drive, step_data
from wfm_testing.pytest_plugin import api_env, discard_database, prepare_database

EXAMPLES = int(os.environ.get("WFM_FUZZ_EXAMPLES", "3"))  # per operation, identity and mode
REPO = Path(__file__).resolve().parents[1]
# What no answer may contain: traces, driver names, SQL, the server's source paths.
LEAKS = ("Traceback", "asyncpg", "pymongo", "SELECT ", 'File "', str(REPO), "/work/")
LOG_ALARMS = ("unhandled_error", "Traceback", "Exception in ASGI application")

# Besides random values, generated queries draw ids of the fuzz tenant's rows and words the
# API knows, so that cases get past NOT_FOUND into the services (filled by `fuzz_seeds`).
SEEDS: dict[str, list[Any]] = {
    "ID": [],
    "String": [
        "contract-onboarding",
        "portfolio-management",
        "company-info",
        "contacts",
        "portfolio",
        "technical-review",
        "workflow.approved",
        "*",
        "https://hooks.example.test/fuzz",
        "0 6 * * 1",
        "Europe/Brussels",
        TEST_PASSWORD,
    ],
    "JSON": [{}, {"express": True}],
}


def value_node(value: Any) -> ValueNode:
    """A GraphQL literal for a JSON value."""
    if isinstance(value, bool):
        return nodes.Boolean(value)
    if isinstance(value, int):
        return nodes.Int(value)
    if isinstance(value, float):
        return nodes.Float(value)
    if isinstance(value, str):
        return nodes.String(value)
    if isinstance(value, list):
        return nodes.List([value_node(v) for v in value])
    if value is None:
        return NullValueNode()
    return nodes.Object(
        [ObjectFieldNode(name=NameNode(value=k), value=value_node(v)) for k, v in value.items()]
    )


def seeded(scalar: str, random: st.SearchStrategy[Any]) -> st.SearchStrategy[ValueNode]:
    return st.deferred(lambda: st.one_of(st.sampled_from(SEEDS[scalar]), random).map(value_node))


NAMES = st.from_regex(r"[_A-Za-z][_0-9A-Za-z]{0,8}", fullmatch=True)
RANDOM_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**31), 2**31 - 1) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(NAMES, inner, max_size=4),
    max_leaves=8,
)
schemathesis.graphql.scalar("JSON", seeded("JSON", RANDOM_JSON))
schemathesis.graphql.scalar("String", seeded("String", st.text(max_size=30)))
schemathesis.graphql.scalar(
    "ID", seeded("ID", st.uuids().map(str) | st.text(max_size=12) | st.integers().map(str))
)


@dataclass
class FuzzTarget:
    url: str
    log_path: Path
    tokens: dict[str, str | None]  # identity -> bearer token (None: unauthenticated)


@dataclass
class FuzzDatabase:
    settings: Settings
    tenant: Tenant
    tokens: dict[str, str | None]


@pytest.fixture(scope="module")
async def fuzz_database(wfm_servers) -> AsyncIterator[FuzzDatabase]:
    """A database of its own (what the fuzzer creates stays there), with a tenant_admin
    and a market operations account."""
    settings = await prepare_database(wfm_servers, f"wfm_fuzz_{uuid.uuid4().hex[:10]}")
    assert settings.database_url
    owner = await asyncpg.connect(settings.database_url)
    await init_connection(owner)
    try:
        factory = Factory(owner, settings)
        tenant = await factory.tenant()
        tokens: dict[str, str | None] = {
            "tenant_admin": (await factory.account("tenant_admin", tenant)).token,
            "market_ops": (await factory.account("market_ops")).token,
            "anonymous": None,
        }
        yield FuzzDatabase(settings, tenant, tokens)
    finally:
        await owner.close()
        await discard_database(wfm_servers, settings)


@pytest.fixture(scope="module")
def fuzz_target(fuzz_database) -> Iterator[FuzzTarget]:
    """`wfm serve` on the fuzz database, logging to a file of its own."""
    env = api_env(fuzz_database.settings, WFM_LOG_LEVEL="INFO")
    api = ApiProcess(env, Path.cwd() / ".wfm" / f"fuzz-api-{uuid.uuid4().hex[:8]}.log")
    try:
        yield FuzzTarget(api.start(), api.log_path, fuzz_database.tokens)
    finally:
        api.stop()
        api.log_path.unlink(missing_ok=True)


@pytest.fixture(scope="module")
async def fuzz_seeds(fuzz_target, fuzz_database) -> FuzzTarget:
    """Rows of the fuzz tenant for generated ids to hit: workflows at every stage, a
    webhook subscription and a trigger; valid step data for generated JSON."""
    tenant, token = fuzz_database.tenant, fuzz_database.tokens["tenant_admin"]
    assert token
    async with httpx.AsyncClient(base_url=fuzz_target.url, timeout=30) as http:
        gql = GraphQLClient(http)
        # one onboarding per market role at a time: each stage is another role's
        stages = (
            ("DRAFT", "BSP"),
            ("IN_PROGRESS", "ACH"),
            ("AWAITING_VALIDATION", "GU"),
            ("SUBMITTED", "BRP"),
        )
        for stage, role in stages:
            SEEDS["ID"].append(await drive(gql, tenant, token, until=stage, role=role))
        subscription = await gql(
            'mutation { createWebhookSubscription(url: "https://hooks.example.test/b", '
            'eventTypes: ["*"]) { subscription { id } } }',
            token=token,
        )
        SEEDS["ID"].append(subscription.ok()["createWebhookSubscription"]["subscription"]["id"])
        trigger = await gql(
            'mutation { createWorkflowTrigger(name: "weekly", kind: SCHEDULE, cron: "0 6 * * 1", '
            'timezone: "Europe/Brussels", templateKey: "portfolio-management", marketRole: BRP) '
            "{ id } }",
            token=token,
        )
        SEEDS["ID"].append(trigger.ok()["createWorkflowTrigger"]["id"])
    SEEDS["ID"].append(str(tenant.id))
    SEEDS["JSON"].extend(step_data(tenant).values())
    return fuzz_target


def problems_in(status: int, body: bytes) -> list[str]:
    """What is wrong with one answer of the API."""
    found = []
    if status >= 500:
        found.append(f"status {status}")
    text = body.decode("utf-8", errors="replace")
    found += [f"leaks {leak!r}" for leak in LEAKS if leak in text]
    try:
        payload = json.loads(text)
    except ValueError:
        return [*found, "not JSON"]
    errors = payload.get("errors") if isinstance(payload, dict) else None
    for error in errors or []:
        code = (error.get("extensions") or {}).get("code")
        if not code:
            found.append(f"an error without extensions.code: {error}")
        elif code == "INTERNAL":
            found.append(f"an INTERNAL error: {error}")
    return found


@dataclass
class FuzzRun:
    cases: int = 0
    problems: list[str] = field(default_factory=list)
    answers: Counter[str] = field(default_factory=Counter)  # OK or the first error's code


def fuzz(operation, mode: GenerationMode, headers: dict[str, str], run: FuzzRun) -> None:
    """Send EXAMPLES generated cases of one operation; note every problem with its curl."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def send(case) -> None:
        run.cases += 1
        response = case.call(headers=headers, timeout=30)
        with contextlib.suppress(ValueError, AttributeError, IndexError, TypeError):
            errors = response.json().get("errors")
            run.answers[errors[0]["extensions"]["code"] if errors else "OK"] += 1
        for problem in problems_in(response.status_code, response.content):
            run.problems.append(
                f"{operation.label} [{mode.value}]: {problem}\n"
                f"  {case.as_curl_command(headers=headers)}\n  -> {response.text[:500]}"
            )

    send()


@pytest.mark.timeout(120 + 6 * EXAMPLES)
@pytest.mark.parametrize("identity", ["tenant_admin", "market_ops", "anonymous"])
def test_no_generated_query_gets_a_server_error_or_internals(fuzz_seeds, identity):
    token = fuzz_seeds.tokens[identity]
    headers = {"authorization": f"Bearer {token}"} if token else {}
    schema = schemathesis.graphql.from_url(f"{fuzz_seeds.url}/graphql", headers=headers)
    run, operations = FuzzRun(), 0
    for result in schema.get_all_operations():
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzz(result.ok(), mode, headers, run)
    print(f"{identity}: {operations} operations, {run.cases} cases: {dict(run.answers)}")
    assert operations >= 40
    assert run.cases >= operations
    assert not run.problems, "\n".join(run.problems[:20])
    log = fuzz_seeds.log_path.read_text(errors="replace")
    assert log.count('"request"') >= run.cases  # the log is written: its silence means something
    alarms = [line for line in log.splitlines() if any(a in line for a in LOG_ALARMS)]
    assert not alarms, "\n".join(alarms[:20])


def test_the_fuzz_checks_catch_what_they_look_for():
    assert problems_in(500, b"Internal Server Error") == ["status 500", "not JSON"]
    assert problems_in(200, b'{"errors": [{"message": "x"}]}') == [
        "an error without extensions.code: {'message': 'x'}"
    ]
    leaked = b'{"errors": [{"message": "asyncpg: SELECT 1", "extensions": {"code": "INTERNAL"}}]}'
    assert problems_in(200, leaked) == [
        "leaks 'asyncpg'",
        "leaks 'SELECT '",
        "an INTERNAL error: {'message': 'asyncpg: SELECT 1', 'extensions': {'code': 'INTERNAL'}}",
    ]
    assert problems_in(200, b'{"data": {"me": {"id": "1"}}}') == []


def test_a_value_the_database_cannot_hold_is_a_validation_error_without_the_drivers_words():
    """Found by fuzzing: a NUL character in a template key reached PostgreSQL."""
    refused = asyncpg.CharacterNotInRepertoireError('invalid byte sequence for encoding "UTF8"')
    error = translate(GraphQLError("x", path=["templateVersions"], original_error=refused))
    assert error.extensions == {"code": "VALIDATION_FAILED", "fields": []}
    assert "UTF8" not in error.message
