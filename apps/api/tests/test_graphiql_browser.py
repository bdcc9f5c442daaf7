"""GraphiQL in a real browser that cannot reach the internet: everything the page needs
comes from the API itself (bundled by `make install`), never from a CDN."""

import json
import re

from wfm_api.app import create_app
from wfm_testing.browser import offline_page
from wfm_testing.peers import serve_asgi

SCREENSHOT = "/tmp/graphiql.png"
QUERY = "{ __typename me { email } }"


async def text_of(region) -> str:
    # Monaco draws spaces as no-break spaces
    return (await region.inner_text()).replace("\xa0", " ")


async def paste_over(page, editor, text: str) -> None:
    """Replace an editor's text as a person would paste it (typing would get Monaco's
    automatic closing brackets and quotes)."""
    await page.evaluate("text => navigator.clipboard.writeText(text)", text)
    await editor.focus()
    await page.keyboard.press("ControlOrMeta+A")
    await page.keyboard.press("ControlOrMeta+V")


async def test_graphiql_runs_a_query_with_the_headers_tab_token_and_loads_nothing_from_elsewhere(
    wfm_settings, storage, factory
):
    account = await factory.account("market_ops")
    app = create_app(wfm_settings, storage=storage)
    async with serve_asgi(app) as base_url, offline_page(base_url) as browser:
        page = browser.page
        try:
            response = await page.goto(f"{base_url}/graphql")
            assert response is not None
            assert response.status == 200, await response.text()  # 503: the bundle is not built
            assert "frame-ancestors 'none'" in response.headers["content-security-policy"]

            operation = page.get_by_role("region", name="Operation Editor")
            await operation.get_by_role("textbox").first.wait_for()
            assert "Workflow Manager GraphQL API" in await text_of(operation)

            await paste_over(page, operation.get_by_role("textbox").first, QUERY)

            await page.get_by_role("button", name="Headers").click()
            headers = page.locator(".graphiql-editor-tool").get_by_role("textbox").first
            await paste_over(
                page, headers, json.dumps({"Authorization": f"Bearer {account.token}"})
            )

            await page.get_by_role("button", name=re.compile(r"^Execute query")).click()
            result = page.get_by_role("region", name="Result Window")
            await result.get_by_text(account.user.email).wait_for()
            assert '"__typename": "Query"' in await text_of(result)

        finally:
            await page.screenshot(path=SCREENSHOT)  # what the page showed, passed or not

        assert browser.blocked == [], "the page asked another host for something"
        assert browser.errors == []
        assert browser.csp_violations == [], "the page's own policy refused part of it"
