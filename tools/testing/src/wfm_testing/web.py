"""The web app (apps/web) in Debian's Chromium, as people use it: the API serving the built
app on loopback, a worker beside it in the same event loop (system steps, notifications,
projections' follow-ups), and a page that reaches nothing else.

    async with serve_web_app(settings, storage) as platform, web_page(platform.url) as web:
        await sign_in(web.page, platform.url, account.user.email)
        await screenshot(web.page, "work-queue")

The app is built by `make install` (or `cd apps/web && npm run build`); without a build
the tests fail at once with `WebAppNotBuilt`, saying so."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
from playwright.async_api import Page, expect

from wfm_devkit.accounts import TEST_PASSWORD
from wfm_shared.settings import Settings
from wfm_storage.bootstrap import Storage
from wfm_testing.browser import OfflinePage, offline_page
from wfm_testing.graphql import GraphQLClient
from wfm_testing.peers import serve_asgi

if TYPE_CHECKING:
    from wfm_worker.worker import Worker

REPOSITORY = Path(__file__).resolve().parents[4]
# The README shows these: each run overwrites them with what the screens look like now
SCREENSHOTS = REPOSITORY / "docs" / "screenshots"
# Not in the repository (.wfm is ignored): for whoever reads a failure
FAILURES = REPOSITORY / ".wfm" / "browser-failures"
SIGN_IN_PAGE = re.compile(r"/login(\?.*)?$")


class WebAppNotBuilt(RuntimeError):
    """The API has no built web app to serve; the message says how to build it."""


def require_built_web_app(directory: Path | None = None) -> Path:
    """The folder of the built app the API serves, or WebAppNotBuilt."""
    from wfm_api.web import BUILD_DIR

    built = directory or BUILD_DIR
    if not (built / "index.html").is_file():
        raise WebAppNotBuilt(
            f"the web app is not built in {built}: run `make install` "
            "(or `cd apps/web && npm run build`), then run the browser tests again"
        )
    return built


@dataclass
class RunningPlatform:
    """The API (serving the web app) and a worker, on the databases of `settings`."""

    url: str
    # the same API over HTTP, to arrange data as another client would
    gql: GraphQLClient
    worker: Worker


def browser_settings(settings: Settings) -> Settings:
    # every sign-in of the tests' browser comes from 127.0.0.1: no throttling of the address
    return settings.model_copy(
        update={"login_max_attempts_per_address": 1000, "worker_metrics_port": 0}
    )


@contextlib.asynccontextmanager
async def serve_web_app(settings: Settings, storage: Storage) -> AsyncIterator[RunningPlatform]:
    """The API on 127.0.0.1 (a free port) serving the built web app, and a worker running
    the jobs its commands enqueue, both in this event loop; stopped on exit."""
    from wfm_api.app import create_app
    from wfm_worker.worker import Worker

    require_built_web_app()
    settings = browser_settings(settings)
    worker = Worker(settings, storage=storage)
    await worker.start()
    working = asyncio.create_task(worker.run())
    try:
        async with (
            serve_asgi(create_app(settings, storage=storage)) as url,
            httpx.AsyncClient(base_url=url, timeout=30) as http,
        ):
            yield RunningPlatform(url, GraphQLClient(http), worker)
    finally:
        worker.stop()
        await working
        await worker.close()


def assert_page_was_clean(browser: OfflinePage) -> None:
    """Nothing went wrong in the page that a person would not see on screen."""
    assert browser.errors == [], "uncaught errors in the page's scripts"
    assert browser.csp_violations == [], "the page's own policy refused part of it"
    assert browser.blocked == [], "the page asked another host for something"


@contextlib.asynccontextmanager
async def web_page(
    base_url: str, *, timeout_ms: float = 10_000, also: Sequence[str] = ()
) -> AsyncIterator[OfflinePage]:
    """A page of Debian's Chromium that reaches `base_url` alone (and `also`'s origins); when
    the test's body passed, the page must have had no uncaught error, no CSP refusal and no
    outside call."""
    async with offline_page(base_url, timeout_ms=timeout_ms, also=also) as browser:
        expect.set_options(timeout=timeout_ms)
        try:
            yield browser
        except Exception:
            await keep_failure(browser.page)
            raise
        assert_page_was_clean(browser)


async def keep_failure(page: Page) -> None:
    """What the page showed when its test failed: .wfm/browser-failures/<test>.png."""
    test = os.environ.get("PYTEST_CURRENT_TEST", "browser").split(" ")[0]
    path = FAILURES / (re.sub(r"[^A-Za-z0-9_.-]+", "_", test) + ".png")
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(Exception):  # the page may be gone with what failed
        await page.screenshot(path=path, full_page=True)


async def sign_in(
    page: Page, base_url: str, email: str, *, password: str = TEST_PASSWORD, path: str = "/"
) -> None:
    """Open `path` and sign in through the form, as a person does (in English: the browser's
    language before sign-in); returns when the signed-in shell shows, in the user's language."""
    await page.goto(f"{base_url}{path}")
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).not_to_have_url(SIGN_IN_PAGE)
    await expect(page.get_by_role("navigation").first).to_be_visible()


async def sign_out(page: Page, *, label: str = "Sign out") -> None:
    """Sign out with the header's button (`label` in the app's current language); returns on
    the sign-in page."""
    await page.get_by_role("button", name=label).click()
    await expect(page).to_have_url(SIGN_IN_PAGE)


async def screenshot(page: Page, name: str) -> Path:
    """Save what the page shows (the whole page) as docs/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=path, full_page=True, animations="disabled")
    return path
