"""The web app as the API serves it: its page on every path the app routes in the browser,
its hashed bundle cached for good, gzipped for a browser that accepts it when the build
holds the gzip, nothing outside its build, the API's own paths kept."""

from __future__ import annotations

import contextlib
import gzip
import os
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
    # the browser's session routes and the inbound webhooks take POST alone
    assert (await web.get("/auth/refresh")).status_code == 405
    assert (await web.get("/hooks/x", headers={"accept": "text/html"})).status_code == 405
    # a file is the API's to serve, to whoever signed in
    unsigned = await web.get("/files/x", headers={"accept": "text/html"})
    assert unsigned.status_code == 401
    assert unsigned.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    for path in (
        "/auth/nothing",
        "/graphiql/nothing",
        "/metrics",
        "/hooks/x/y",
        "/files/x/y",
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


@pytest.fixture
def gzipped_build(build: Path) -> Path:
    """The build as the web app's Vite build writes it: a gzip beside each text file."""
    for name in ("index.html", "assets/app-abc123.js"):
        file = build / name
        (build / f"{name}.gz").write_bytes(gzip.compress(file.read_bytes(), mtime=0))
    return build


@pytest.fixture
async def gzipping_web(wfm_settings, storage, gzipped_build) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(wfm_settings, storage, web_dir=gzipped_build) as (_, http):
        yield http


async def raw_body(
    http: httpx.AsyncClient, method: str, path: str, headers: dict[str, str | None]
) -> tuple[httpx.Response, bytes]:
    """The answer and its body's bytes as they came, not decoded; a header given as None is
    left out (httpx would send its own Accept-Encoding)."""
    request = http.build_request(method, path)
    for name, value in headers.items():
        if value is None:
            del request.headers[name]
        else:
            request.headers[name] = value
    answer = await http.send(request, stream=True)
    try:
        return answer, b"".join([chunk async for chunk in answer.aiter_raw()])
    finally:
        await answer.aclose()


@pytest.mark.parametrize("accepted", ["gzip, deflate, br, zstd", "br;q=1.0, gzip;q=0.8", "*"])
async def test_a_browser_that_accepts_gzip_gets_the_gzip_of_the_bundle_cached_for_good(
    gzipping_web, gzipped_build, accepted
):
    script, body = await raw_body(
        gzipping_web, "GET", "/assets/app-abc123.js", {"accept-encoding": accepted}
    )
    assert script.status_code == 200
    assert script.headers["content-encoding"] == "gzip"
    assert body == (gzipped_build / "assets" / "app-abc123.js.gz").read_bytes()
    assert gzip.decompress(body).decode() == BUNDLE
    assert int(script.headers["content-length"]) == len(body)
    assert script.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert script.headers["cache-control"] == IMMUTABLE
    assert script.headers["vary"] == "Accept-Encoding"


@pytest.mark.parametrize("accepted", [None, "identity", "br", "gzip;q=0, *", "deflate, *;q=0"])
async def test_a_request_that_does_not_accept_gzip_gets_the_file_as_it_is(gzipping_web, accepted):
    script, body = await raw_body(
        gzipping_web, "GET", "/assets/app-abc123.js", {"accept-encoding": accepted}
    )
    assert script.status_code == 200
    assert "content-encoding" not in script.headers
    assert body == BUNDLE.encode()
    assert script.headers["cache-control"] == IMMUTABLE
    assert script.headers["vary"] == "Accept-Encoding"


async def test_the_page_is_gzipped_too_and_still_revalidated_under_its_policy(
    gzipping_web, wfm_settings
):
    page = await gzipping_web.get("/console/workflows", headers={"accept-encoding": "gzip"})
    assert page.headers["content-encoding"] == "gzip"
    assert page.text == PAGE  # decoded by the client, as a browser does
    assert page.headers["cache-control"] == "no-cache"
    assert page.headers["content-security-policy"] == web_policy(wfm_settings.public_url)
    assert page.headers["vary"] == "Accept-Encoding"


async def test_each_encoding_has_its_own_etag_and_is_not_modified_by_its_own_alone(
    gzipping_web,
):
    path = "/assets/app-abc123.js"
    gzipped = await gzipping_web.get(path, headers={"accept-encoding": "gzip"})
    plain = await gzipping_web.get(path, headers={"accept-encoding": "identity"})
    assert gzipped.headers["etag"] != plain.headers["etag"]

    again = await gzipping_web.get(
        path, headers={"accept-encoding": "gzip", "if-none-match": gzipped.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.headers["etag"] == gzipped.headers["etag"]
    assert again.headers["vary"] == "Accept-Encoding"
    # the gzip's ETag does not stand for the file's bytes
    other = await gzipping_web.get(
        path, headers={"accept-encoding": "identity", "if-none-match": gzipped.headers["etag"]}
    )
    assert (other.status_code, other.text) == (200, BUNDLE)


async def test_a_range_is_of_the_files_own_bytes_whatever_the_encodings_accepted(
    gzipping_web,
):
    part, body = await raw_body(
        gzipping_web,
        "GET",
        "/assets/app-abc123.js",
        {"accept-encoding": "gzip", "range": "bytes=0-6"},
    )
    assert part.status_code == 206
    assert "content-encoding" not in part.headers
    assert body == BUNDLE.encode()[:7]
    assert part.headers["content-range"] == f"bytes 0-6/{len(BUNDLE)}"


async def test_the_head_of_a_gzipped_file_is_the_gzips_headers_alone(gzipping_web, gzipped_build):
    head, body = await raw_body(
        gzipping_web, "HEAD", "/assets/app-abc123.js", {"accept-encoding": "gzip"}
    )
    assert head.status_code == 200
    assert head.headers["content-encoding"] == "gzip"
    gzip_size = (gzipped_build / "assets" / "app-abc123.js.gz").stat().st_size
    assert int(head.headers["content-length"]) == gzip_size
    assert body == b""


async def test_a_gzip_is_never_a_file_of_its_own(gzipping_web):
    assert (await gzipping_web.get("/assets/app-abc123.js.gz")).status_code == 404
    # at the build's root, a path of the app: the page
    page = await gzipping_web.get("/index.html.gz", headers={"accept-encoding": "identity"})
    assert page.text == PAGE


async def test_a_file_replaced_after_its_gzip_is_served_as_it_is_now(gzipping_web, gzipped_build):
    script = gzipped_build / "assets" / "app-abc123.js"
    script.write_text("console.log('patched');")
    gzip_written = (gzipped_build / "assets" / "app-abc123.js.gz").stat().st_mtime
    os.utime(script, (gzip_written + 1, gzip_written + 1))
    answer = await gzipping_web.get("/assets/app-abc123.js", headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in answer.headers
    assert answer.text == "console.log('patched');"
