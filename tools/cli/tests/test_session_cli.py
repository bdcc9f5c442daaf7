"""`wfm users disable`, `wfm users set-password` and `wfm tenants suspend` end the sessions
they concern at once, on a platform of this module's own."""

import json

import pytest

from wfm_shared.errors import Unauthenticated
from wfm_shared.security import TokenCodec
from wfm_shared.settings import Settings
from wfm_storage.postgres import Database
from wfm_testing.factories import a_tenant
from wfm_testing.factories import a_user as new_user
from wfm_testing.pytest_plugin import APP_PASSWORD, JWT_SECRET

PASSWORD = "a sound password"


@pytest.fixture
def settings(platform_env):
    return Settings(
        database_url=platform_env["DATABASE_URL"],
        app_db_password=APP_PASSWORD,
        jwt_secret=JWT_SECRET,
    )


@pytest.fixture
async def db(settings):
    opened = await Database.connect(settings.app_dsn(), min_size=1, max_size=1)
    yield opened
    await opened.close()


async def a_user(owner, tenant, role="tenant_user"):
    return await new_user(owner, tenant, password=PASSWORD, role=role)


def token_of(wfm, platform_env, email) -> str:
    issued = wfm("token", "issue", "--email", email, env=platform_env)
    assert issued.returncode == 0, issued.stderr
    return issued.stdout.strip()


async def session_works(db, settings, token) -> bool:
    principal = TokenCodec.from_settings(settings).verify(token)
    try:
        async with db.transaction(principal):
            return True
    except Unauthenticated:
        return False


async def test_disabling_a_user_ends_its_tokens_at_once(
    wfm, wfm_process, platform_env, owner, db, settings
):
    tenant = await a_tenant(owner)
    user, colleague = await a_user(owner, tenant), await a_user(owner, tenant)
    token, other = (
        token_of(wfm, platform_env, user.email),
        token_of(wfm, platform_env, colleague.email),
    )
    assert await session_works(db, settings, token)
    disabled = wfm_process("users", "disable", "--email", user.email, "--json", env=platform_env)
    assert disabled.returncode == 0, disabled.stderr
    assert json.loads(disabled.stdout)["status"] == "disabled"
    assert not await session_works(db, settings, token)
    assert await session_works(db, settings, other)
    audited = await owner.fetchval(
        "SELECT count(*) FROM wfm.audit_log WHERE action = 'USER_DISABLED' AND target_id = $1",
        str(user.id),
    )
    assert audited == 1
    unknown = wfm("users", "disable", "--email", "nobody@example.test", env=platform_env)
    assert unknown.returncode == 1
    assert "user nobody@example.test not found" in unknown.stderr


async def test_a_new_password_ends_the_users_tokens(wfm, platform_env, owner, db, settings):
    user = await a_user(owner, await a_tenant(owner))
    token = token_of(wfm, platform_env, user.email)
    changed = wfm(
        "users", "set-password", "--email", user.email, "--password-stdin",
        stdin="a brand new password\n", env=platform_env,
    )  # fmt: skip
    assert changed.returncode == 0, changed.stderr
    assert "sessions have ended" in changed.stdout
    assert not await session_works(db, settings, token)
    assert await session_works(db, settings, token_of(wfm, platform_env, user.email))
    too_short = wfm(
        "users", "set-password", "--email", user.email, "--password-stdin",
        stdin="short\n", env=platform_env,
    )  # fmt: skip
    assert too_short.returncode == 1
    assert "password: must be at least 12 characters" in too_short.stderr
    for refused, reason in (
        ("qwertyuiop12", "is one of the most common passwords"),
        (user.email.upper(), "must not be your e-mail address"),
    ):
        result = wfm(
            "users", "set-password", "--email", user.email, "--password-stdin",
            stdin=f"{refused}\n", env=platform_env,
        )  # fmt: skip
        assert result.returncode == 1
        assert f"password: {reason}" in result.stderr


async def test_suspending_a_tenant_ends_its_users_tokens_and_no_other_tenants(
    wfm, wfm_process, platform_env, owner, db, settings
):
    tenant, other = await a_tenant(owner), await a_tenant(owner)
    member, neighbour = await a_user(owner, tenant), await a_user(owner, other)
    token, theirs = (
        token_of(wfm, platform_env, member.email),
        token_of(wfm, platform_env, neighbour.email),
    )
    suspended = wfm("tenants", "suspend", "--slug", tenant.slug, "--json", env=platform_env)
    assert suspended.returncode == 0, suspended.stderr
    assert json.loads(suspended.stdout)["status"] == "suspended"
    assert not await session_works(db, settings, token)
    assert await session_works(db, settings, theirs)
    refused = wfm_process("token", "issue", "--email", member.email, env=platform_env)
    assert refused.returncode == 1
    assert "is suspended" in refused.stderr
    unknown = wfm("tenants", "suspend", "--slug", "no-such-tenant", env=platform_env)
    assert unknown.returncode == 1
    assert "tenant no-such-tenant not found" in unknown.stderr
