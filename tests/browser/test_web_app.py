"""The web app in Debian's Chromium against the real API, a worker beside it, on the embedded
servers: signing in and out, the language, one tenant's workflow out of another's reach, a
participant's onboarding from the portal's start page to two market-ops users' approval (four
eyes), and a rejection corrected: every step form filled in the portal as a person does.

The pages are driven as people use them: by role, label and visible text (English unless
a test switches). Screens the README shows are saved into docs/screenshots/."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.async_api import Page, expect

from wfm_testing.factories import TEST_PASSWORD, ean18
from wfm_testing.onboarding import EXECUTE, START, drive, step_data
from wfm_testing.web import (
    SIGN_IN_PAGE,
    screenshot,
    serve_web_app,
    sign_in,
    sign_out,
    web_page,
)

# What the app shows for a workflow that does not exist, or that the user may not see
NOT_FOUND = re.compile(r"not found|does not exist", re.IGNORECASE)
CREATE_GU = """
mutation { createWorkflow(marketRole: GU, templateKey: "contract-onboarding") { id } }"""


@pytest.fixture(scope="module")
def world(isolated_world):
    """A database of the module's own: the worker beside the API sees no other test's jobs."""
    return isolated_world


@pytest.fixture(scope="module")
async def platform(world):
    async with serve_web_app(world.settings, world.storage) as running:
        yield running


def heading(page: Page, name: str):
    return page.get_by_role("heading", level=1, name=name)


def main_nav(page: Page):
    return page.get_by_role("navigation").first


# -- signing in and out ---------------------------------------------------------------


async def test_market_ops_land_on_the_work_queue_stay_signed_in_on_reload_and_sign_out(
    platform, world
):
    ops = await world.factory.account("market_ops", display_name="Odile Lambert")
    async with web_page(platform.url) as web:
        page = web.page
        await sign_in(page, platform.url, ops.user.email)
        await expect(page).to_have_url(f"{platform.url}/console/work")
        await expect(heading(page, "Work queue")).to_be_visible()
        await expect(page.get_by_text("Odile Lambert")).to_be_visible()
        # the refresh token is out of the scripts' reach; the access token lives in memory
        assert await page.evaluate("document.cookie") == ""
        (cookie,) = await page.context.cookies()
        assert (cookie["name"], cookie["httpOnly"]) == ("wfm_refresh", True)

        # so a reload signs in again with the cookie
        await page.reload()
        await expect(page).to_have_url(f"{platform.url}/console/work")
        await expect(heading(page, "Work queue")).to_be_visible()
        await expect(main_nav(page).get_by_role("link", name="Templates")).to_be_visible()

        await sign_out(page)
        await page.goto(f"{platform.url}/console/templates")
        await expect(page).to_have_url(SIGN_IN_PAGE)  # the sign-out ended the session
        assert await page.context.cookies() == []

        # signing in again goes back to where the person was heading
        await page.get_by_label("E-mail").fill(ops.user.email)
        await page.get_by_label("Password").fill(TEST_PASSWORD)
        await page.get_by_role("button", name="Sign in").click()
        await expect(page).to_have_url(f"{platform.url}/console/templates")


async def test_a_wrong_password_is_refused_on_the_sign_in_page(platform, world):
    admin = await world.factory.account("tenant_admin", await world.factory.tenant())
    async with web_page(platform.url) as web:
        page = web.page
        await page.goto(f"{platform.url}/login")
        await page.get_by_label("E-mail").fill(admin.user.email)
        await page.get_by_label("Password").fill("not the password")
        await page.get_by_role("button", name="Sign in").click()
        await expect(page.get_by_role("alert")).to_have_text(
            "The e-mail address or the password is wrong."
        )
        await expect(page).to_have_url(SIGN_IN_PAGE)


async def test_a_tenant_admin_lands_on_the_portal_with_the_users_screen(platform, world):
    tenant = await world.factory.tenant(company_name="Ardennes Energie SA")
    admin = await world.factory.account("tenant_admin", tenant)
    async with web_page(platform.url) as web:
        page = web.page
        await sign_in(page, platform.url, admin.user.email)
        await expect(page).to_have_url(f"{platform.url}/portal")
        await expect(heading(page, "My workflows")).to_be_visible()
        # the header names the participant's company
        await expect(page.get_by_role("banner").get_by_text("Ardennes Energie SA")).to_be_visible()
        nav = main_nav(page)
        for screen in ("My workflows", "Start", "Users", "Notifications"):
            await expect(nav.get_by_role("link", name=screen, exact=True)).to_be_visible()
        await expect(nav.get_by_role("link", name="Work queue")).to_have_count(0)

        await page.reload()
        await expect(heading(page, "My workflows")).to_be_visible()


async def test_a_tenant_user_opening_the_console_is_sent_to_the_portal(platform, world):
    user = await world.factory.account("tenant_user", await world.factory.tenant())
    async with web_page(platform.url) as web:
        page = web.page
        await sign_in(page, platform.url, user.user.email, path="/console/tenants")
        await expect(page).to_have_url(f"{platform.url}/portal")
        await expect(heading(page, "My workflows")).to_be_visible()
        await expect(main_nav(page).get_by_role("link", name="Users")).to_have_count(0)

        await page.goto(f"{platform.url}/console/work")
        await expect(page).to_have_url(f"{platform.url}/portal")


# -- the language ----------------------------------------------------------------------


async def test_the_language_switch_changes_the_navigation_and_the_headings(platform, world):
    ops = await world.factory.account("market_ops")
    async with web_page(platform.url) as web:
        page = web.page
        await sign_in(page, platform.url, ops.user.email)
        await expect(heading(page, "Work queue")).to_be_visible()

        await page.get_by_role("combobox", name="Language").select_option(label="Français")
        await expect(heading(page, "File de travail")).to_be_visible()
        nav = main_nav(page)
        for screen in ("File de travail", "Participants", "Modèles", "Exploitation"):
            await expect(nav.get_by_role("link", name=screen)).to_be_visible()
        await expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
        await expect(page.locator("html")).to_have_attribute("lang", "fr")

        await page.get_by_role("combobox", name="Langue").select_option(label="Nederlands")
        await expect(heading(page, "Werkvoorraad")).to_be_visible()
        for screen in ("Werkvoorraad", "Deelnemers", "Sjablonen", "Beheer"):
            await expect(nav.get_by_role("link", name=screen)).to_be_visible()
        await expect(page.locator("html")).to_have_attribute("lang", "nl")

        await nav.get_by_role("link", name="Sjablonen").click()
        await expect(heading(page, "Sjablonen")).to_be_visible()


async def test_a_french_speaking_user_sees_the_app_in_french_after_signing_in(platform, world):
    tenant = await world.factory.tenant()
    user = await world.factory.account("tenant_admin", tenant, locale="fr")
    async with web_page(platform.url) as web:
        page = web.page
        await sign_in(page, platform.url, user.user.email)  # the page is English until then
        await expect(heading(page, "Mes workflows")).to_be_visible()
        nav = main_nav(page)
        for screen in ("Mes workflows", "Démarrer", "Utilisateurs"):
            await expect(nav.get_by_role("link", name=screen, exact=True)).to_be_visible()
        await expect(page.locator("html")).to_have_attribute("lang", "fr")

        await page.reload()  # the user's locale, not a choice kept in this browser
        await expect(heading(page, "Mes workflows")).to_be_visible()
        await sign_out(page, label="Se déconnecter")


# -- tenant isolation --------------------------------------------------------------------


async def test_another_tenants_workflow_url_shows_not_found_like_an_unknown_one(platform, world):
    tenant_a = await world.factory.tenant(company_name="Hainaut Wind SA")
    admin_a = await world.factory.account("tenant_admin", tenant_a)
    created = (await platform.gql(CREATE_GU, token=admin_a.token)).ok()
    workflow_a = created["createWorkflow"]["id"]
    (await platform.gql(START, {"id": workflow_a}, token=admin_a.token)).ok()
    company = step_data(tenant_a, role="GU")["company-info"]
    executed = {"id": workflow_a, "step": "company-info", "data": company}
    (await platform.gql(EXECUTE, executed, token=admin_a.token)).ok()
    secrets_of_a = [tenant_a.company_name, tenant_a.vat_number, company["address"]["street"]]

    admin_b = await world.factory.account("tenant_admin", await world.factory.tenant())
    unknown = str(uuid.uuid4())
    async with web_page(platform.url) as web:
        page = web.page
        await sign_in(page, platform.url, admin_b.user.email)

        async def portal_page_of(workflow_id: str) -> str:
            await page.goto(f"{platform.url}/portal/workflows/{workflow_id}")
            main = page.get_by_role("main")
            await expect(main.get_by_text(NOT_FOUND).first).to_be_visible()
            return (await main.inner_text()).replace(workflow_id, "<id>")

        assert await portal_page_of(workflow_a) == await portal_page_of(unknown)
        await screenshot(page, "portal-not-found")
        whole_page = await page.content()
        for secret in secrets_of_a:
            assert secret not in whole_page

        # the console is not theirs at all: the portal, still without A's workflow
        await page.goto(f"{platform.url}/console/workflows/{workflow_a}")
        await expect(page).to_have_url(f"{platform.url}/portal")
        await expect(heading(page, "My workflows")).to_be_visible()
        await page.wait_for_load_state("networkidle")
        whole_page = await page.content()
        for secret in [*secrets_of_a, workflow_a]:
            assert secret not in whole_page


# -- an onboarding, from the participant's first form to market operations' approval -----


async def open_from_the_work_queue(page: Page, step: str, company: str) -> None:
    """Market operations find the workflow's waiting step in their queue and open it."""
    await page.get_by_role("navigation").first.get_by_role("link", name="Work queue").click()
    await page.get_by_role("link", name=f"Open {step} · {company}").click()
    await expect(page).to_have_url(re.compile(r"/console/workflows/[0-9a-f-]{36}$"))


async def approve(page: Page, comment: str) -> None:
    await page.get_by_role("button", name="Approve…").click()
    await page.get_by_label("Comment (optional)").fill(comment)
    await page.get_by_role("button", name="Approve", exact=True).click()


def step_heading(page: Page, title: str):
    return page.get_by_role("heading", level=2, name=title, exact=True)


def field(page: Page, label: str):
    """A form field by its label (an asterisk marks the required ones)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}\*?$"))


def status_of(page: Page, status: str):
    """The workflow's status where its page shows it."""
    return page.get_by_role("main").get_by_text(status, exact=True).first


COMPANY = "Lesse Hydro SA"


async def test_a_participant_starts_an_onboarding_that_two_market_ops_users_must_approve(
    platform, world
):
    tenant = await world.factory.tenant(company_name=COMPANY)
    participant = await world.factory.account("tenant_admin", tenant, display_name="Lea Peeters")
    reviewer = await world.factory.account("market_ops", display_name="Rik Janssens")
    approver = await world.factory.account("market_ops", display_name="Anne Dubois")
    ean = ean18(41)

    async with web_page(platform.url, timeout_ms=15_000) as web:
        page = web.page
        await sign_in(page, platform.url, participant.user.email)
        await main_nav(page).get_by_role("link", name="Start", exact=True).click()
        await page.get_by_role("radio", name="Grid user (GU)").check()
        await page.get_by_role("radio", name="Contract onboarding — grid user (GU)").check()
        await page.get_by_role("button", name="Start the onboarding").click()
        await expect(page).to_have_url(re.compile(r"/portal/workflows/[0-9a-f-]{36}$"))
        workflow_id = page.url.rsplit("/", 1)[1]
        workflow_url = page.url

        # the step forms, drawn from each step's JSON Schema, filled in as a person does
        await expect(step_heading(page, "Company information")).to_be_visible()
        await field(page, "Company name").fill(tenant.company_name)
        # saved as a draft on the API: a reload finds it again
        await page.get_by_role("button", name="Save", exact=True).click()
        await expect(page.get_by_text(re.compile(r"^Saved .* by Lea Peeters"))).to_be_visible()
        await page.reload()
        await expect(field(page, "Company name")).to_have_value(tenant.company_name)
        await field(page, "VAT number").fill(tenant.vat_number)
        await field(page, "Street and number").fill("Rue de la Loi 16")
        await field(page, "Postal code").fill("1000")
        await field(page, "City").fill("Brussels")
        await field(page, "Country").select_option(label="Belgium")
        await screenshot(page, "portal-step-form")
        await page.get_by_role("button", name="Continue").click()

        await expect(step_heading(page, "Contacts")).to_be_visible()
        await field(page, "Name").fill("Lea Peeters")
        await field(page, "E-mail").fill("lea@lesse-hydro.example")
        await field(page, "Role").select_option(label="Primary")
        await page.get_by_role("button", name="Continue").click()

        await expect(step_heading(page, "Grid connection")).to_be_visible()
        await field(page, "EAN (GSRN)").fill(ean)
        await field(page, "Substation").fill("Villers")
        await field(page, "Voltage (kV)").select_option("36")
        await field(page, "Contracted capacity (MVA)").fill("40")
        await page.get_by_role("button", name="Continue").click()

        # 30 MW: a large connection, reviewed by market operations' engineers first
        await expect(step_heading(page, "Portfolio")).to_be_visible()
        await field(page, "EAN (GSRN)").fill(ean)
        await field(page, "Name").fill("Turbine hall")
        await field(page, "Direction").select_option(label="Injection")
        await field(page, "Capacity (kW)").fill("30000")
        await page.get_by_role("button", name="Continue").click()
        await expect(page.get_by_text("This step waits for market operations.")).to_be_visible()
        await sign_out(page)

        # the first market operations user reviews the connection, from the work queue
        await sign_in(page, platform.url, reviewer.user.email)
        await expect(
            page.get_by_role("link", name=f"Open Technical review · {COMPANY}")
        ).to_be_visible()
        await screenshot(page, "work-queue")
        await open_from_the_work_queue(page, "Technical review", COMPANY)
        assert page.url.endswith(workflow_id)
        await page.get_by_label("decision", exact=True).select_option("approve")
        await page.get_by_label("comment", exact=True).fill("36 kV bay available at Villers")
        await page.get_by_role("button", name="Complete this step").click()
        await expect(status_of(page, "Awaiting validation")).to_be_visible()
        await sign_out(page)

        # the participant checks the application and submits it
        await sign_in(page, platform.url, participant.user.email)
        await page.goto(workflow_url)
        await page.get_by_role("button", name="Check the application").click()
        await expect(page.get_by_text("Everything is complete: you can submit.")).to_be_visible()
        await page.get_by_role("button", name="Submit", exact=True).click()
        await expect(
            page.get_by_text("Submitted: market operations review your application.")
        ).to_be_visible()
        await sign_out(page)

        # four eyes: the reviewer may not approve what they prepared ...
        await sign_in(page, platform.url, reviewer.user.email)
        await open_from_the_work_queue(page, "Submission", COMPANY)
        await approve(page, "approved")
        await expect(page.get_by_role("alert")).to_contain_text(
            "the same person cannot both prepare and approve"
        )
        await expect(status_of(page, "Submitted")).to_be_visible()
        await screenshot(page, "four-eyes-refusal")
        await sign_out(page)

        # ... a second market operations user does
        await sign_in(page, platform.url, approver.user.email)
        await open_from_the_work_queue(page, "Submission", COMPANY)
        await approve(page, "Welcome to the grid")
        await expect(status_of(page, "Completed")).to_be_visible()
        timeline = page.get_by_role("region", name="Timeline")
        await expect(timeline.get_by_role("cell", name="Approved", exact=True)).to_be_visible()
        await expect(timeline.get_by_role("cell", name="Gate failed", exact=True)).to_be_visible()
        await expect(timeline.get_by_role("cell", name="Anne Dubois").last).to_be_visible()
        await screenshot(page, "workflow-detail")

        await main_nav(page).get_by_role("link", name="Workflows").click()
        # the list's own link (the detail just left links the tenant's name too)
        await expect(
            page.get_by_role("link", name=f"Open the contract-onboarding workflow of {COMPANY}")
        ).to_be_visible()
        await screenshot(page, "workflows")
        await main_nav(page).get_by_role("link", name="Tenants").click()
        await expect(page.get_by_role("link", name=COMPANY)).to_be_visible()
        await screenshot(page, "tenants")
        await page.goto(f"{platform.url}/console/templates/contract-onboarding?version=1&role=GU")
        await expect(page.get_by_text("Technical review").first).to_be_visible()
        await screenshot(page, "template-graph")
        await sign_out(page)

        # the participant sees it done
        await sign_in(page, platform.url, participant.user.email)
        await expect(page.get_by_role("main").get_by_text("Completed").first).to_be_visible()
        await screenshot(page, "portal-my-workflows")


async def test_a_rejection_reaches_the_participant_who_corrects_the_step_and_resubmits(
    platform, world
):
    tenant = await world.factory.tenant(company_name="Ourthe Solar SA")
    participant = await world.factory.account("tenant_admin", tenant)
    ops = await world.factory.account("market_ops")
    # submitted through the API: the first test takes an onboarding there in the browser
    workflow_id = await drive(platform.gql, tenant, participant.token, until="SUBMITTED", role="GU")
    reason = "The substation is Villers-la-Ville, not Villers: correct the grid connection."

    async with web_page(platform.url, timeout_ms=15_000) as web:
        page = web.page
        await sign_in(page, platform.url, ops.user.email)
        await open_from_the_work_queue(page, "Submission", "Ourthe Solar SA")
        await page.get_by_role("button", name="Reject…").click()
        await page.get_by_role("button", name="Reject", exact=True).click()
        await expect(page.get_by_text("Give a reason.")).to_be_visible()  # nothing was sent
        await page.get_by_label("Reason").fill(reason)
        await page.get_by_label("Send back to step").select_option(label="Grid connection")
        await page.get_by_role("button", name="Reject", exact=True).click()
        await expect(status_of(page, "In progress")).to_be_visible()
        await sign_out(page)

        # the participant reads why, and finds the step open with what they had sent
        await sign_in(page, platform.url, participant.user.email)
        await expect(page.get_by_text("Rejected: correct “Grid connection”")).to_be_visible()
        await expect(page.get_by_text(f"Reason: {reason}")).to_be_visible()
        await screenshot(page, "portal-rejected")
        await page.goto(f"{platform.url}/portal/workflows/{workflow_id}")
        await expect(page.get_by_text(reason)).to_be_visible()
        await expect(step_heading(page, "Grid connection")).to_be_visible()
        await expect(field(page, "Substation").first).to_have_value("Villers")

        # the participant corrects the substation in the form and sends it again
        await field(page, "Substation").first.fill("Villers-la-Ville")
        await page.get_by_role("button", name="Continue").click()
        # the portfolio after it reopened too, with its data: confirmed as it was
        await expect(step_heading(page, "Portfolio")).to_be_visible()
        await expect(field(page, "EAN (GSRN)").first).not_to_have_value("")
        await page.get_by_role("button", name="Continue").click()
        await page.get_by_role("button", name="Check the application").click()
        await expect(page.get_by_text("Everything is complete: you can submit.")).to_be_visible()
        await page.get_by_role("button", name="Submit", exact=True).click()
        await expect(
            page.get_by_text("Submitted: market operations review your application.")
        ).to_be_visible()
        await sign_out(page)

        await sign_in(page, platform.url, ops.user.email)
        await open_from_the_work_queue(page, "Submission", "Ourthe Solar SA")
        await expect(page.get_by_text("Villers-la-Ville").first).to_be_visible()
        await approve(page, "Corrected: welcome")
        await expect(status_of(page, "Completed")).to_be_visible()
