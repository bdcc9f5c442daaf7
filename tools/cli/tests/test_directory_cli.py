"""`wfm tenants`, `wfm users` and `wfm token` end to end, on a platform of this module's own."""

import json
import uuid

import jwt

from wfm_testing.factories import a_tenant, belgian_vat
from wfm_testing.factories import a_user as new_user
from wfm_testing.pytest_plugin import JWT_SECRET

PASSWORD = "a sound password\n"


async def a_user(owner, tenant, role="tenant_admin"):
    return await new_user(owner, tenant, password=PASSWORD.strip(), role=role)


def test_tenants_are_created_with_a_normalised_vat_number_and_listed(wfm, platform_env):
    vat = belgian_vat(1234)
    created = wfm(
        "tenants", "create", "--slug", "acme-energy", "--name", "Acme Energy SA",
        "--vat", f"{vat[2:6]}.{vat[6:9]}.{vat[9:]}", "--role", "BRP", "--role", "bsp", "--json",
        env=platform_env,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    tenant = json.loads(created.stdout)
    assert (tenant["slug"], tenant["vatNumber"], tenant["status"]) == ("acme-energy", vat, "active")
    assert tenant["marketRoles"] == [
        {"role": "BRP", "status": "pending"},
        {"role": "BSP", "status": "pending"},
    ]

    listed = wfm("tenants", "list", "--json", env=platform_env)
    assert listed.returncode == 0, listed.stderr
    assert tenant["id"] in {t["id"] for t in json.loads(listed.stdout)}

    invalid = wfm(
        "tenants", "create", "--slug", "Not A Slug", "--name", "X", "--vat", "BE0123456789",
        env=platform_env,
    )  # fmt: skip
    assert invalid.returncode == 1
    assert "error: the tenant is invalid" in invalid.stderr
    assert "  vatNumber: 'BE0123456789' is not a valid Belgian VAT number" in invalid.stderr
    assert "  slug: " in invalid.stderr

    taken = wfm(
        "tenants", "create", "--slug", "acme-energy", "--name", "Other", "--vat", vat,
        env=platform_env,
    )  # fmt: skip
    assert taken.returncode == 1
    assert "a tenant with slug 'acme-energy' exists" in taken.stderr


async def test_users_are_created_with_the_password_from_stdin(wfm, platform_env, owner):
    tenant = await a_tenant(owner)
    email = f"{uuid.uuid4().hex[:8]}@example.test"
    command = (
        "users",
        "create",
        "--email",
        email,
        "--role",
        "tenant_user",
        "--tenant",
        tenant.slug,
    )
    created = wfm(
        *command, "--locale", "fr", "--json", "--password-stdin", stdin=PASSWORD, env=platform_env
    )
    assert created.returncode == 0, created.stderr
    user = json.loads(created.stdout)
    assert (user["email"], user["tenantId"], user["role"], user["locale"]) == (
        email,
        str(tenant.id),
        "tenant_user",
        "fr",
    )
    stored = await owner.fetchval(
        "SELECT password_hash FROM wfm.users WHERE id = $1::uuid", user["id"]
    )
    assert stored.startswith("$2")

    again = wfm(*command, "--password-stdin", stdin=PASSWORD, env=platform_env)
    assert again.returncode == 1
    assert f"a user with email {email} exists" in again.stderr

    too_long = wfm(
        "users", "create", "--email", "long@example.test", "--role", "market_ops",
        "--password-stdin", stdin="x" * 73, env=platform_env,
    )  # fmt: skip
    assert too_long.returncode == 1
    assert "  password: must be at most 72 bytes in UTF-8" in too_long.stderr

    no_tenant = wfm(
        "users", "create", "--email", "x@example.test", "--role", "tenant_admin",
        "--tenant", "no-such-tenant", "--password-stdin", stdin=PASSWORD, env=platform_env,
    )  # fmt: skip
    assert no_tenant.returncode == 1
    assert "tenant no-such-tenant not found" in no_tenant.stderr


async def test_tokens_are_issued_for_active_users_and_verify_with_the_secret(
    wfm, platform_env, owner
):
    tenant = await a_tenant(owner)
    user = await a_user(owner, tenant)
    issued = wfm("token", "issue", "--email", user.email, "--json", env=platform_env)
    assert issued.returncode == 0, issued.stderr
    token = json.loads(issued.stdout)
    claims = jwt.decode(
        token["accessToken"],
        JWT_SECRET,
        algorithms=["HS256"],
        audience="wfm-api",
        issuer="workflow-manager",
    )
    assert (claims["sub"], claims["tenantId"], claims["role"]) == (
        str(user.id),
        str(tenant.id),
        "tenant_admin",
    )

    plain = wfm("token", "issue", "--email", user.email, "--ttl", "60", env=platform_env)
    assert plain.returncode == 0, plain.stderr
    claims = jwt.decode(plain.stdout.strip(), JWT_SECRET, algorithms=["HS256"], audience="wfm-api")
    assert claims["exp"] - claims["iat"] == 60

    await owner.execute("UPDATE wfm.users SET status = 'disabled' WHERE id = $1", user.id)
    disabled = wfm("token", "issue", "--email", user.email, env=platform_env)
    assert (disabled.returncode, disabled.stdout) == (1, "")
    assert f"user {user.email} is disabled" in disabled.stderr

    unknown = wfm("token", "issue", "--email", "nobody@example.test", env=platform_env)
    assert unknown.returncode == 1
    assert "user nobody@example.test not found" in unknown.stderr


def test_missing_configuration_exits_with_2(wfm_process, platform_env):
    unset = ("MONGODB_URL", "WFM_MONGODB_URL")
    without_mongo = {k: v for k, v in platform_env.items() if k not in unset}
    result = wfm_process("tenants", "list", env=without_mongo)
    assert result.returncode == 2
    assert "MONGODB_URL is not set" in result.stderr
