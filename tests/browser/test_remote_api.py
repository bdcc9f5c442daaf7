"""The built web app hosted apart from the API (issue 15): one build, served by a plain static
server on another loopback port, whose `config.json` names the API's origin. With that origin
in the API's `WFM_CORS_ORIGINS` the app works as on the API's own origin (sign-in, the work
queue, a reload kept by the refresh cookie, live updates, sign-out): two ports of 127.0.0.1
are one site, so the `SameSite=Strict` cookie travels. Without it (the default) the browser
keeps the API's answers from the app: CORS is off unless configured."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.async_api import ConsoleMessage, expect
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from wfm_testing.factories import TEST_PASSWORD
from wfm_testing.onboarding import drive
from wfm_testing.peers import serve_asgi
from wfm_testing.web import (
    SIGN_IN_PAGE,
    RunningPlatform,
    require_built_web_app,
    serve_web_app,
    sign_in,
    sign_out,
    web_page,
)

QUEUE_LIVE = "Live: the queue updates itself"
QUEUE_POLLING = re.compile("Live updates unavailable")
SCREENSHOTS = "/tmp/web_shots"


@pytest.fixture(scope="module")
def world(isolated_world):
    """A database of the module's own: the worker beside the API sees no other test's jobs."""
    return isolated_world


class SinglePageApp(StaticFiles):
    """The build's files; any other path is the page (the app routes in the browser)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            return await super().get_response(path, scope)
        except HTTPException as error:
            if error.status_code != 404 or path.startswith("assets"):
                raise
            return await super().get_response("index.html", scope)


@dataclass
class StaticHost:
    """A web server that knows nothing of the API: the build, and a config.json."""

    url: str
    config: dict[str, Any] = field(default_factory=dict)


@contextlib.asynccontextmanager
async def static_host() -> AsyncIterator[StaticHost]:
    config: dict[str, Any] = {}

    async def config_json(request: Request) -> Response:
        return JSONResponse(config)

    app = Starlette(
        routes=[
            Route("/config.json", config_json),
            Mount("/", SinglePageApp(directory=require_built_web_app(), html=True)),
        ]
    )
    async with serve_asgi(app) as url:
        yield StaticHost(url, config)


@contextlib.asynccontextmanager
async def app_and_api(world, *, cors: bool) -> AsyncIterator[tuple[StaticHost, RunningPlatform]]:
    """The app on its own port; the API on another, allowing the app's origin when `cors`."""
    async with static_host() as host:
        origins = [host.url] if cors else []
        settings = world.settings.model_copy(update={"cors_origins": origins})
        async with serve_web_app(settings, world.storage) as platform:
            host.config["apiUrl"] = platform.url
            yield host, platform


async def test_the_app_on_its_own_host_works_against_an_api_that_allows_its_origin(world):
    tenant = await world.factory.tenant(company_name="Gileppe Hydro SA")
    participant = await world.factory.account("tenant_admin", tenant)
    ops = await world.factory.account("market_ops", display_name="Remote Ops")
    async with app_and_api(world, cors=True) as (host, platform):
        api = platform.url
        await drive(platform.gql, tenant, participant.token, role="GU")
        async with web_page(host.url, also=[api]) as web:
            page = web.page
            sockets: list[str] = []
            page.on("websocket", lambda socket: sockets.append(socket.url))
            await sign_in(page, host.url, ops.user.email)
            await expect(page).to_have_url(f"{host.url}/console/work")
            # the queue comes from the API of the other origin, and goes live over its socket
            await expect(
                page.get_by_role("link", name="Open Submission · Gileppe Hydro SA")
            ).to_be_visible()
            await expect(page.get_by_text(QUEUE_LIVE)).to_be_visible()
            await expect(page.get_by_text(QUEUE_POLLING)).to_have_count(0)
            assert sockets
            assert all(url.startswith(api.replace("http", "ws", 1)) for url in sockets)
            # the refresh cookie is the API's, out of the scripts' reach
            (cookie,) = await page.context.cookies(f"{api}/auth/refresh")
            assert (cookie["name"], cookie["httpOnly"]) == ("wfm_refresh", True)
            await page.screenshot(path=f"{SCREENSHOTS}/remote_work_queue.png", full_page=True)

            # a reload keeps the session: the cookie goes from one port of 127.0.0.1 to another
            await page.reload()
            await expect(page).to_have_url(f"{host.url}/console/work")
            await expect(page.get_by_text("Remote Ops")).to_be_visible()
            await expect(page.get_by_text(QUEUE_LIVE)).to_be_visible()

            await sign_out(page)
            await page.goto(f"{host.url}/console/work")
            await expect(page).to_have_url(SIGN_IN_PAGE)  # the sign-out ended the session
            assert await page.context.cookies(f"{api}/auth/refresh") == []
            assert web.blocked == []


async def test_without_the_cors_setting_the_app_of_another_origin_cannot_call_the_api(world):
    ops = await world.factory.account("market_ops")
    async with (
        app_and_api(world, cors=False) as (host, platform),
        web_page(host.url, also=[platform.url]) as web,
    ):
        page = web.page
        console: list[str] = []

        def log(message: ConsoleMessage) -> None:
            console.append(message.text)

        page.on("console", log)
        await page.goto(f"{host.url}/login")
        await page.get_by_label("E-mail").fill(ops.user.email)
        await page.get_by_label("Password").fill(TEST_PASSWORD)
        await page.get_by_role("button", name="Sign in").click()
        await expect(page.get_by_role("alert")).to_be_visible()
        await expect(page).to_have_url(SIGN_IN_PAGE)
        await page.screenshot(path=f"{SCREENSHOTS}/remote_cors_off.png", full_page=True)
        assert any("CORS policy" in text for text in console), console
