"""Tenants and their market roles managed by market operations, through the directory
services against the real servers (RLS applies): creating, changing, searching, suspending,
reactivating and archiving tenants; suspending, terminating and reactivating market roles.
Every change is audited, and those that touch API access leave the worker its job."""

import json
import uuid

import asyncpg
import pytest

from wfm_shared.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from wfm_shared.principal import system_principal
from wfm_storage.repositories.tenants import TenantCursor, TenantRepository
from wfm_testing.factories import belgian_vat

OPS = system_principal()


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def fresh_vat():
    return belgian_vat(uuid.uuid4().int % 10_000_000)


def paths(error):
    return {e.path for e in error.errors}


async def audit_actions(owner_conn, tenant_id):
    rows = await owner_conn.fetch(
        "SELECT action, details FROM wfm.audit_log WHERE tenant_id = $1 ORDER BY id", tenant_id
    )
    return [(r["action"], r["details"]) for r in rows]


async def sync_jobs(owner_conn, tenant_id):
    rows = await owner_conn.fetch(
        "SELECT payload FROM wfm_queue.pgqueuer WHERE entrypoint = 'sync_api_access'"
    )
    payloads = [json.loads(r["payload"]) for r in rows]
    return sorted(p["marketRole"] for p in payloads if p["tenantId"] == str(tenant_id))


@pytest.fixture
def tenants(services):
    return services.tenants


@pytest.fixture
def market_roles(services):
    return services.market_roles


async def test_a_slug_is_made_from_the_company_name_when_none_is_given(tenants):
    name = f"Énergie Ardennaise {uuid.uuid4().hex[:6]} S.A."
    first = await tenants.create(OPS, company_name=name, vat_number=fresh_vat())
    second = await tenants.create(OPS, company_name=name, vat_number=fresh_vat())
    expected = f"energie-ardennaise-{name.split()[2]}-s-a"
    assert first.tenant.slug == expected
    assert second.tenant.slug == f"{expected}-2"


async def test_a_vat_number_is_normalised_and_held_by_one_tenant(tenants, owner_conn):
    vat = fresh_vat()
    spaced = f"{vat[:2]} {vat[2:6]}.{vat[6:9]}.{vat[9:]}".lower()
    held = await tenants.create(OPS, company_name="Holder NV", vat_number=spaced)
    assert held.tenant.vat_number == vat
    with pytest.raises(Conflict, match=vat):
        await tenants.create(OPS, company_name="Copycat NV", vat_number=vat)
    other = await tenants.create(OPS, company_name="Other NV", vat_number=fresh_vat())
    with pytest.raises(Conflict, match=held.tenant.slug):
        await tenants.update(OPS, other.tenant.id, vat_number=spaced)
    # archived, the tenant gives its VAT number back; its slug stays taken
    await tenants.archive(OPS, held.tenant.id, reason="merged into another participant")
    again = await tenants.create(OPS, company_name="Holder NV", vat_number=vat)
    assert again.tenant.vat_number == vat
    with pytest.raises(Conflict, match=held.tenant.slug):
        await tenants.create(
            OPS, company_name="Holder NV", vat_number=fresh_vat(), slug=held.tenant.slug
        )


async def test_an_update_changes_the_name_and_vat_number_and_is_audited(tenants, owner_conn):
    created = await tenants.create(OPS, company_name="Before SA", vat_number=fresh_vat())
    vat = fresh_vat()
    updated = await tenants.update(
        OPS, created.tenant.id, company_name="  After SA ", vat_number=vat.lower()
    )
    assert (updated.tenant.company_name, updated.tenant.vat_number) == ("After SA", vat)
    assert updated.tenant.slug == created.tenant.slug
    unchanged = await tenants.update(OPS, created.tenant.id, company_name="After SA")
    assert unchanged.tenant.updated_at == updated.tenant.updated_at
    actions = await audit_actions(owner_conn, created.tenant.id)
    assert [a for a, _ in actions] == ["TENANT_CREATED", "TENANT_UPDATED"]
    assert actions[1][1]["changes"] == {
        "companyName": {"from": "Before SA", "to": "After SA"},
        "vatNumber": {"from": created.tenant.vat_number, "to": vat},
    }


async def test_invalid_changes_report_every_problem_with_its_path(tenants, factory):
    tenant = await factory.tenant()
    with pytest.raises(ValidationFailed) as refused:
        await tenants.update(OPS, tenant.id, company_name=" ", vat_number="BE0123456789")
    assert paths(refused.value) == {("companyName",), ("vatNumber",)}
    with pytest.raises(ValidationFailed) as refused:
        await tenants.suspend(OPS, tenant.id, reason="  ")
    assert paths(refused.value) == {("reason",)}
    with pytest.raises(ValidationFailed) as refused:
        await tenants.page(OPS, search="x" * 201, status="gone", first=10)
    assert paths(refused.value) == {("filter", "search"), ("filter", "status")}
    with pytest.raises(ValidationFailed) as refused:
        await tenants.page(OPS, first=10, after=TenantCursor.decode("not a cursor"))
    assert paths(refused.value) == {("after",)}
    with pytest.raises(NotFound):
        await tenants.update(OPS, uuid.uuid4(), company_name="Nobody")


async def test_the_list_searches_name_vat_and_slug_filters_by_status_and_pages(tenants):
    marker = uuid.uuid4().hex[:8]
    made = []
    for index in range(5):
        profile = await tenants.create(
            OPS,
            company_name=f"Searchable {marker} {index}",
            vat_number=fresh_vat(),
            slug=f"s-{marker}-{index}",
        )
        made.append(profile.tenant)
    await tenants.suspend(OPS, made[3].id, reason="collateral missing")
    await tenants.archive(OPS, made[4].id, reason="left the market")

    found = await tenants.page(OPS, search=f"SEARCHABLE {marker.upper()}", first=10)
    assert [t.id for t in found.tenants] == [t.id for t in made[:4]]
    assert found.total_count == 4
    assert not found.has_next

    vat = made[1].vat_number
    spaced = f"{vat[2:6]}.{vat[6:9]}.{vat[9:]}"  # as people type it, without the BE
    assert [t.id for t in (await tenants.page(OPS, search=spaced, first=10)).tenants] == [
        made[1].id
    ]
    by_slug = await tenants.page(OPS, search=f"s-{marker}-2", first=10)
    assert [t.id for t in by_slug.tenants] == [made[2].id]
    suspended = await tenants.page(OPS, search=marker, status="suspended", first=10)
    assert [t.id for t in suspended.tenants] == [made[3].id]
    # LIKE's wildcards are taken literally
    assert (await tenants.page(OPS, search=f"{marker}%", first=10)).total_count == 0

    pages, after = [], None
    while True:
        page = await tenants.page(OPS, search=marker, first=3, after=after)
        assert page.total_count == 4
        pages.append([t.id for t in page.tenants])
        if not page.has_next:
            break
        after = TenantCursor.of(page.tenants[-1])
    assert pages == [[t.id for t in made[:3]], [made[3].id]]


async def test_a_tenant_role_lists_and_reads_only_its_own_tenant(tenants, factory):
    mine, theirs = await factory.tenant(), await factory.tenant()
    admin = await factory.account("tenant_admin", mine)
    page = await tenants.page(admin.principal, first=50)
    assert ([t.id for t in page.tenants], page.total_count) == ([mine.id], 1)
    assert (await tenants.get(admin.principal, mine.id)).id == mine.id
    with pytest.raises(NotFound):
        await tenants.get(admin.principal, theirs.id)


async def test_only_market_operations_manage_tenants_and_market_roles(
    tenants, market_roles, factory
):
    mine, theirs = await factory.tenant(), await factory.tenant()
    for role in ("tenant_admin", "tenant_user"):
        caller = (await factory.account(role, mine)).principal
        for tenant in (mine, theirs):
            attempts = [
                tenants.update(caller, tenant.id, company_name="Taken over"),
                tenants.suspend(caller, tenant.id, reason="no"),
                tenants.reactivate(caller, tenant.id),
                tenants.archive(caller, tenant.id, reason="no"),
                market_roles.suspend(caller, tenant.id, "BRP", reason="no"),
                market_roles.terminate(caller, tenant.id, "BRP", reason="no"),
                market_roles.reactivate(caller, tenant.id, "BRP", reason="no"),
            ]
            for attempt in attempts:
                with pytest.raises(Forbidden, match=r"tenants\.manage"):
                    await attempt
        with pytest.raises(Forbidden):
            await tenants.create(caller, company_name="Mine too", vat_number=fresh_vat())


async def test_suspending_and_reactivating_a_tenant_keeps_the_reason_and_audits_it(
    tenants, owner_conn
):
    profile = await tenants.create(
        OPS, company_name="Pauses SA", vat_number=fresh_vat(), market_roles=["BRP"]
    )
    tenant_id = profile.tenant.id
    await TenantRepository().activate_market_role(owner_conn, tenant_id, "BRP", "C-1")
    suspended = await tenants.suspend(OPS, tenant_id, reason=" unpaid invoices ")
    assert (suspended.tenant.status, suspended.tenant.status_reason) == (
        "suspended",
        "unpaid invoices",
    )
    assert (await tenants.suspend(OPS, tenant_id, reason="again")).tenant.status_reason == (
        "unpaid invoices"
    )
    active = await tenants.reactivate(OPS, tenant_id, reason="paid")
    assert (active.tenant.status, active.tenant.status_reason) == ("active", "paid")
    actions = await audit_actions(owner_conn, tenant_id)
    assert [a for a, _ in actions] == ["TENANT_CREATED", "TENANT_SUSPENDED", "TENANT_REACTIVATED"]
    assert actions[1][1]["reason"] == "unpaid invoices"
    # its active role's API credential: revoked, then restored, by the worker
    assert await sync_jobs(owner_conn, tenant_id) == ["BRP", "BRP"]


async def test_an_archived_tenant_is_hidden_and_kept(tenants, owner_conn, factory):
    tenant = await factory.tenant()
    archived = await tenants.archive(OPS, tenant.id, reason="left the market")
    assert archived.tenant.deleted_at is not None
    with pytest.raises(NotFound):
        await tenants.get(OPS, tenant.id)
    assert (await tenants.page(OPS, search=tenant.slug, first=10)).total_count == 0
    for change in (
        tenants.archive(OPS, tenant.id, reason="twice"),
        tenants.suspend(OPS, tenant.id, reason="late"),
        tenants.update(OPS, tenant.id, company_name="Renamed"),
    ):
        with pytest.raises(NotFound):
            await change
    kept = await owner_conn.fetchrow(
        "SELECT company_name, status_reason, deleted_at FROM wfm.tenants WHERE id = $1",
        tenant.id,
    )
    assert (kept["company_name"], kept["status_reason"]) == (tenant.company_name, "left the market")
    shown = await TenantRepository().by_ids(owner_conn, [tenant.id], include_archived=True)
    assert shown[tenant.id].deleted_at == kept["deleted_at"]
    assert [a for a, _ in await audit_actions(owner_conn, tenant.id)] == ["TENANT_ARCHIVED"]


async def test_a_market_role_is_suspended_reactivated_and_terminated_for_good(
    market_roles, owner_conn, factory
):
    tenant = await factory.tenant()
    repository = TenantRepository()
    await repository.activate_market_role(owner_conn, tenant.id, "BRP", "C-7")
    suspended = await market_roles.suspend(OPS, tenant.id, "brp", reason="collateral missing")
    assert (suspended.status, suspended.status_reason) == ("suspended", "collateral missing")
    assert suspended.contract_reference == "C-7"
    again = await market_roles.suspend(OPS, tenant.id, "BRP", reason="still missing")
    assert again.status_reason == "collateral missing"
    active = await market_roles.reactivate(OPS, tenant.id, "BRP", reason="collateral lodged")
    assert (active.status, active.status_reason) == ("active", "collateral lodged")
    ended = await market_roles.terminate(OPS, tenant.id, "BRP", reason="contract ended")
    assert ended.status == "terminated"
    for change in (market_roles.reactivate, market_roles.suspend):
        with pytest.raises(InvalidTransition, match="terminated"):
            await change(OPS, tenant.id, "BRP", reason="try")
    # an approved onboarding does not bring it back either
    assert await repository.activate_market_role(owner_conn, tenant.id, "BRP", "C-8") is None
    # nor does anyone writing to the database: terminated is final there too
    with pytest.raises(asyncpg.CheckViolationError, match="terminated is final"):
        await owner_conn.execute(
            "UPDATE wfm.tenant_market_roles SET status = 'active' WHERE tenant_id = $1",
            tenant.id,
        )
    actions = await audit_actions(owner_conn, tenant.id)
    assert [(a, d["reason"]) for a, d in actions] == [
        ("MARKET_ROLE_SUSPENDED", "collateral missing"),
        ("MARKET_ROLE_REACTIVATED", "collateral lodged"),
        ("MARKET_ROLE_TERMINATED", "contract ended"),
    ]
    assert await sync_jobs(owner_conn, tenant.id) == ["BRP", "BRP", "BRP"]


async def test_a_pending_role_is_activated_by_its_onboarding_not_by_market_operations(
    market_roles, tenants, owner_conn
):
    profile = await tenants.create(
        OPS, company_name="Applies SA", vat_number=fresh_vat(), market_roles=["GU"]
    )
    tenant_id = profile.tenant.id
    for change in (market_roles.suspend, market_roles.reactivate):
        with pytest.raises(InvalidTransition, match="pending"):
            await change(OPS, tenant_id, "GU", reason="try")
    with pytest.raises(NotFound):
        await market_roles.suspend(OPS, tenant_id, "BSP", reason="not held")
    with pytest.raises(ValidationFailed) as refused:
        await market_roles.suspend(OPS, tenant_id, "XYZ", reason="unknown")
    assert paths(refused.value) == {("marketRole",)}
    withdrawn = await market_roles.terminate(OPS, tenant_id, "GU", reason="application withdrawn")
    assert withdrawn.status == "terminated"
    # a suspended role stays suspended when an onboarding of it is approved
    repository = TenantRepository()
    await repository.activate_market_role(owner_conn, tenant_id, "BRP", "C-1")
    await market_roles.suspend(OPS, tenant_id, "BRP", reason="collateral missing")
    assert await repository.activate_market_role(owner_conn, tenant_id, "BRP", "C-2") is None
    held = (await repository.market_roles(owner_conn, [tenant_id]))[tenant_id]
    assert {(r.role, r.status) for r in held} == {("GU", "terminated"), ("BRP", "suspended")}
