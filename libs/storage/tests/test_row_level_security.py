"""Tenant isolation in the database itself, seen as the app role (never the owner)."""

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from wfm_shared.principal import Principal, principal_for
from wfm_storage.postgres import apply_principal, init_connection
from wfm_storage.repositories.audit import AuditLog
from wfm_storage.repositories.configs import ConfigRepository
from wfm_storage.repositories.instance_index import InstanceIndex
from wfm_storage.repositories.tenants import TenantRepository
from wfm_storage.repositories.users import CredentialStore


async def tenant_tables(owner_conn) -> list[str]:
    """Every table that holds tenant data: `tenants` itself and those with a tenant_id."""
    rows = await owner_conn.fetch(
        """
        SELECT DISTINCT table_name FROM information_schema.columns
         WHERE table_schema = 'wfm' AND (column_name = 'tenant_id' OR table_name = 'tenants')
         ORDER BY table_name
        """
    )
    return [r["table_name"] for r in rows]


@pytest.fixture
async def two_tenants(owner_conn, factory):
    """Tenants A and B with a row in every tenant table."""
    template_id = await owner_conn.fetchval("SELECT id FROM wfm.workflow_templates LIMIT 1")
    made = []
    for _ in range(2):
        tenant = await factory.tenant()
        account = await factory.account("tenant_admin", tenant)
        await CredentialStore().store_refresh_token(
            owner_conn,
            account.user.id,
            uuid.uuid4(),
            uuid.uuid4().hex,
            datetime.now(UTC) + timedelta(days=1),
        )
        await TenantRepository().apply_for_market_role(owner_conn, tenant.id, "BRP")
        instance_id = uuid.uuid4()
        await InstanceIndex().register(
            owner_conn,
            instance_id=instance_id,
            tenant_id=tenant.id,
            template_id=template_id,
            market_role="BRP",
            created_by=account.user.id,
            created_at=datetime.now(UTC),
        )
        await AuditLog().append(
            owner_conn,
            principal=None,
            tenant_id=tenant.id,
            action="TEST",
            target_type="tenant",
            target_id=str(tenant.id),
        )
        await ConfigRepository().append(
            owner_conn,
            tenant_id=tenant.id,
            market_role="BRP",
            template_key="contract-onboarding",
            flags={},
            settings={},
            created_by=account.user.id,
            expected_version=None,
        )
        await fill_worker_tables(owner_conn, tenant.id, account.user.id)
        await fill_mfa_tables(owner_conn, tenant.id, account.user.id)
        await fill_user_tokens(owner_conn, tenant.id, account.user.id)
        await fill_participant_data(owner_conn, tenant.id, account.user.id, instance_id)
        await fill_personal_data_keys(owner_conn, tenant.id, instance_id)
        await fill_retention_policies(owner_conn, tenant.id, account.user.id)
        made.append((tenant, account))
    return made


async def fill_participant_data(conn, tenant_id, user_id, instance_id):
    """A step draft, a step run and a file of the tenant's workflow, and a secret of the
    tenant."""
    await conn.execute(
        "INSERT INTO wfm.files (id, tenant_id, workflow_id, step_id, name, content_type, "
        "size_bytes, sha256, status, uploaded_by, uploaded_at) "
        "VALUES ($1, $2, $3, 'financial-guarantee', 'guarantee.pdf', 'application/pdf', 1, "
        "repeat('0', 64), 'unscanned', $4, now())",
        uuid.uuid4(),
        tenant_id,
        instance_id,
        user_id,
    )
    await conn.execute(
        "INSERT INTO wfm.step_runs (workflow_id, started_seq, tenant_id, template_id, "
        "template_key, template_version, step_id, started_at) "
        "SELECT id, 2, tenant_id, template_id, template_key, 1, 'company-info', now() "
        "FROM wfm.workflow_instances_index WHERE id = $1",
        instance_id,
    )
    await conn.execute(
        "INSERT INTO wfm.step_drafts (workflow_id, step_id, tenant_id, data, saved_by, saved_at) "
        "VALUES ($1, 'company-info', $2, '{}'::jsonb, $3, now())",
        instance_id,
        tenant_id,
        user_id,
    )
    await conn.execute(
        "INSERT INTO wfm.tenant_secrets (tenant_id, name, sealed_value, created_by, created_at, "
        "updated_by, updated_at) VALUES ($1, 'ERP_API_KEY', 'sealed', $2, now(), $2, now())",
        tenant_id,
        user_id,
    )


async def fill_worker_tables(conn, tenant_id, user_id):
    """A row in each of the worker's tenant tables."""
    instance = uuid.uuid4()
    await conn.execute(
        "INSERT INTO wfm.workflow_timers (tenant_id, instance_id, kind, step_id, activation_seq, due_at) "
        "VALUES ($1, $2, 'sla', 'a', 1, now())",
        tenant_id,
        instance,
    )
    subscription = await conn.fetchval(
        "INSERT INTO wfm.webhook_subscriptions (id, tenant_id, url, secret, event_types, created_by) "
        "VALUES ($1, $2, 'https://hooks.example/in', 'whsec_x', ARRAY['*'], $3) RETURNING id",
        uuid.uuid4(),
        tenant_id,
        user_id,
    )
    delivery = await conn.fetchval(
        "INSERT INTO wfm.webhook_deliveries (id, subscription_id, tenant_id, message_id, event_type, payload) "
        "VALUES ($1, $2, $3, 'msg_1', 'workflow.created', '{}'::jsonb) RETURNING id",
        uuid.uuid4(),
        subscription,
        tenant_id,
    )
    await conn.execute(
        "INSERT INTO wfm.webhook_attempts (delivery_id, tenant_id, attempt, status_code, duration_ms) "
        "VALUES ($1, $2, 1, 200, 5)",
        delivery,
        tenant_id,
    )
    await conn.execute(
        "INSERT INTO wfm.notifications (id, tenant_id, user_id, kind, subject, body, locale, dedupe_key) "
        "VALUES ($1, $2, $3, 'test', 's', 'b', 'en', $4)",
        uuid.uuid4(),
        tenant_id,
        user_id,
        str(uuid.uuid4()),
    )
    trigger = await conn.fetchval(
        "INSERT INTO wfm.workflow_triggers (id, tenant_id, name, kind, cron, timezone, template_key, market_role, created_by) "
        "VALUES ($1, $2, 'nightly', 'schedule', '0 2 * * *', 'Europe/Brussels', 'contract-onboarding', 'BRP', $3) RETURNING id",
        uuid.uuid4(),
        tenant_id,
        user_id,
    )
    await conn.execute(
        "INSERT INTO wfm.trigger_firings (trigger_id, fire_key, tenant_id) VALUES ($1, 'slot', $2)",
        trigger,
        tenant_id,
    )
    await conn.execute(
        "INSERT INTO wfm.trigger_runs (id, trigger_id, tenant_id, kind, outcome, reason) "
        "VALUES ($1, $2, $3, 'schedule', 'skipped', 'the trigger is disabled')",
        uuid.uuid4(),
        trigger,
        tenant_id,
    )
    await conn.execute(
        "INSERT INTO wfm.api_access (tenant_id, market_role, consumer_username, credential_id) VALUES ($1, 'BRP', 'x', $2)",
        tenant_id,
        uuid.uuid4(),
    )


async def fill_personal_data_keys(conn, tenant_id, instance_id):
    """A data subject's key in the tenant's workflow, and an erased one (migration 0021)."""
    await conn.execute(
        "INSERT INTO wfm.subject_keys (id, tenant_id, subject_id, instance_id, sealed_key) "
        "VALUES ($1, $2, $3, $4, 'sealed'::bytea)",
        uuid.uuid4(),
        tenant_id,
        uuid.uuid4(),
        str(instance_id),
    )
    await conn.execute(
        "INSERT INTO wfm.subject_keys (id, tenant_id, subject_id, instance_id, erased_at, "
        "erasure_reason) VALUES ($1, $2, $3, $4, now(), 'on request')",
        uuid.uuid4(),
        tenant_id,
        uuid.uuid4(),
        str(instance_id),
    )


async def fill_retention_policies(conn, tenant_id, user_id):
    """The tenant's retention policy for every template, and one for a template (0022)."""
    for template_key, after_days in ((None, 3650), ("contract-onboarding", 365)):
        await conn.execute(
            "INSERT INTO wfm.retention_policies (tenant_id, template_key, after_days, "
            "updated_at, updated_by) VALUES ($1, $2, $3, now(), $4)",
            tenant_id,
            template_key,
            after_days,
            user_id,
        )


async def fill_mfa_tables(conn, tenant_id, user_id):
    """A second factor, a recovery code and a login challenge (migration 0012)."""
    await conn.execute(
        "INSERT INTO wfm.user_mfa (user_id, tenant_id, secret, enabled_at, created_at, updated_at) "
        "VALUES ($1, $2, 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', now(), now(), now())",
        user_id,
        tenant_id,
    )
    await conn.execute(
        "INSERT INTO wfm.mfa_recovery_codes (user_id, tenant_id, code_hash, created_at) "
        "VALUES ($1, $2, $3, now())",
        user_id,
        tenant_id,
        uuid.uuid4().hex,
    )
    await conn.execute(
        "INSERT INTO wfm.mfa_challenges (token_hash, user_id, tenant_id, created_at, expires_at) "
        "VALUES ($1, $2, $3, now(), now() + interval '5 minutes')",
        uuid.uuid4().hex,
        user_id,
        tenant_id,
    )


async def fill_user_tokens(conn, tenant_id, user_id):
    """An invitation token of the tenant's user (migration 0011)."""
    await conn.execute(
        "INSERT INTO wfm.user_tokens (id, user_id, tenant_id, purpose, token_hash, created_at, expires_at) "
        "VALUES ($1, $2, $3, 'invitation', $4, now(), now() + interval '1 day')",
        uuid.uuid4(),
        user_id,
        tenant_id,
        uuid.uuid4().hex * 2,
    )


@pytest.fixture
async def app_conn(wfm_settings):
    conn = await asyncpg.connect(wfm_settings.app_dsn())
    await init_connection(conn)
    assert await conn.fetchval("SELECT current_user") == "wfm_app"
    yield conn
    await conn.close()


async def test_without_a_setting_every_tenant_table_is_empty(app_conn, owner_conn, two_tenants):
    tables = await tenant_tables(owner_conn)
    assert {
        "tenants",
        "users",
        "refresh_tokens",
        "tenant_market_roles",
        "workflow_instances_index",
        "audit_log",
        "workflow_configs",
        "workflow_timers",
        "webhook_subscriptions",
        "webhook_deliveries",
        "webhook_attempts",
        "notifications",
        "workflow_triggers",
        "trigger_firings",
        "api_access",
        "step_drafts",
        "step_runs",
        "tenant_secrets",
        "trigger_runs",
        "subject_keys",
        "files",
        "retention_policies",
    } <= set(tables)
    for table in tables:
        assert await owner_conn.fetchval(f"SELECT count(*) FROM wfm.{table}") >= 2, table
        assert await app_conn.fetchval(f"SELECT count(*) FROM wfm.{table}") == 0, table


async def test_with_a_tenant_setting_only_that_tenants_rows_are_visible(
    app_conn, owner_conn, two_tenants
):
    (tenant_a, account_a), (_tenant_b, _) = two_tenants
    for table in await tenant_tables(owner_conn):
        column = "id" if table == "tenants" else "tenant_id"
        async with app_conn.transaction():
            await apply_principal(app_conn, account_a.principal)
            seen = {
                r[0] for r in await app_conn.fetch(f"SELECT DISTINCT {column} FROM wfm.{table}")
            }
        assert seen == {tenant_a.id}, table


async def test_market_ops_sees_every_tenant(app_conn, two_tenants):
    ops = principal_for(uuid.uuid4(), None, "market_ops")
    async with app_conn.transaction():
        await apply_principal(app_conn, ops)
        seen = {r[0] for r in await app_conn.fetch("SELECT id FROM wfm.tenants")}
    assert {t.id for t, _ in two_tenants} <= seen


async def test_a_setting_does_not_outlive_its_transaction(app_conn, two_tenants):
    (_, account_a), _ = two_tenants
    async with app_conn.transaction():
        await apply_principal(app_conn, account_a.principal)
        assert await app_conn.fetchval("SELECT count(*) FROM wfm.tenants") == 1
    assert await app_conn.fetchval("SELECT count(*) FROM wfm.tenants") == 0


async def execute_as(conn, principal, query, *args):
    async with conn.transaction():
        await apply_principal(conn, principal)
        return await conn.execute(query, *args)


async def test_a_tenant_cannot_write_rows_for_another_tenant(app_conn, two_tenants):
    (_, account_a), (tenant_b, _) = two_tenants
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await execute_as(
            app_conn,
            account_a.principal,
            "INSERT INTO wfm.audit_log (tenant_id, action, target_type, target_id) VALUES ($1, 'X', 't', 'x')",
            tenant_b.id,
        )
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await execute_as(
            app_conn,
            account_a.principal,
            "INSERT INTO wfm.tenant_market_roles (tenant_id, role, status) VALUES ($1, 'BSP', 'pending')",
            tenant_b.id,
        )


async def test_a_tenant_cannot_activate_its_own_market_role(app_conn, two_tenants):
    (tenant_a, account_a), _ = two_tenants
    async with app_conn.transaction():
        await apply_principal(app_conn, account_a.principal)
        result = await app_conn.execute(
            "UPDATE wfm.tenant_market_roles SET status = 'active' WHERE tenant_id = $1", tenant_a.id
        )
    assert result == "UPDATE 0"


async def test_the_audit_log_is_append_only_even_for_the_owner(owner_conn, two_tenants):
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
        await owner_conn.execute("DELETE FROM wfm.audit_log")
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
        await owner_conn.execute("UPDATE wfm.audit_log SET action = 'forged'")


async def test_credentials_are_reachable_only_through_the_auth_functions(app_conn, two_tenants):
    (_, account_a), _ = two_tenants
    assert await app_conn.fetchval("SELECT count(*) FROM wfm.users") == 0
    found = await CredentialStore().find_login(app_conn, account_a.user.email.upper())
    assert found is not None
    assert found.id == account_a.user.id


async def test_a_pooled_connection_comes_back_with_no_tenant_and_no_transaction(
    wfm_settings, two_tenants
):
    # the pool gives connections back without a reset query: nothing may survive
    from wfm_storage.postgres import Database

    (_, account_a), _ = two_tenants
    db = await Database.connect(wfm_settings.app_dsn(), min_size=1, max_size=1)
    try:
        async with db.transaction(account_a.principal) as conn:
            assert await conn.fetchval("SELECT count(*) FROM wfm.tenants") == 1
            backend = await conn.fetchval("SELECT pg_backend_pid()")
        with pytest.raises(RuntimeError):
            async with db.transaction(account_a.principal) as conn:
                raise RuntimeError("a request that failed half way")
        async with db.pool.acquire() as conn:  # left in an open transaction on purpose
            await conn.execute("BEGIN")
            await apply_principal(conn, account_a.principal)
        async with db.connection() as conn:
            # the one connection of the pool, each time
            assert await conn.fetchval("SELECT pg_backend_pid()") == backend
            assert not conn.is_in_transaction()
            assert await conn.fetchval("SELECT current_setting('app.tenant_id', true)") in (
                "",
                None,
            )
            assert await conn.fetchval("SELECT count(*) FROM wfm.tenants") == 0
    finally:
        await db.close()


def test_the_begin_statement_writes_only_checked_values():
    from wfm_storage.postgres import begin_statement

    tenant, user = uuid.uuid4(), uuid.uuid4()
    statement = begin_statement(principal_for(user, tenant, "tenant_user"), readonly=True)
    assert statement.startswith("BEGIN READ ONLY; SELECT set_config('app.tenant_id', ")
    assert f"'{tenant}'" in statement
    assert f"'{user}'" in statement
    assert begin_statement(None) == "BEGIN"
    forged = Principal(user, tenant, "x'); DROP TABLE wfm.tenants; --", frozenset())
    with pytest.raises(ValueError, match="unknown role"):
        begin_statement(forged)
