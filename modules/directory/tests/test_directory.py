"""Tenants and users through the directory services, against the real servers (RLS applies)."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from wfm_shared.errors import Conflict, Forbidden, NotFound, ValidationFailed
from wfm_shared.principal import principal_for, system_principal
from wfm_shared.security import TokenCodec, verify_password
from wfm_testing.factories import belgian_vat

OPS = system_principal()
PASSWORD = "a sound password"


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def paths(error):
    return {e.path for e in error.errors}


@pytest.fixture
def tenants(services):
    return services.tenants


@pytest.fixture
def users(services):
    return services.users


@pytest.fixture
def codec(wfm_settings):
    return TokenCodec.from_settings(wfm_settings, timedelta(minutes=5))


async def test_market_ops_creates_a_tenant_with_normalised_vat_and_pending_roles(
    tenants, owner_conn
):
    slug = unique("acme")
    vat = belgian_vat(4242)
    spaced = f"{vat[:2]} {vat[2:6]}.{vat[6:9]}.{vat[9:]}".lower()
    profile = await tenants.create(
        OPS, slug=slug, company_name=" Acme SA ", vat_number=spaced, market_roles=["BRP", "bsp"]
    )
    assert (profile.tenant.slug, profile.tenant.company_name) == (slug, "Acme SA")
    assert profile.tenant.vat_number == vat
    assert [(r.role, r.status) for r in profile.market_roles] == [
        ("BRP", "pending"),
        ("BSP", "pending"),
    ]
    audit = await owner_conn.fetchrow(
        "SELECT action, actor_role, tenant_id FROM wfm.audit_log WHERE target_id = $1",
        str(profile.tenant.id),
    )
    assert dict(audit) == {
        "action": "TENANT_CREATED",
        "actor_role": "market_ops",
        "tenant_id": profile.tenant.id,
    }
    listed = {p.tenant.slug: p for p in await tenants.list(OPS)}
    assert [r.role for r in listed[slug].market_roles] == ["BRP", "BSP"]


async def test_an_invalid_tenant_reports_every_problem_with_its_path(tenants):
    with pytest.raises(ValidationFailed) as refused:
        await tenants.create(
            OPS,
            slug="-Bad Slug",
            company_name="  ",
            vat_number="BE0123456789",
            market_roles=["BRP", "XYZ"],
        )
    assert paths(refused.value) == {
        ("slug",),
        ("companyName",),
        ("vatNumber",),
        ("marketRoles", 1),
    }


async def test_a_taken_slug_is_a_conflict(tenants, factory):
    existing = await factory.tenant()
    with pytest.raises(Conflict, match=existing.slug):
        await tenants.create(
            OPS, slug=existing.slug, company_name="Other NV", vat_number=belgian_vat(77)
        )


async def test_only_market_operations_create_tenants(tenants, factory):
    tenant = await factory.tenant()
    admin = await factory.account("tenant_admin", tenant)
    with pytest.raises(Forbidden):
        await tenants.create(
            admin.principal, slug=unique("x"), company_name="X", vat_number=belgian_vat(5)
        )


async def test_market_ops_creates_users_in_a_tenant_and_without_one(users, factory, owner_conn):
    tenant = await factory.tenant()
    email = f"{unique('user')}@example.test"
    user = await users.create(
        OPS,
        email=email,
        password=PASSWORD,
        role="tenant_user",
        tenant_id=tenant.id,
        display_name="Jan",
        locale="nl",
    )
    assert (user.tenant_id, user.role, user.locale, user.display_name) == (
        tenant.id,
        "tenant_user",
        "nl",
        "Jan",
    )
    stored = await owner_conn.fetchval("SELECT password_hash FROM wfm.users WHERE id = $1", user.id)
    assert verify_password(PASSWORD, stored)
    ops = await users.create(
        OPS, email=f"{unique('ops')}@example.test", password=PASSWORD, role="market_ops"
    )
    assert ops.tenant_id is None
    action = await owner_conn.fetchval(
        "SELECT action FROM wfm.audit_log WHERE target_id = $1", str(user.id)
    )
    assert action == "USER_CREATED"


async def test_an_existing_email_is_a_conflict_whatever_its_case(users, factory):
    tenant = await factory.tenant()
    account = await factory.account("tenant_user", tenant)
    with pytest.raises(Conflict, match="exists"):
        await users.create(
            OPS,
            email=account.user.email.upper(),
            password=PASSWORD,
            role="tenant_user",
            tenant_id=tenant.id,
        )


async def test_an_invalid_user_reports_every_problem(users, factory):
    tenant = await factory.tenant()
    with pytest.raises(ValidationFailed) as refused:
        await users.create(
            OPS,
            email="not an email",
            password="é" * 40,
            role="market_ops",
            tenant_id=tenant.id,
            locale="de",
        )
    assert paths(refused.value) == {("email",), ("tenant",), ("locale",), ("password",)}
    with pytest.raises(ValidationFailed) as short:
        await users.create(OPS, email="a@b.test", password="short", role="tenant_admin")
    assert paths(short.value) == {("tenant",), ("password",)}


async def test_a_user_of_an_unknown_tenant_is_not_found(users):
    with pytest.raises(NotFound):
        await users.create(
            OPS,
            email=f"{unique('u')}@example.test",
            password=PASSWORD,
            role="tenant_user",
            tenant_id=uuid.uuid4(),
        )


async def test_a_tenant_admin_adds_users_to_its_own_tenant_only(users, factory):
    tenant, other = await factory.tenant(), await factory.tenant()
    admin = await factory.account("tenant_admin", tenant)
    user = await users.create(
        admin.principal,
        email=f"{unique('colleague')}@example.test",
        password=PASSWORD,
        role="tenant_user",
        tenant_id=tenant.id,
    )
    assert user.tenant_id == tenant.id
    for role, tenant_id in (("tenant_user", other.id), ("market_ops", None)):
        with pytest.raises(Forbidden):
            await users.create(
                admin.principal,
                email=f"{unique('x')}@example.test",
                password=PASSWORD,
                role=role,
                tenant_id=tenant_id,
            )
    plain = await factory.account("tenant_user", tenant)
    with pytest.raises(Forbidden):
        await users.create(
            plain.principal,
            email=f"{unique('y')}@example.test",
            password=PASSWORD,
            role="tenant_user",
            tenant_id=tenant.id,
        )


async def test_a_token_is_issued_for_an_active_user_and_verifies(users, factory, codec):
    tenant = await factory.tenant()
    account = await factory.account("tenant_admin", tenant)
    now = datetime.now(UTC)
    issued = await users.issue_token(OPS, account.user.email, codec, now)
    assert codec.verify(issued.token) == principal_for(
        account.user.id, tenant.id, "tenant_admin", token_version=account.user.token_version
    )
    assert issued.expires_at == now + timedelta(minutes=5)


async def test_no_token_for_a_disabled_user_a_suspended_tenant_or_an_unknown_email(
    users, factory, owner_conn, codec
):
    now = datetime.now(UTC)
    disabled = await factory.account("tenant_user", await factory.tenant())
    await owner_conn.execute(
        "UPDATE wfm.users SET status = 'disabled' WHERE id = $1", disabled.user.id
    )
    with pytest.raises(Forbidden, match="disabled"):
        await users.issue_token(OPS, disabled.user.email, codec, now)
    suspended = await factory.account("tenant_user", await factory.tenant(status="suspended"))
    with pytest.raises(Forbidden, match="suspended"):
        await users.issue_token(OPS, suspended.user.email, codec, now)
    with pytest.raises(NotFound):
        await users.issue_token(OPS, "nobody@example.test", codec, now)
    with pytest.raises(Forbidden):
        await users.issue_token(suspended.principal, disabled.user.email, codec, now)
