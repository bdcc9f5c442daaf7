"""The web app as the API serves it: its page on every path the app routes in the browser,
its hashed bundle cached for good, nothing outside its build, the API's own paths kept."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import anyio
import httpx
import pytest
from starlette.types import ASGIApp, Message

from wfm_api.app import create_app
from wfm_api.security_headers import WEB_POLICY, web_policy

PAGE = '<!doctype html><html><head><script type="module" src="/assets/app-abc123.js"></script></head><body><div id="root"></div></body></html>'
BUNDLE = "console.log('the console');"
IMMUTABLE = "public, max-age=31536000, immutable"


@pytest.fixture
def build(tmp_path: Path) -> Path:
    """A built web app as Vite writes it, next to a file that is not part of it."""
    web = tmp_path / "web"
    (web / "assets").mkdir(parents=True)
    (web / "index.html").write_text(PAGE)
    (web / "assets" / "app-abc123.js").write_text(BUNDLE)
    (web / "assets" / "app-abc123.css").write_text("body { margin: 0 }")
    (web / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (web / ".vite").mkdir()
    (web / ".vite" / "manifest.json").write_text("{}")
    (tmp_path / "secret.txt").write_text("not for the web")
    return web


@contextlib.asynccontextmanager
async def serving(
    settings, storage, **overrides: Any
) -> AsyncIterator[tuple[ASGIApp, httpx.AsyncClient]]:
    app = create_app(settings.model_copy(update=overrides), storage=storage)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
            yield app, http


@pytest.fixture
async def web(wfm_settings, storage, build) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(wfm_settings, storage, web_dir=build) as (_, http):
        yield http


async def raw_get(app: ASGIApp, path: str) -> tuple[int, bytes]:
    """GET `path` exactly as a server passes it on (httpx would resolve its `..` itself)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"api.test")],
        "client": ("198.18.255.1", 50000),
        "server": ("api.test", 80),
    }
    messages: list[Message] = []
    requested = False

    async def receive() -> Message:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await anyio.sleep_forever()  # the client stays until the answer is sent
        raise AssertionError("unreachable")

    async def send(message: Message) -> None:
        messages.append(message)

    await app(scope, receive, send)
    status = next(m["status"] for m in messages if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return status, body


@pytest.mark.parametrize(
    "path", ["/", "/index.html", "/console/workflows/123", "/portal/onboardings/x?tab=steps"]
)
async def test_every_path_of_the_app_answers_its_page_revalidated_under_its_policy(
    web, wfm_settings, path
):
    page = await web.get(path, headers={"accept": "text/html"})
    assert page.status_code == 200
    assert page.text == PAGE
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-cache"
    assert page.headers["content-security-policy"] == web_policy(wfm_settings.public_url)
    assert page.headers["x-frame-options"] == "DENY"


def test_the_apps_policy_runs_only_its_own_files_and_talks_only_to_the_api():
    policy = web_policy("https://wfm.example.com")
    assert "script-src 'self';" in policy
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    assert "connect-src 'self' wss://wfm.example.com;" in policy
    assert "frame-ancestors 'none'" in policy
    assert "base-uri 'none'" in policy
    assert "connect-src 'self' ws://localhost:8000;" in web_policy("http://localhost:8000/")
    assert WEB_POLICY.startswith("default-src 'none'")


async def test_a_page_already_loaded_is_answered_not_modified(web):
    first = await web.get("/console")
    again = await web.get("/console", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304


async def test_the_head_of_a_page_is_its_headers_alone(web):
    head = await web.head("/console/workflows")
    assert head.status_code == 200
    assert head.headers["cache-control"] == "no-cache"
    assert head.content == b""


async def test_the_bundle_is_cached_for_good_with_its_content_type(web):
    script = await web.get("/assets/app-abc123.js")
    assert script.status_code == 200
    assert script.text == BUNDLE
    assert script.headers["cache-control"] == IMMUTABLE
    assert script.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    style = await web.get("/assets/app-abc123.css")
    assert style.headers["content-type"].startswith("text/css")
    assert style.headers["cache-control"] == IMMUTABLE


@pytest.mark.parametrize(
    "path", ["/assets/app-000000.js", "/assets/", "/assets", "/assets/console/x"]
)
async def test_a_file_the_bundle_does_not_have_is_not_found_never_the_page(web, path):
    missing = await web.get(path, headers={"accept": "text/html"})
    assert missing.status_code == 404
    assert "<html" not in missing.text
    assert missing.headers.get("cache-control") != IMMUTABLE


async def test_plain_files_at_the_builds_root_are_served_revalidated(web):
    icon = await web.get("/favicon.svg")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.headers["cache-control"] == "no-cache"


async def test_hidden_files_of_the_build_are_not_served(web):
    manifest = await web.get("/.vite/manifest.json")
    assert manifest.status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/assets/../../secret.txt",
        "/assets/../../../../../../etc/passwd",
        "/../secret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt",
        "/assets/..%2f..%2fsecret.txt",
        "/assets/%2E%2E%2F%2E%2E%2Fsecret.txt",
        "/%2e%2e/secret.txt",
        "/assets/..\\..\\secret.txt",
        "/assets/%252e%252e/%252e%252e/secret.txt",
        "/assets/app-abc123.js%00.html",
    ],
)
async def test_no_path_reaches_outside_the_build(wfm_settings, storage, build, path):
    async with serving(wfm_settings, storage, web_dir=build) as (app, http):
        # as a server passes it on: percent-decoded, dots left as sent
        status, body = await raw_get(app, unquote(path))
        assert (status, b"not for the web" in body) == (404, False)
        # and as a client that encodes it sends it
        response = await http.get(path)
        assert response.status_code in {200, 404}
        assert "not for the web" not in response.text


async def test_a_file_of_the_bundle_is_served_as_a_server_passes_its_path_on(
    wfm_settings, storage, build
):
    async with serving(wfm_settings, storage, web_dir=build) as (app, _):
        assert await raw_get(app, "/assets/app-abc123.js") == (200, BUNDLE.encode())


async def test_a_directory_is_never_listed(web):
    listing = await web.get("/assets/", headers={"accept": "text/html"})
    assert listing.status_code == 404
    assert "app-abc123" not in listing.text


async def test_the_apis_own_paths_are_not_taken_by_the_app(web):
    assert (await web.get("/healthz")).json() == {"status": "ok"}
    # GraphQL over GET is not served; what it answers is the API's, not the page
    graphql = await web.get("/graphql", headers={"accept": "application/json"})
    assert graphql.text != PAGE
    assert (
        graphql.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    )
    # the browser's session routes take POST alone
    assert (await web.get("/auth/refresh")).status_code == 405
    for path in (
        "/auth/nothing",
        "/graphiql/nothing",
        "/metrics",
        "/hooks/x",
        "/files/x",
        "/graphql/x",
    ):
        answer = await web.get(path, headers={"accept": "text/html"})
        assert answer.status_code == 404, path
        assert answer.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_graphiql_still_answers_a_browser_on_the_graphql_path(web):
    page = await web.get("/graphql", headers={"accept": "text/html"})
    assert page.text != PAGE
    assert page.status_code in {200, 503}  # 503: GraphiQL's own bundle is not built


async def test_other_methods_on_the_apps_paths_are_not_found(web):
    assert (await web.post("/console/workflows", json={})).status_code == 404


async def test_an_app_not_built_says_how_to_build_it(wfm_settings, storage, tmp_path):
    async with serving(wfm_settings, storage, web_dir=tmp_path / "nothing") as (_, http):
        page = await http.get("/", headers={"accept": "text/html"})
        assert page.status_code == 503
        assert page.headers["content-type"].startswith("text/plain")
        assert "make install" in page.text
        assert len(page.text.strip().splitlines()) == 1
        assert (await http.get("/console/workflows/1")).status_code == 503
        assert (await http.get("/assets/app-abc123.js")).status_code == 404
        # the API itself works meanwhile
        assert (await http.get("/healthz")).status_code == 200


async def test_a_build_made_while_the_api_runs_is_served_at_the_next_load(
    wfm_settings, storage, tmp_path
):
    async with serving(wfm_settings, storage, web_dir=tmp_path) as (_, http):
        assert (await http.get("/")).status_code == 503
        (tmp_path / "index.html").write_text(PAGE)
        assert (await http.get("/")).text == PAGE
