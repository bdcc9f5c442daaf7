"""B5: the console's workflow list in Debian's Chromium, as market operations open it.

A sample is timed by the page's own clock, from the navigation's start (or the click) until
the first row of the list's table is visible, checked on every frame (and then found by
role, as the browser tests find it): the page, the bundle, the session's refresh by its
cookie, the screen's chunk, its GraphQL query and the render. Three ways in:

- a full load with the bundle in the browser's cache (someone opening the URL again);
- a full load with an empty cache, in a new browser context that carries only the session
  cookie (someone's first visit);
- a click on "Workflows" in the navigation, from the work queue (where a sign-in lands).

Playwright drives Debian's Chromium as the browser tests do (`wfm_devkit.chromium`: its path
and launch flags). Nothing routes the page's requests: Playwright's routing turns the HTTP
cache off and adds a hop to every request, which would be measured too."""

from __future__ import annotations

import statistics
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from wfm_cli.bench.measure import BenchError, percentiles
from wfm_devkit.chromium import CHROMIUM, INSTALL_CHROMIUM, launch_chromium

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext, Locator, Page, Request

LIST_PATH = "/console/workflows"
HOME_PATH = "/console/work"  # where market operations land after signing in
LIST_OPERATION = "ConsoleWorkflowList"
TIMEOUT_MS = 60_000
# Checked on every frame in the page: the time (the page's clock) the first row of a table
# that holds a link, and that was not on screen before the sample, is visible. Polled by
# Playwright instead, the time would be that of a poll, up to 500 ms late. (Marked rows: the
# work queue's stay on screen while the list's screen loads.)
NEW_ROW_SHOWN = """() => {
  for (const row of document.querySelectorAll("table tr")) {
    if (!row.hasAttribute("data-bench-before") && row.querySelector("a[href]") !== null
        && row.checkVisibility()) return performance.now();
  }
  return null;
}"""
MARK_ROWS = """() => {
  for (const row of document.querySelectorAll("table tr")) row.setAttribute("data-bench-before", "");
  return performance.now();
}"""


class WebConsoleUnavailable(BenchError):
    """Chromium or Playwright is missing; the message says what to run."""


def require_browser() -> None:
    """Chromium and Playwright are installed, or WebConsoleUnavailable says how to get them."""
    if not CHROMIUM.is_file():
        raise WebConsoleUnavailable(
            f"B5 drives Debian's Chromium at {CHROMIUM}, which is missing: {INSTALL_CHROMIUM}"
        )
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        raise WebConsoleUnavailable(
            "B5 drives Chromium with Playwright, a development tool this installation lacks: "
            "run `make install`"
        ) from None


def is_list_query(request: Request) -> bool:
    """The list's query, as the page sends it (urql names the operation in the body)."""
    if request.method != "POST" or not request.url.endswith("/graphql"):
        return False
    body = request.post_data_json
    return isinstance(body, dict) and body.get("operationName") == LIST_OPERATION


@dataclass(frozen=True)
class Sample:
    seconds: float  # from the navigation (or the click) to the first row on screen
    before_query_ms: float  # from then until the list's query left
    query_ms: float  # the query, from its request to its answer's last byte
    # the requests finished by then: what, when it left and how long it took (ms)
    waterfall: list[dict[str, Any]]


def _step(request: Request, origin_ms: float) -> dict[str, Any]:
    """A request of a sample: `POST /graphql ConsoleWorkflowList`, `GET /assets/...`."""
    what = f"{request.method} {urlsplit(request.url).path}"
    body = request.post_data_json if request.method == "POST" else None
    if isinstance(body, dict) and body.get("operationName"):
        what += f" {body['operationName']}"
    timing = request.timing
    return {
        "request": what,
        "start_ms": round(timing["startTime"] - origin_ms, 1),
        "ms": round(timing["responseEnd"], 1),
    }


@dataclass
class Console:
    """A signed-in market-operations user's browser on the API at `url`."""

    url: str
    browser: Browser
    context: BrowserContext
    page: Page
    errors: list[str] = field(default_factory=list)  # uncaught errors of the page's scripts
    # the body of the list's query as the page last sent it
    query: dict[str, Any] = field(default_factory=dict)
    # the requests the current sample's page finished
    finished: list[Request] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("requestfinished", lambda request: self.finished.append(request))

    def first_row(self) -> Locator:
        """The list's first workflow: a row of the table that holds a link to one."""
        rows = self.page.get_by_role("table").get_by_role("row")
        return rows.filter(has=self.page.get_by_role("link")).first

    async def timed(self, action: Callable[[], Awaitable[Any]], *, navigates: bool) -> Sample:
        """How long `action` takes to show the list's first row, by the page's own clock:
        from the navigation's start when `action` opens a page, else from the action."""
        finished = self.page.expect_event("requestfinished", is_list_query, timeout=TIMEOUT_MS)
        self.finished.clear()
        async with finished as query:
            started = 0.0 if navigates else float(await self.page.evaluate(MARK_ROWS))
            await action()
            shown = await self.page.wait_for_function(
                NEW_ROW_SHOWN, polling="raf", timeout=TIMEOUT_MS
            )
            seconds = (float(await shown.json_value()) - started) / 1000
        # the same row, as a person finds it: by role
        await self.first_row().wait_for(state="visible")
        request: Request = await query.value
        self.query = dict(request.post_data_json or {})
        origin = float(await self.page.evaluate("performance.timeOrigin"))
        timing = request.timing
        return Sample(
            seconds,
            timing["startTime"] - origin - started,
            timing["responseEnd"],
            [_step(r, origin + started) for r in self.finished],
        )

    async def full_load(self) -> Sample:
        """Open the list's URL in this tab, the bundle in the browser's cache."""
        await self.page.goto("about:blank")
        return await self.timed(
            lambda: self.page.goto(self.url + LIST_PATH, wait_until="commit"), navigates=True
        )

    async def first_visit(self) -> Sample:
        """Open the list's URL in a new context (no cache) holding the session's cookie only;
        the tab moves to it, so the next sample carries the cookie as rotated."""
        cookies = await self.context.cookies()
        context = await new_context(self.browser)
        # the same fields: a cookie read is a cookie to set
        await context.add_cookies(cookies)  # type: ignore[arg-type]
        page = await context.new_page()
        self.watch(page)
        await self.context.close()
        self.context, self.page = context, page
        return await self.timed(
            lambda: page.goto(self.url + LIST_PATH, wait_until="commit"), navigates=True
        )

    async def from_work_queue(self) -> Sample:
        """Click "Workflows" in the navigation, on the work queue (loaded and settled)."""
        await self.page.goto(self.url + HOME_PATH, wait_until="networkidle")
        navigation = self.page.get_by_role("navigation").first
        link = navigation.get_by_role("link", name="Workflows", exact=True)
        await link.wait_for(state="visible")
        return await self.timed(link.click, navigates=False)


async def new_context(browser: Browser) -> BrowserContext:
    # a service worker would answer from its own cache; the tests block them too
    context = await browser.new_context(
        viewport={"width": 1280, "height": 800}, service_workers="block"
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context


@asynccontextmanager
async def signed_in(url: str, email: str, password: str) -> AsyncIterator[Console]:
    """Chromium on the API at `url`, signed in through the sign-in page as a person does,
    on the list (where the sign-in page sends the person back to)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await launch_chromium(playwright)
        try:
            context = await new_context(browser)
            console = Console(url, browser, context, await context.new_page())
            console.watch(console.page)
            page = console.page
            await page.goto(url + LIST_PATH)
            await page.get_by_label("E-mail").fill(email)
            await page.get_by_label("Password").fill(password)
            await page.get_by_role("button", name="Sign in").click()
            await console.first_row().wait_for(state="visible")
            yield console
        finally:
            await browser.close()


def _summary(samples: list[Sample]) -> dict[str, Any]:
    """The samples' percentiles, and where the time went: until the list's query left (page,
    bundle, session, screen chunk), the query itself, and the median sample's requests."""
    median = sorted(samples, key=lambda s: s.seconds)[len(samples) // 2]
    return {
        **percentiles([s.seconds for s in samples]),
        "before_query_p50_ms": round(statistics.median(s.before_query_ms for s in samples), 1),
        "query_p50_ms": round(statistics.median(s.query_ms for s in samples), 1),
        "median_sample_requests": median.waterfall,
    }


async def first_page(
    url: str, email: str, password: str, *, samples: int, warmup: int = 1
) -> dict[str, Any]:
    """The list's first page, `samples` times each way in (after `warmup`), and the body of
    the list's query as the page sent it (to replay over HTTP)."""
    async with signed_in(url, email, password) as console:
        ways = {
            "full_load": console.full_load,
            "first_visit": console.first_visit,
            "in_app": console.from_work_queue,
        }
        measured: dict[str, Any] = {}
        for name, way in ways.items():
            for _ in range(warmup):
                await way()
            measured[name] = _summary([await way() for _ in range(samples)])
        body = console.query
        errors = list(console.errors)
    if errors:
        raise BenchError(f"the page's scripts failed: {errors[:2]}")
    return {**measured, "query": body}
