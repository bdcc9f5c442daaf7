"""GraphiQL's page and bundle as HTTP serves them (the browser test runs them)."""

import re

import anyio
import httpx
from starlette.applications import Starlette
from starlette.routing import Mount

from wfm_api.graphiql import ASSETS_PATH, GraphiQLPage, graphiql_assets

ASSET = re.compile(r'(?:src|href)="(/graphiql/assets/[^"]+)"')
LOADS_ELSEWHERE = re.compile(
    r"""(?:\bimport\s*\(?\s*|\bfrom\s*|@import\s*|url\(\s*)["']?(?:https?:)?//"""
)


async def test_the_page_loads_its_bundle_from_the_api_and_nothing_from_elsewhere(gql):
    page = await gql.http.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200, page.text  # 503: the bundle is not built (make install)
    assert "://" not in page.text
    assets = ASSET.findall(page.text)
    assert any(path.endswith(".js") for path in assets)
    assert any(path.endswith(".css") for path in assets)
    for path in assets:
        asset = await gql.http.get(path)
        assert asset.status_code == 200, path
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
        # no script import, stylesheet import or url() that reaches another host
        assert not LOADS_ELSEWHERE.search(asset.text), path


async def test_the_page_itself_is_revalidated_so_a_rebuild_shows_at_the_next_reload(gql):
    page = await gql.http.get("/graphql", headers={"accept": "text/html"})
    assert page.headers["cache-control"] == "no-cache"


async def test_without_a_built_bundle_the_page_says_how_to_build_it(tmp_path):
    response = await GraphiQLPage(anyio.Path(tmp_path)).response()
    assert response.status_code == 503
    text = bytes(response.body).decode()
    assert "make install" in text
    assert "<script" not in text


async def test_without_a_built_bundle_an_asset_is_not_found_and_the_server_still_answers(
    tmp_path,
):
    app = Starlette(routes=[Mount(ASSETS_PATH, graphiql_assets(anyio.Path(tmp_path)))])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
        assert (await http.get(f"{ASSETS_PATH}/index-0000.js")).status_code == 404
        (tmp_path / "assets").mkdir()
        (tmp_path / "assets" / "index-1111.js").write_text("built later")
        assert (await http.get(f"{ASSETS_PATH}/index-1111.js")).text == "built later"
