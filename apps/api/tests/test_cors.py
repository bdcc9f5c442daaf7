"""Cross-origin calls, for a web app hosted elsewhere: none unless WFM_CORS_ORIGINS names
the origins; then those alone, with credentials, on the API's call paths alone."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pydantic
import pytest

from wfm_api.app import create_app
from wfm_shared.settings import Settings

CONSOLE = "https://console.example.com"
ELSEWHERE = "https://elsewhere.example.org"
ME = {"query": "{ me { email } }"}


def preflight(origin: str, method: str = "POST", headers: str = "content-type") -> dict[str, str]:
    return {
        "origin": origin,
        "access-control-request-method": method,
        "access-control-request-headers": headers,
    }


def cors_headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.startswith("access-control-")}


@contextlib.asynccontextmanager
async def serving(settings, storage, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update=overrides), storage=storage)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
            yield http


@pytest.fixture
async def console(wfm_settings, storage) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(wfm_settings, storage, cors_origins=[CONSOLE]) as http:
        yield http


@pytest.mark.parametrize("origin", [CONSOLE, ELSEWHERE, "null"])
@pytest.mark.parametrize("path", ["/graphql", "/auth/refresh"])
async def test_by_default_no_origin_is_allowed_anything(gql, origin, path):
    asked = await gql.http.options(path, headers=preflight(origin, headers="x-wfm-session"))
    assert asked.status_code == 405
    assert cors_headers(asked) == {}
    called = await gql.http.post("/graphql", json=ME, headers={"origin": origin})
    assert cors_headers(called) == {}


async def test_a_configured_origin_may_call_graphql_with_credentials(console, factory):
    asked = await console.options(
        "/graphql", headers=preflight(CONSOLE, headers="authorization, content-type")
    )
    assert asked.status_code == 200
    assert asked.headers["access-control-allow-origin"] == CONSOLE
    assert asked.headers["access-control-allow-credentials"] == "true"
    assert {m.strip() for m in asked.headers["access-control-allow-methods"].split(",")} == {
        "GET",
        "POST",
    }
    allowed_headers = asked.headers["access-control-allow-headers"].lower()
    for header in ("authorization", "content-type", "x-wfm-session", "x-request-id"):
        assert header in allowed_headers
    assert "origin" in asked.headers["vary"].lower()

    account = await factory.account("tenant_user", await factory.tenant())
    called = await console.post(
        "/graphql",
        json=ME,
        headers={"origin": CONSOLE, "authorization": f"Bearer {account.token}"},
    )
    assert called.json()["data"]["me"]["email"] == account.user.email
    assert called.headers["access-control-allow-origin"] == CONSOLE
    assert called.headers["access-control-allow-credentials"] == "true"
    assert "origin" in called.headers["vary"].lower()


async def test_a_configured_origin_may_call_the_session_routes(console):
    asked = await console.options(
        "/auth/refresh", headers=preflight(CONSOLE, headers="x-wfm-session")
    )
    assert asked.status_code == 200
    assert asked.headers["access-control-allow-origin"] == CONSOLE
    called = await console.post(
        "/auth/refresh", headers={"origin": CONSOLE, "x-wfm-session": "cookie"}
    )
    assert called.status_code == 401  # no cookie: SameSite=Strict keeps it on its own site
    assert called.headers["access-control-allow-origin"] == CONSOLE


@pytest.mark.parametrize("origin", [ELSEWHERE, "https://console.example.com.evil.test", "null"])
async def test_any_other_origin_is_allowed_nothing(console, origin):
    asked = await console.options("/graphql", headers=preflight(origin))
    assert asked.status_code == 400
    assert "access-control-allow-origin" not in asked.headers
    called = await console.post("/graphql", json=ME, headers={"origin": origin})
    assert "access-control-allow-origin" not in called.headers


async def test_a_configured_origin_may_not_send_other_methods_or_headers(console):
    for asked in (
        await console.options("/graphql", headers=preflight(CONSOLE, method="PUT")),
        await console.options("/graphql", headers=preflight(CONSOLE, headers="x-anything-else")),
    ):
        assert asked.status_code == 400


@pytest.mark.parametrize("path", ["/healthz", "/", "/console/workflows", "/graphiql/assets/x.js"])
async def test_paths_other_than_the_apis_calls_answer_no_cors_headers(console, path):
    asked = await console.options(path, headers=preflight(CONSOLE, method="GET"))
    assert cors_headers(asked) == {}
    fetched = await console.get(path, headers={"origin": CONSOLE})
    assert cors_headers(fetched) == {}


@pytest.mark.parametrize("value", ["*", f"{CONSOLE},*", '["*"]'])
def test_a_wildcard_origin_is_refused_when_the_settings_are_read(monkeypatch, value):
    monkeypatch.setenv("WFM_CORS_ORIGINS", value)
    with pytest.raises(pydantic.ValidationError, match="may not be '\\*'"):
        Settings()


@pytest.mark.parametrize(
    "value", ["console.example.com", "https://console.example.com/app", "ftp://x.example", "null"]
)
def test_an_entry_that_is_not_an_origin_is_refused_with_its_value(value):
    with pytest.raises(pydantic.ValidationError, match="is not an origin"):
        Settings(cors_origins=value)


def test_origins_are_read_comma_separated_or_as_json_and_written_as_browsers_send_them(
    monkeypatch,
):
    monkeypatch.setenv(
        "WFM_CORS_ORIGINS", "https://Console.Example.com:443/, http://localhost:5173"
    )
    assert Settings().cors_origins == [CONSOLE, "http://localhost:5173"]
    monkeypatch.setenv("WFM_CORS_ORIGINS", f'["{CONSOLE}"]')
    assert Settings().cors_origins == [CONSOLE]
    monkeypatch.setenv("WFM_CORS_ORIGINS", "")
    assert Settings().cors_origins == []
