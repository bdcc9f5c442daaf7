"""A second factor in the web app, in Debian's Chromium against the real API: a
market-operations user who must have one (WFM_MFA_REQUIRED_FOR_MARKET_OPS) and has none
enrols an authenticator app while signing in (the secret read from the page, its codes
computed as the app would), stores the recovery codes, and lands on the work queue; signs
in again later with password and code; and turns the factor off on the Security page.

TOTP codes are single-use per 30-second step, and the API takes the step just after the
current one too (clocks drift): each sign-in uses the next unused step, waiting for the
clock only when that step is two ahead."""

from __future__ import annotations

import asyncio
import re
import time

import pyotp
import pytest
from playwright.async_api import Page, expect

from wfm_testing.factories import TEST_PASSWORD
from wfm_testing.web import SIGN_IN_PAGE, screenshot, serve_web_app, sign_out, web_page

STEP_SECONDS = 30


@pytest.fixture(scope="module")
def world(isolated_world):
    """A database of the module's own, with the API requiring market operations to enrol."""
    return isolated_world


@pytest.fixture(scope="module")
async def platform(world):
    settings = world.settings.model_copy(update={"mfa_required_for_market_ops": True})
    async with serve_web_app(settings, world.storage) as running:
        yield running


class Authenticator:
    """What an authenticator app computes from the secret, one unused step at a time."""

    def __init__(self, secret: str) -> None:
        self.totp = pyotp.TOTP(secret)
        self.last_step: int | None = None

    @staticmethod
    def current_step() -> int:
        return int(time.time()) // STEP_SECONDS

    async def next_code(self) -> str:
        """A code of a step after every one used, that the API takes now (the current step,
        or the one after it): waits for the clock when needed."""
        step = self.current_step() if self.last_step is None else self.last_step + 1
        # the step before `step` begins at (step - 1) * 30 s; a little later against rounding
        await asyncio.sleep(max(0.0, (step - 1) * STEP_SECONDS - time.time() + 0.2))
        self.last_step = step
        return self.totp.at(step * STEP_SECONDS)

    def wrong_code(self) -> str:
        """A code of no step around now."""
        now = self.current_step()
        taken = {self.totp.at(s * STEP_SECONDS) for s in range(now - 2, now + 3)}
        return next(c for c in (f"{n:06d}" for n in range(123456, 999999, 7)) if c not in taken)


async def enter_password(page: Page, base_url: str, email: str, password: str) -> None:
    await page.goto(f"{base_url}/")
    await expect(page).to_have_url(SIGN_IN_PAGE)
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()


async def test_market_ops_enrol_while_signing_in_then_sign_in_with_a_code_and_turn_it_off(
    platform, world
):
    ops = await world.factory.account("market_ops", display_name="Maxime Mertens")
    password = TEST_PASSWORD
    async with web_page(platform.url) as web:
        page = web.page
        await enter_password(page, platform.url, ops.user.email, password)

        # no session yet: a secret to scan, drawn in the page, and the same as text
        await expect(page.get_by_role("heading", name="Add an authenticator app")).to_be_visible()
        await expect(
            page.get_by_role("img", name="QR code of your authenticator secret")
        ).to_be_visible()
        # printed in groups of four, as apps print it; apps ignore the spaces
        secret = (await page.get_by_label("Secret", exact=True).inner_text()).replace(" ", "")
        await screenshot(page, "mfa-enrolment")
        app = Authenticator(secret)

        # a wrong code is refused at its field
        code_field = page.get_by_label("Code from the app")
        await code_field.fill(app.wrong_code())
        await page.get_by_role("button", name="Turn the second factor on").click()
        await expect(code_field).to_have_attribute("aria-invalid", "true")
        await expect(page.get_by_text("This code is wrong or has expired")).to_be_visible()

        await code_field.fill(await app.next_code())
        await page.get_by_role("button", name="Turn the second factor on").click()

        # the recovery codes, shown once, must be acknowledged as stored
        codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem")
        await expect(codes).to_have_count(10)
        recovery_codes = [text.strip() for text in await codes.all_inner_texts()]
        assert all(re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{4}){3}", code) for code in recovery_codes)
        await screenshot(page, "mfa-recovery-codes")
        proceed = page.get_by_role("button", name="Continue")
        await expect(proceed).to_be_disabled()
        await page.get_by_role("checkbox", name="I have stored my recovery codes").check()
        await proceed.click()

        # signed in again with the password kept for that moment, now with a fresh code
        await expect(
            page.get_by_role("heading", name="Sign in with your second factor")
        ).to_be_visible()
        await page.get_by_label("Code", exact=True).fill(await app.next_code())
        await page.get_by_role("button", name="Verify").click()
        await expect(page).to_have_url(f"{platform.url}/console/work")
        await expect(page.get_by_role("heading", level=1, name="Work queue")).to_be_visible()
        await sign_out(page)

        # a later sign-in: password, then the app's code
        await enter_password(page, platform.url, ops.user.email, password)
        await expect(page.get_by_role("heading", name="Second factor")).to_be_visible()
        await page.get_by_label("Code", exact=True).fill(await app.next_code())
        await page.get_by_role("button", name="Verify").click()
        await expect(page).to_have_url(f"{platform.url}/console/work")

        # the Security page, from the user's name in the header: off with a recovery code
        await page.get_by_role("banner").get_by_role("link", name="Maxime Mertens").click()
        await expect(page).to_have_url(f"{platform.url}/account/security")
        await expect(page.get_by_role("heading", level=1, name="Security")).to_be_visible()
        await page.get_by_label("Code", exact=True).fill(recovery_codes[0])
        await page.get_by_role("button", name="Turn off").click()
        await expect(page.get_by_role("status")).to_have_text(
            "No second factor is on: signing in asks for your password alone."
        )
        await sign_out(page)

        # off: market operations are asked to enrol again
        await enter_password(page, platform.url, ops.user.email, password)
        await expect(page.get_by_role("heading", name="Add an authenticator app")).to_be_visible()
