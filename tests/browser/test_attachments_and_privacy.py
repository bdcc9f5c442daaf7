"""Documents and privacy in the web app, in Debian's Chromium against the real API, a worker
and a clamd-protocol scanner beside it: a participant attaches the copy of its bank guarantee
to the BRP financial-guarantee step, the scanner clears it, and market operations download it
from the workflow's page; market operations export what is held about a contact, then erase
it, and the workflow's page shows `[erased]` where the contact's data was.

Driven as people do: by role, label and visible text. The attachments section and the data
subjects screen are saved into docs/screenshots/."""

from __future__ import annotations

import json
import re
from pathlib import Path

import anyio
import pytest
from playwright.async_api import Page, expect

from wfm_devkit.step_data import GUARANTEE_COPY, guarantee_copy
from wfm_testing.clamd import ClamdPeer
from wfm_testing.onboarding import CREATE, EXECUTE, START, step_data
from wfm_testing.web import SCREENSHOTS, screenshot, serve_web_app, sign_in, sign_out, web_page

BEFORE_THE_GUARANTEE = ("company-info", "contacts", "balancing-perimeter")


@pytest.fixture(scope="module")
def world(isolated_world):
    """A database of the module's own: the worker beside the API sees no other test's jobs."""
    return isolated_world


@pytest.fixture(scope="module")
async def scanner():
    async with ClamdPeer() as peer:
        yield peer


@pytest.fixture(scope="module")
async def platform(world, scanner):
    # uploads wait for the scanner's verdict (the worker's scan_file job) before download
    settings = world.settings.model_copy(update={"clamd_address": scanner.address})
    async with serve_web_app(settings, world.storage) as running:
        yield running


def field(page: Page, label: str):
    """A form field by its label (an asterisk marks the required ones)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}\*?$"))


async def brp_onboarding_at_the_guarantee(platform, tenant, token: str) -> str:
    """A BRP onboarding whose steps before the financial guarantee are done (over the API)."""
    workflow_id: str = (await platform.gql(CREATE, {"role": "BRP"}, token=token)).ok()[
        "createWorkflow"
    ]["id"]
    (await platform.gql(START, {"id": workflow_id}, token=token)).ok()
    book = step_data(tenant, role="BRP")
    for step in BEFORE_THE_GUARANTEE:
        executed = {"id": workflow_id, "step": step, "data": book[step]}
        (await platform.gql(EXECUTE, executed, token=token)).ok()
    return workflow_id


async def test_a_participant_attaches_the_guarantee_that_market_ops_download(
    platform, world, scanner, tmp_path: Path
):
    tenant = await world.factory.tenant(company_name="Famenne Balancing SA")
    participant = await world.factory.account("tenant_admin", tenant, display_name="Ines Lambot")
    ops = await world.factory.account("market_ops", display_name="Rik Janssens")
    workflow_id = await brp_onboarding_at_the_guarantee(platform, tenant, participant.token)
    copy = guarantee_copy()
    too_large = tmp_path / "scan-of-everything.pdf"
    too_large.write_bytes(b"%PDF-1.7\n" + b"0" * (12 * 1024 * 1024))

    async with web_page(platform.url, timeout_ms=15_000) as web:
        page = web.page
        await sign_in(page, platform.url, participant.user.email)
        await page.goto(f"{platform.url}/portal/workflows/{workflow_id}")
        await expect(
            page.get_by_role("heading", level=2, name="Financial guarantee")
        ).to_be_visible()
        await field(page, "Amount (EUR)").fill("75000")
        await field(page, "Name").first.fill("KBC Bank NV")
        await field(page, "BIC").fill("KREDBEBB")
        await field(page, "Valid until").fill("2028-12-31")
        await field(page, "Document reference").fill("KBC-GAR-2026-000001")
        await page.get_by_role("button", name="Add").click()
        await field(page, "Type").select_option(label="Bank guarantee")

        # the step takes PDFs of 10 MB at most: a larger one is refused before it is sent
        file_input = field(page, "File")
        await expect(file_input).to_have_attribute("accept", "application/pdf")
        await file_input.set_input_files(too_large)
        await expect(page.get_by_role("alert")).to_have_text(
            "scan-of-everything.pdf is 12 MB: this step accepts files of at most 10 MB."
        )
        assert scanner.scans == 0

        await file_input.set_input_files(
            files=[{"name": GUARANTEE_COPY, "mimeType": "application/pdf", "buffer": copy}]
        )
        chosen = page.get_by_text(re.compile(rf"^Uploaded: {re.escape(GUARANTEE_COPY)}"))
        await expect(chosen).to_be_visible()
        # the file's name fills the document's name
        await expect(field(page, "Name").last).to_have_value(GUARANTEE_COPY)
        # the scanner's verdict comes through the worker; the page asks until it has
        await expect(chosen).to_contain_text("Ready", timeout=30_000)
        assert scanner.streams == [copy]
        await screenshot(page, "portal-file-upload")
        await page.get_by_role("button", name="Continue").click()
        await expect(page.get_by_role("heading", level=2, name="Portfolio")).to_be_visible()
        attachments = page.get_by_role("region", name="Attachments")
        await expect(
            attachments.get_by_role("cell", name=GUARANTEE_COPY, exact=True)
        ).to_be_visible()
        await sign_out(page)

        # market operations download it from the workflow's page: the same bytes
        await sign_in(page, platform.url, ops.user.email)
        await page.goto(f"{platform.url}/console/workflows/{workflow_id}")
        attachments = page.get_by_role("region", name="Attachments")
        row = attachments.get_by_role("row").filter(has_text=GUARANTEE_COPY)
        await expect(row.get_by_role("cell", name="Financial guarantee")).to_be_visible()
        await expect(row.get_by_text("Ready", exact=True)).to_be_visible()
        await expect(row.get_by_role("cell", name="application/pdf")).to_be_visible()
        link = row.get_by_role("link", name=f"Download {GUARANTEE_COPY}")
        await expect(link).to_have_attribute("rel", "noopener")
        async with page.expect_download() as downloading:
            await link.click()
        download = await downloading.value
        assert download.suggested_filename == GUARANTEE_COPY
        assert await anyio.Path(await download.path()).read_bytes() == copy
        await attachments.scroll_into_view_if_needed()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await attachments.screenshot(path=SCREENSHOTS / "workflow-attachments.png")


async def test_market_ops_export_then_erase_a_contact_and_the_workflow_reads_erased(
    platform, world
):
    tenant = await world.factory.tenant(company_name="Semois Trading NV")
    participant = await world.factory.account("tenant_admin", tenant)
    ops = await world.factory.account("market_ops", display_name="Anne Dubois")
    workflow_id = await brp_onboarding_at_the_guarantee(platform, tenant, participant.token)
    contact = step_data(tenant, role="BRP")["contacts"]["contacts"][0]
    email, name = contact["email"], contact["name"]

    async with web_page(platform.url, timeout_ms=15_000) as web:
        page = web.page
        await sign_in(page, platform.url, ops.user.email)
        await page.get_by_role("navigation").first.get_by_role("link", name="Privacy").click()
        await expect(page.get_by_role("heading", level=1, name="Data subjects")).to_be_visible()
        await page.get_by_label("Tenant").select_option(label=tenant.company_name)
        await page.get_by_label("E-mail address").fill(email)
        await page.get_by_role("button", name="Find").click()
        subject = page.get_by_role("region", name=f"{email} at {tenant.company_name}")
        await expect(subject.get_by_text("1 workflow names this person")).to_be_visible()
        await expect(subject.get_by_text("Held, encrypted")).to_be_visible()
        await screenshot(page, "data-subjects")

        # the export: a JSON archive of what is held, downloaded as a file
        async with page.expect_download() as downloading:
            await subject.get_by_role("button", name="Export").click()
        download = await downloading.value
        assert download.suggested_filename.endswith(".json")
        archive = await anyio.Path(await download.path()).read_text(encoding="utf-8")
        json.loads(archive)
        assert email in archive
        assert name in archive
        assert workflow_id in archive

        # the erasure: confirmed with a reason, then the person reads as erased
        await subject.get_by_role("button", name="Erase…").click()
        dialog = page.get_by_role("dialog", name=f"Erase the personal data of {email}")
        await dialog.get_by_label("Reason").fill("Erasure requested by the person (GDPR art. 17)")
        await dialog.get_by_role("button", name="Erase", exact=True).click()
        await expect(dialog).to_have_count(0)
        await expect(
            page.get_by_text("Erased: this person's personal data now reads “[erased]” everywhere.")
        ).to_be_visible()
        await expect(subject.get_by_text(re.compile(r"^Erased on "))).to_be_visible()
        await expect(subject.get_by_role("button", name="Erase…")).to_have_count(0)

        # the workflow goes on; where the contact's data was, it reads [erased]
        await page.goto(f"{platform.url}/console/workflows/{workflow_id}")
        contacts = page.get_by_role("region", name=re.compile(r"Contacts$"))
        await expect(contacts.get_by_text("[erased]").first).to_be_visible()
        await page.wait_for_load_state("networkidle")
        assert email not in await page.get_by_role("main").inner_text()
