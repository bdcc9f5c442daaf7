"""Debian's Chromium as Playwright launches it for the browser tests (`wfm_testing.browser`)
and the web console's benchmark (`wfm bench`, B5): one path, one set of flags.

Playwright's own browser download is never used (these machines have no internet):
`make install` installs /usr/bin/chromium (tools/testing/bin/install-debian-packages)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.async_api import Browser, Playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--no-sandbox",  # as root (the tests, the benchmark), Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# What to run when CHROMIUM is missing, for the messages that say so
INSTALL_CHROMIUM = (
    "run `make install` (tools/testing/bin/install-debian-packages), "
    "or as root `apt-get install -y chromium`"
)


async def launch_chromium(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless, with the flags above."""
    return await playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_ARGS)
    )
