"""Debian's Chromium driven by Playwright, with no way out: a page that may reach one local
server and nothing else, and that remembers what it tried to reach elsewhere. Chromium is
launched as `wfm_devkit.chromium` says (the benchmark launches it the same way)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import anyio
from playwright.async_api import Page, Route, async_playwright

from wfm_devkit.chromium import CHROMIUM, INSTALL_CHROMIUM, launch_chromium

# Every refusal of the page's Content-Security-Policy, as the page's scripts see it
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(`${event.violatedDirective} refused ${event.blockedURI}`);
});
"""


class BrowserUnavailable(RuntimeError):
    """Chromium is not installed; the message says how to install it."""


@dataclass
class OfflinePage:
    page: Page
    origin: str
    # every request for another origin, aborted before it left the browser
    blocked: list[str] = field(default_factory=list)
    # uncaught exceptions in the page's scripts
    errors: list[str] = field(default_factory=list)
    # what the page's Content-Security-Policy refused (events and console reports)
    csp_violations: list[str] = field(default_factory=list)


@contextlib.asynccontextmanager
async def offline_page(
    base_url: str, *, timeout_ms: float = 10_000, also: Sequence[str] = ()
) -> AsyncIterator[OfflinePage]:
    """A headless Chromium page that reaches `base_url`'s origin only (and the origins of the
    URLs in `also`: an API hosted apart from its web app)."""
    if not await anyio.Path(CHROMIUM).exists():
        raise BrowserUnavailable(
            f"the browser tests need Debian's chromium at {CHROMIUM}: {INSTALL_CHROMIUM}"
        )
    allowed = urlsplit(base_url)
    reachable = {(url.scheme, url.netloc) for url in map(urlsplit, [base_url, *also])}
    async with async_playwright() as playwright:
        browser = await launch_chromium(playwright)
        try:
            # a service worker's requests would bypass the routing below
            context = await browser.new_context(
                viewport={"width": 1280, "height": 800},
                service_workers="block",
                permissions=["clipboard-read", "clipboard-write"],  # tests paste as people do
            )
            context.set_default_timeout(timeout_ms)
            page = await context.new_page()
            offline = OfflinePage(page, f"{allowed.scheme}://{allowed.netloc}")

            async def only_local(route: Route) -> None:
                target = urlsplit(route.request.url)
                if (target.scheme, target.netloc) in reachable:
                    await route.continue_()
                else:
                    offline.blocked.append(route.request.url)
                    await route.abort("internetdisconnected")

            await context.route("**/*", only_local)
            page.on("pageerror", lambda error: offline.errors.append(str(error)))

            def csp_violation(report: str) -> None:
                offline.csp_violations.append(report)

            await page.expose_function("reportCspViolation", csp_violation)
            await page.add_init_script(CSP_LISTENER)
            page.on(
                "console",
                lambda message: (
                    offline.csp_violations.append(message.text)
                    if "Content Security Policy" in message.text
                    else None
                ),
            )
            yield offline
        finally:
            await browser.close()
