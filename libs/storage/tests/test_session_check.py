"""The session check of `begin_statement`: a principal from an access token opens a
transaction only while its user is active, in an active tenant, with the token's role and
version; the platform's own principal (no token) is not checked."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from wfm_shared.errors import Unauthenticated
from wfm_shared.principal import principal_for, system_principal
from wfm_storage.postgres import Database, begin_statement


@pytest.fixture
async def db(wfm_settings):
    opened = await Database.connect(wfm_settings.app_dsn(), min_size=1, max_size=1)
    yield opened
    await opened.close()


def test_the_check_is_part_of_the_begin_statement_only_for_a_token():
    user, tenant = uuid.uuid4(), uuid.uuid4()
    checked = begin_statement(principal_for(user, tenant, "tenant_user", token_version=7))
    assert checked.endswith("; SELECT wfm.require_current_session(7)")
    assert "require_current_session" not in begin_statement(system_principal())
    assert "require_current_session" not in begin_statement(principal_for(user, None, "market_ops"))
    for forged in ("7); DROP TABLE wfm.users; --", 0, True):
        with pytest.raises(ValueError, match="token version"):
            begin_statement(principal_for(user, tenant, "tenant_user", token_version=forged))  # type: ignore[arg-type]


async def test_a_current_token_opens_its_transaction_under_its_tenant(db, factory):
    tenant = await factory.tenant()
    account = await factory.account("tenant_user", tenant)
    async with db.transaction(account.principal) as conn:
        assert await conn.fetchval("SELECT count(*) FROM wfm.tenants") == 1
    session = db.session(account.principal)
    assert await session.fetchval("SELECT id FROM wfm.tenants") == tenant.id
    await session.close()


async def test_a_stale_token_is_refused_and_leaves_the_pooled_connection_clean(
    db, factory, owner_conn
):
    account = await factory.account("tenant_admin", await factory.tenant())
    await owner_conn.execute(
        "UPDATE wfm.users SET token_version = token_version + 1 WHERE id = $1", account.user.id
    )
    with pytest.raises(Unauthenticated, match="the session has ended"):
        async with db.transaction(account.principal):
            pytest.fail("the transaction body must not run")
    session = db.session(account.principal)
    with pytest.raises(Unauthenticated):
        await session.fetchval("SELECT 1")
    await session.close()
    async with db.connection() as conn:  # the one connection of the pool
        assert not conn.is_in_transaction()
        assert await conn.fetchval("SELECT current_setting('app.user_id', true)") in ("", None)


async def test_the_platforms_own_principal_needs_no_user_row(db):
    async with db.transaction(system_principal()) as conn:
        assert await conn.fetchval("SELECT current_setting('app.role', true)") == "market_ops"


async def test_market_operations_tokens_are_checked_like_any_other(db, factory, owner_conn):
    ops = await factory.account("market_ops")
    async with db.transaction(ops.principal) as conn:
        assert await conn.fetchval("SELECT 1") == 1
    await owner_conn.execute("UPDATE wfm.users SET status = 'disabled' WHERE id = $1", ops.user.id)
    with pytest.raises(Unauthenticated):
        async with db.transaction(ops.principal):
            pass


async def test_what_changes_a_users_credentials_bumps_its_version_and_revokes_refresh_tokens(
    factory, owner_conn, storage
):
    account = await factory.account("tenant_user", await factory.tenant())
    await storage.credentials.store_refresh_token(
        owner_conn,
        account.user.id,
        uuid.uuid4(),
        uuid.uuid4().hex,
        datetime.now(UTC) + timedelta(days=1),
    )
    versions = []
    for change in (
        "password_hash = 'x'",
        "status = 'disabled'",
        "status = 'active'",
        "role = 'tenant_admin'",
        "display_name = 'no credential'",  # no bump: nothing a session depends on
    ):
        await owner_conn.execute(f"UPDATE wfm.users SET {change} WHERE id = $1", account.user.id)
        versions.append(
            await owner_conn.fetchval(
                "SELECT token_version FROM wfm.users WHERE id = $1", account.user.id
            )
        )
    assert versions == [2, 3, 4, 5, 5]
    live = await owner_conn.fetchval(
        "SELECT count(*) FROM wfm.refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL",
        account.user.id,
    )
    assert live == 0
