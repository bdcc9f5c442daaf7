"""`wfm secrets` end to end, on a platform of this module's own: a key generated for the
keyring, and `rotate-key` resealing every tenant secret and signing secret (webhook
subscriptions', those kept in plaintext before migration 0017 too, and webhook triggers')
under the keyring's first key, idempotently; a value no key opens is reported and left as
it is."""

import json
import uuid
from datetime import UTC, datetime

import pytest

from wfm_shared.sealing import SealedWithUnknownKey, SecretBox
from wfm_testing.factories import a_tenant

KEY1, KEY2, LOST_KEY = (SecretBox.generate_key() for _ in range(3))
NOBODY = uuid.UUID(int=0)


def box(*keys: str) -> SecretBox:
    return SecretBox([key.encode() for key in keys])


async def add_secret(owner, tenant_id, name, sealed):
    now = datetime.now(UTC)
    await owner.execute(
        "INSERT INTO wfm.tenant_secrets (tenant_id, name, sealed_value, created_by, created_at, "
        "updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $4, $5)",
        tenant_id,
        name,
        sealed,
        NOBODY,
        now,
    )


async def add_subscription(owner, tenant_id, *, secret=None, sealed_secret=None):
    subscription_id = uuid.uuid4()
    await owner.execute(
        "INSERT INTO wfm.webhook_subscriptions (id, tenant_id, url, secret, sealed_secret, "
        "event_types, created_by) VALUES ($1, $2, 'https://hooks.example.test/in', $3, $4, "
        "'{*}', $5)",
        subscription_id,
        tenant_id,
        secret,
        sealed_secret,
        NOBODY,
    )
    return subscription_id


async def add_webhook_trigger(owner, tenant_id, sealed_secret):
    trigger_id = uuid.uuid4()
    await owner.execute(
        "INSERT INTO wfm.workflow_triggers (id, tenant_id, name, kind, template_key, market_role, "
        "signing_secret, created_by) VALUES ($1, $2, 'ERP hook', 'webhook', 'contract-onboarding', "
        "'BRP', $3, $4)",
        trigger_id,
        tenant_id,
        sealed_secret,
        NOBODY,
    )
    return trigger_id


def rotate(wfm, env, *keys):
    return wfm("secrets", "rotate-key", "--json", env={**env, "WFM_SECRET_KEYS": ",".join(keys)})


def test_a_generated_key_is_a_keyring_the_settings_accept(wfm, wfm_process, platform_env):
    result = wfm_process("secrets", "generate-key", env=platform_env)
    assert result.returncode == 0, result.stderr
    key = result.stdout.strip()
    assert box(key).open(box(key).seal("x")) == "x"
    assert key != wfm("secrets", "generate-key", env=platform_env).stdout.strip()


async def test_rotation_reseals_everything_under_the_new_key_so_that_it_alone_opens_it(
    wfm, platform_env, owner
):
    tenant = await a_tenant(owner)
    await add_secret(owner, tenant.id, "ERP_API_KEY", box(KEY1).seal("erp-value"))
    await add_secret(owner, tenant.id, "REGISTRY_TOKEN", box(KEY1).seal("registry-value"))
    sealed_hook = await add_subscription(owner, tenant.id, sealed_secret=box(KEY1).seal("whsec_a"))
    plain_hook = await add_subscription(owner, tenant.id, secret="whsec_b")  # before 0017
    trigger = await add_webhook_trigger(owner, tenant.id, box(KEY1).seal("whsec_c"))

    first = rotate(wfm, platform_env, KEY2, KEY1)
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["tenantSecrets"]["resealed"] == 2
    assert report["webhookSecrets"]["resealed"] == 2  # the plaintext one sealed too
    assert report["triggerSecrets"]["resealed"] == 1
    assert report["tenantSecrets"]["unreadable"] == report["webhookSecrets"]["unreadable"] == []

    # the new key alone opens every value; no signing secret is left in plaintext
    values = dict(
        await owner.fetch(
            "SELECT name, sealed_value FROM wfm.tenant_secrets WHERE tenant_id = $1", tenant.id
        )
    )
    assert {name: box(KEY2).open(sealed) for name, sealed in values.items()} == {
        "ERP_API_KEY": "erp-value",
        "REGISTRY_TOKEN": "registry-value",
    }
    with pytest.raises(SealedWithUnknownKey):
        box(KEY1).open(values["ERP_API_KEY"])
    hooks = {
        row["id"]: row
        for row in await owner.fetch(
            "SELECT id, secret, sealed_secret FROM wfm.webhook_subscriptions WHERE tenant_id = $1",
            tenant.id,
        )
    }
    assert {hook["secret"] for hook in hooks.values()} == {None}
    assert box(KEY2).open(hooks[sealed_hook]["sealed_secret"]) == "whsec_a"
    assert box(KEY2).open(hooks[plain_hook]["sealed_secret"]) == "whsec_b"
    trigger_secret = await owner.fetchval(
        "SELECT signing_secret FROM wfm.workflow_triggers WHERE id = $1", trigger
    )
    assert box(KEY2).open(trigger_secret) == "whsec_c"

    # a second run has nothing left to do, and changes nothing
    second = rotate(wfm, platform_env, KEY2, KEY1)
    assert second.returncode == 0, second.stderr
    again = json.loads(second.stdout)
    assert again["tenantSecrets"]["resealed"] == again["webhookSecrets"]["resealed"] == 0
    assert again["triggerSecrets"] == {**again["triggerSecrets"], "resealed": 0, "current": 1}
    assert again["tenantSecrets"]["current"] >= 2
    assert values == dict(
        await owner.fetch(
            "SELECT name, sealed_value FROM wfm.tenant_secrets WHERE tenant_id = $1", tenant.id
        )
    )
    # and the human-readable report says the same
    plain = wfm("secrets", "rotate-key", env={**platform_env, "WFM_SECRET_KEYS": KEY2})
    assert plain.returncode == 0, plain.stderr
    assert "tenant secrets: 0 resealed" in plain.stdout


async def test_a_value_no_key_opens_is_reported_by_name_and_left_as_it_is(wfm, platform_env, owner):
    tenant = await a_tenant(owner)
    lost = box(LOST_KEY).seal("sealed under a key dropped too early")
    await add_secret(owner, tenant.id, "LOST_TOKEN", lost)
    await add_secret(owner, tenant.id, "KEPT_TOKEN", box(KEY1).seal("kept"))

    result = rotate(wfm, platform_env, KEY2, KEY1)
    assert result.returncode == 1
    assert f"tenant {tenant.id} secret LOST_TOKEN" in result.stderr
    assert "sealed under a key dropped" not in result.stdout + result.stderr
    stored = dict(
        await owner.fetch(
            "SELECT name, sealed_value FROM wfm.tenant_secrets WHERE tenant_id = $1", tenant.id
        )
    )
    assert stored["LOST_TOKEN"] == lost
    assert box(KEY2).open(stored["KEPT_TOKEN"]) == "kept"  # the rest was resealed
