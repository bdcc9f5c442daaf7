"""Live updates in the web app, in Debian's Chromium against the real API serving the built
app: what another session does (a participant's step, a submission) shows on the open
pages of the console and the portal without a reload, over the GraphQL subscriptions'
WebSocket; where WebSockets are blocked, the page says it polls and still updates, and goes
live again once they pass; the socket follows the access token's refreshes; and another
tenant's open page receives nothing of it.

"Without a reload": each test marks the page's window (`window.wfmSamePage`) before the
change, and the mark must still be there after it."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

import pytest
from playwright.async_api import Locator, Page, WebSocket, WebSocketRoute, expect

from wfm_storage.records import Tenant
from wfm_testing.factories import Account
from wfm_testing.onboarding import CREATE, EXECUTE, START, SUBMIT, drive, step_data
from wfm_testing.web import RunningPlatform, serve_web_app, sign_in, web_page

# what the console's workflow page says of its live feed (src/i18n/en/workflows.json)
LIVE = "Live: changes appear as they happen."
POLLING = "Live updates are unavailable: refreshing every 15 seconds."
QUEUE_LIVE = "Live: the queue updates itself"
PORTAL_LIVE = "Updates live"
# a change reaches a live page well within this; polling (every 15 s) would not
LIVE_WITHIN_MS = 5_000


@pytest.fixture(scope="module")
def world(isolated_world):
    """A database of the module's own: the worker beside the API sees no other test's jobs."""
    return isolated_world


@pytest.fixture(scope="module")
async def platform(world):
    async with serve_web_app(world.settings, world.storage) as running:
        yield running


@dataclass
class Onboarding:
    """A grid user's contract onboarding, started: its first step waits for the participant."""

    tenant: Tenant
    participant: Account
    workflow_id: str

    async def execute(self, platform: RunningPlatform, step: str) -> None:
        """The participant completes `step` through the API (another session than the page's)."""
        data = step_data(self.tenant, role="GU")[step]
        variables = {"id": self.workflow_id, "step": step, "data": data}
        (await platform.gql(EXECUTE, variables, token=self.participant.token)).ok()


async def started_onboarding(platform: RunningPlatform, world, company: str) -> Onboarding:
    tenant = await world.factory.tenant(company_name=company)
    participant = await world.factory.account("tenant_admin", tenant)
    created = await platform.gql(CREATE, {"role": "GU"}, token=participant.token)
    workflow_id = created.ok()["createWorkflow"]["id"]
    (await platform.gql(START, {"id": workflow_id}, token=participant.token)).ok()
    return Onboarding(tenant, participant, workflow_id)


async def stay_on_this_page(page: Page) -> None:
    await page.evaluate("window.wfmSamePage = true")


async def assert_not_reloaded(page: Page) -> None:
    assert await page.evaluate("window.wfmSamePage === true"), "the page was loaded again"


def shown(page: Page, label: str) -> Locator:
    """The value the console's workflow summary shows for `label`."""
    item = (
        page.get_by_role("main").locator("dl > div").filter(has=page.get_by_text(label, exact=True))
    )
    return item.get_by_role("definition")


def step_heading(page: Page, title: str) -> Locator:
    return page.get_by_role("heading", level=2, name=title, exact=True)


async def until(condition, *, seconds: float, what: str) -> None:
    for _ in range(int(seconds * 10)):
        if condition():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"not within {seconds} s: {what}")


# -- the console ----------------------------------------------------------------------


async def test_the_console_shows_a_participants_step_as_it_happens(platform, world):
    onboarding = await started_onboarding(platform, world, "Semois Wind SA")
    ops = await world.factory.account("market_ops")
    async with web_page(platform.url) as web:
        page = web.page
        await sign_in(
            page, platform.url, ops.user.email, path=f"/console/workflows/{onboarding.workflow_id}"
        )
        await expect(page.get_by_text(LIVE)).to_be_visible()
        await expect(shown(page, "Current step")).to_have_text("Company information")
        await stay_on_this_page(page)

        await onboarding.execute(platform, "company-info")

        await expect(shown(page, "Current step")).to_have_text("Contacts", timeout=LIVE_WITHIN_MS)
        await expect(
            page.get_by_role("main").get_by_text("Company information").first
        ).to_be_visible()
        await assert_not_reloaded(page)
        await expect(page.get_by_text(LIVE)).to_be_visible()


async def test_the_work_queue_shows_a_newly_submitted_workflow_without_a_reload(platform, world):
    tenant = await world.factory.tenant(company_name="Viroin Storage SA")
    participant = await world.factory.account("tenant_admin", tenant)
    # every step done: only the submission is left to the participant
    workflow_id = await drive(
        platform.gql, tenant, participant.token, until="AWAITING_VALIDATION", role="GU"
    )
    ops = await world.factory.account("market_ops")
    async with web_page(platform.url) as web:
        page = web.page
        await sign_in(page, platform.url, ops.user.email, path="/console/work")
        await expect(page.get_by_text(QUEUE_LIVE)).to_be_visible()
        submission = page.get_by_role("link", name="Open Submission · Viroin Storage SA")
        await expect(page.get_by_role("table")).to_be_visible()
        await expect(submission).to_have_count(0)
        await stay_on_this_page(page)

        (await platform.gql(SUBMIT, {"id": workflow_id}, token=participant.token)).ok()

        await expect(submission).to_be_visible(timeout=LIVE_WITHIN_MS)
        await assert_not_reloaded(page)


async def test_where_websockets_are_blocked_the_page_polls_and_goes_live_once_they_pass(
    platform, world
):
    onboarding = await started_onboarding(platform, world, "Lesse Bio SA")
    ops = await world.factory.account("market_ops")
    proxy = {"blocks_websockets": True}

    async def through_the_proxy(socket: WebSocketRoute) -> None:
        if proxy["blocks_websockets"]:
            await socket.close(code=1008, reason="WebSockets are not allowed here")
        else:
            socket.connect_to_server()

    async with web_page(platform.url, timeout_ms=15_000) as web:
        page = web.page
        await page.context.route_web_socket(re.compile(r"/graphql$"), through_the_proxy)
        await sign_in(
            page, platform.url, ops.user.email, path=f"/console/workflows/{onboarding.workflow_id}"
        )
        await expect(page.get_by_text(POLLING)).to_be_visible()
        await stay_on_this_page(page)

        await onboarding.execute(platform, "company-info")
        # the next refresh (every 15 s) shows it
        await expect(shown(page, "Current step")).to_have_text("Contacts", timeout=20_000)
        await assert_not_reloaded(page)

        # the page tries the live feed again every 30 s: live as soon as the proxy lets it be
        proxy["blocks_websockets"] = False
        await expect(page.get_by_text(LIVE)).to_be_visible(timeout=40_000)
        await onboarding.execute(platform, "contacts")
        await expect(shown(page, "Current step")).to_have_text(
            "Grid connection", timeout=LIVE_WITHIN_MS
        )
        await assert_not_reloaded(page)


async def test_live_updates_carry_on_over_the_access_tokens_refreshes(world):
    # tokens of 70 s: the app refreshes them a minute before they expire, every 10 s here
    settings = world.settings.model_copy(update={"access_token_ttl_seconds": 70})
    async with serve_web_app(settings, world.storage) as platform:
        onboarding = await started_onboarding(platform, world, "Amblève Flex SA")
        ops = await world.factory.account("market_ops")
        async with web_page(platform.url) as web:
            page = web.page
            sockets: list[WebSocket] = []

            def opened(socket: WebSocket) -> None:
                sockets.append(socket)

            page.on("websocket", opened)
            await sign_in(
                page,
                platform.url,
                ops.user.email,
                path=f"/console/workflows/{onboarding.workflow_id}",
            )
            await expect(page.get_by_text(LIVE)).to_be_visible()
            await stay_on_this_page(page)

            # a refreshed token: the socket of the old one closes, a new one opens with it
            await until(lambda: len(sockets) >= 2, seconds=20, what="a socket with the new token")
            await until(lambda: sockets[0].is_closed(), seconds=5, what="the old socket closed")

            await onboarding.execute(platform, "company-info")
            await expect(shown(page, "Current step")).to_have_text(
                "Contacts", timeout=LIVE_WITHIN_MS
            )
            await expect(page.get_by_text(LIVE)).to_be_visible()
            await assert_not_reloaded(page)


# -- the portal, and another tenant ----------------------------------------------------


async def test_a_participants_portal_page_updates_live_and_another_tenant_hears_nothing(
    platform, world
):
    ours = await started_onboarding(platform, world, "Hermeton Hydro SA")
    theirs = await started_onboarding(platform, world, "Molignée Solar SA")
    async with web_page(platform.url) as web_ours, web_page(platform.url) as web_theirs:
        page, other = web_ours.page, web_theirs.page
        heard: list[str] = []

        def listen(socket: WebSocket) -> None:
            socket.on("framereceived", lambda payload: heard.append(str(payload)))

        other.on("websocket", listen)
        await sign_in(
            other,
            platform.url,
            theirs.participant.user.email,
            path=f"/portal/workflows/{theirs.workflow_id}",
        )
        await expect(step_heading(other, "Company information")).to_be_visible()
        await expect(other.get_by_text(PORTAL_LIVE)).to_be_visible()

        await sign_in(
            page,
            platform.url,
            ours.participant.user.email,
            path=f"/portal/workflows/{ours.workflow_id}",
        )
        await expect(step_heading(page, "Company information")).to_be_visible()
        await expect(page.get_by_text(PORTAL_LIVE)).to_be_visible()
        await stay_on_this_page(page)
        theirs_before = await other.get_by_role("main").inner_text()
        heard_before = len(heard)

        # a colleague completes the first step from another session
        await ours.execute(platform, "company-info")

        await expect(step_heading(page, "Contacts")).to_be_visible(timeout=LIVE_WITHIN_MS)
        await assert_not_reloaded(page)
        await asyncio.sleep(1)  # what would have reached the other page has by now
        assert await other.get_by_role("main").inner_text() == theirs_before
        news = [frame for frame in heard[heard_before:] if '"next"' in frame]
        assert news == []
        assert all(ours.workflow_id not in frame for frame in heard)
        assert all(ours.tenant.company_name not in frame for frame in heard)
