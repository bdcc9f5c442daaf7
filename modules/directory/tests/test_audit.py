"""The audit trail's service: who reads what (as the API's role, `wfm_app`, under row-level
security), filters, pages, the export's server-side cursor, and the client's address taken
from the request being served."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from wfm_shared.errors import Forbidden, ValidationFailed
from wfm_shared.principal import system_principal
from wfm_shared.request_origin import current_client_address
from wfm_storage.repositories.audit import AuditCursor, AuditFilter
from wfm_testing.factories import belgian_vat

T0 = datetime(2021, 3, 1, 12, 0, tzinfo=UTC)


async def an_entry(owner, tenant_id, action, *, at, actor=None, target="x", outcome="ok"):
    """An entry at a chosen time, written as the owner (the service reads it as wfm_app)."""
    return await owner.fetchval(
        """
        INSERT INTO wfm.audit_log (tenant_id, actor_id, actor_role, action, target_type,
                                   target_id, occurred_at, outcome, client_address)
        VALUES ($1, $2, 'tenant_admin', $3, 'thing', $4, $5, $6, '192.0.2.1')
        RETURNING id
        """,
        tenant_id,
        actor,
        action,
        target,
        at,
        outcome,
    )


@pytest.fixture
async def two_tenants(factory, owner_conn):
    """Tenants A and B, each with an administrator and three entries of its own."""
    action = f"TEST_{uuid.uuid4().hex[:8].upper()}"
    tenants = []
    for _ in range(2):
        tenant = await factory.tenant()
        admin = await factory.account("tenant_admin", tenant)
        for minute in range(3):
            await an_entry(
                owner_conn,
                tenant.id,
                action,
                at=T0 + timedelta(minutes=minute),
                actor=admin.user.id,
            )
        tenants.append((tenant, admin))
    return action, tenants


async def test_a_tenant_administrator_reads_only_its_own_tenants_entries(services, two_tenants):
    action, [(a, admin_a), (b, _)] = two_tenants
    page = await services.audit.query(admin_a.principal, AuditFilter(action=action), first=50)
    assert {e.tenant_id for e in page.entries} == {a.id}
    assert page.total_count == 3
    with pytest.raises(Forbidden, match=r"holds audit\.read for its own tenant only"):
        await services.audit.query(admin_a.principal, AuditFilter(tenant_id=b.id), first=50)


async def test_row_level_security_alone_keeps_another_tenants_entries_out(
    services, storage, two_tenants
):
    action, [(_, admin_a), (b, _)] = two_tenants
    # past the service, straight to the repository as wfm_app: the policy of migration 0002
    async with storage.db.transaction(admin_a.principal) as conn:
        page = await storage.audit.page(
            conn, AuditFilter(tenant_id=b.id, action=action), first=50, after=None
        )
    assert (page.entries, page.total_count) == ([], 0)


async def test_market_operations_read_every_tenants_entries(services, factory, two_tenants):
    action, [(a, _), (b, _)] = two_tenants
    ops = await factory.account("market_ops")
    page = await services.audit.query(ops.principal, AuditFilter(action=action), first=50)
    assert sorted(str(e.tenant_id) for e in page.entries) == sorted(
        [str(a.id)] * 3 + [str(b.id)] * 3
    )


async def test_a_tenant_user_may_not_read_the_audit_trail(services, factory, two_tenants):
    action, [(a, _), _] = two_tenants
    user = await factory.account("tenant_user", a)
    with pytest.raises(Forbidden, match=r"lacks audit\.read"):
        await services.audit.query(user.principal, AuditFilter(action=action), first=50)
    with pytest.raises(Forbidden):
        async for _ in services.audit.export(user.principal, AuditFilter(action=action)):
            pass


async def test_pages_run_newest_first_and_every_entry_comes_once(services, two_tenants):
    action, [(_, admin_a), _] = two_tenants
    where = AuditFilter(action=action)
    first = await services.audit.query(admin_a.principal, where, first=2)
    assert [e.occurred_at for e in first.entries] == [
        T0 + timedelta(minutes=2),
        T0 + timedelta(minutes=1),
    ]
    assert (first.has_next, first.total_count) == (True, 3)
    rest = await services.audit.query(
        admin_a.principal, where, first=2, after=AuditCursor.of(first.entries[-1])
    )
    assert [e.occurred_at for e in rest.entries] == [T0]
    assert (rest.has_next, rest.total_count) == (False, 3)


async def test_filters_hold_together_and_the_time_range_is_half_open(services, factory, owner_conn):
    tenant = await factory.tenant()
    admin = await factory.account("tenant_admin", tenant)
    other = await factory.account("tenant_admin", tenant)
    action = f"TEST_{uuid.uuid4().hex[:8].upper()}"
    at = [T0 + timedelta(hours=h) for h in range(4)]
    ids = [
        await an_entry(owner_conn, tenant.id, action, at=at[0], actor=admin.user.id, target="w1"),
        await an_entry(owner_conn, tenant.id, action, at=at[1], actor=other.user.id, target="w1"),
        await an_entry(
            owner_conn, tenant.id, action, at=at[2], actor=admin.user.id, target="w2",
            outcome="refused",
        ),
        await an_entry(owner_conn, tenant.id, "ELSE", at=at[3], actor=admin.user.id, target="w1"),
    ]  # fmt: skip

    async def found(**criteria):
        where = AuditFilter(tenant_id=tenant.id, **criteria)
        page = await services.audit.query(admin.principal, where, first=50)
        return sorted(e.id for e in page.entries)

    assert await found(action=action) == ids[:3]
    assert await found(actor_id=admin.user.id) == [ids[0], ids[2], ids[3]]
    assert await found(actor_id=admin.user.id, action=action) == [ids[0], ids[2]]
    assert await found(target_type="thing", target_id="w1") == [ids[0], ids[1], ids[3]]
    assert await found(outcome="refused") == [ids[2]]
    assert await found(since=at[1], until=at[3]) == [ids[1], ids[2]]
    with pytest.raises(ValidationFailed, match="the time range is empty"):
        await found(since=at[1], until=at[1])


async def test_the_export_reads_through_a_server_side_cursor_a_batch_at_a_time(
    storage, two_tenants
):
    action, [(_, admin_a), _] = two_tenants
    async with storage.db.transaction(admin_a.principal) as conn:
        entries = storage.audit.stream(conn, AuditFilter(action=action), batch_size=2)
        first = await anext(entries)
        # mid-stream, the result waits in a portal of the server, not in this process
        open_cursors = await conn.fetch("SELECT statement FROM pg_cursors")
        rest = [entry async for entry in entries]
    assert any("FROM wfm.audit_log" in row["statement"] for row in open_cursors)
    assert [first, *rest] == sorted(
        [first, *rest], key=lambda e: (e.occurred_at, e.id), reverse=True
    )
    assert len([first, *rest]) == 3


async def test_the_export_streams_every_matching_entry_in_batches(services, factory, two_tenants):
    action, [_, (b, _)] = two_tenants
    ops = await factory.account("market_ops")
    exported = [
        e
        async for e in services.audit.export(
            ops.principal, AuditFilter(action=action), batch_size=2
        )
    ]
    assert len(exported) == 6
    only_b = [
        e.tenant_id
        async for e in services.audit.export(
            system_principal(), AuditFilter(action=action, tenant_id=b.id), batch_size=1
        )
    ]
    assert only_b == [b.id] * 3


async def test_the_address_of_the_request_served_is_recorded_and_none_outside_one(
    services, owner_conn
):
    async def created_tenant_address() -> str | None:
        slug = f"t-{uuid.uuid4().hex[:8]}"
        profile = await services.tenants.create(
            system_principal(),
            slug=slug,
            company_name=slug,
            vat_number=belgian_vat(int(uuid.uuid4().int % 10_000_000)),
            market_roles=[],
        )
        return await owner_conn.fetchval(
            "SELECT client_address FROM wfm.audit_log "
            "WHERE action = 'TENANT_CREATED' AND target_id = $1",
            str(profile.tenant.id),
        )

    during_a_request = current_client_address.set("203.0.113.7")
    try:
        assert await created_tenant_address() == "203.0.113.7"
    finally:
        current_client_address.reset(during_a_request)
    assert await created_tenant_address() is None  # the worker, the CLI


async def test_refused_logins_name_the_account_but_never_keep_an_unknown_email(
    services, factory, owner_conn
):
    tenant = await factory.tenant()
    user = await factory.account("tenant_user", tenant)
    await services.audit.record_refused_login(
        user.user.email.upper(), throttled=False, client_address="198.51.100.4"
    )
    unknown = f"nobody-{uuid.uuid4().hex[:8]}@example.test"
    await services.audit.record_refused_login(unknown, throttled=True, client_address=None)
    known = await owner_conn.fetchrow(
        "SELECT * FROM wfm.audit_log WHERE target_id = $1 ORDER BY id DESC LIMIT 1",
        str(user.user.id),
    )
    assert (known["action"], known["outcome"], known["target_type"]) == (
        "LOGIN_FAILED",
        "failed",
        "user",
    )
    assert (known["tenant_id"], known["actor_id"], known["client_address"]) == (
        tenant.id,
        None,
        "198.51.100.4",
    )
    rows = await owner_conn.fetch(
        "SELECT * FROM wfm.audit_log WHERE action = 'LOGIN_THROTTLED' AND target_type = 'account' "
        "AND target_id = 'sha256:' || encode(sha256(convert_to($1, 'UTF8')), 'hex')",
        unknown,
    )
    assert [(r["outcome"], r["tenant_id"]) for r in rows] == [("refused", None)]
    assert unknown not in str(dict(rows[0]))
