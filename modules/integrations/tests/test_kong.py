import uuid

import pytest

from wfm_integrations.kong import KongAdmin, KongError
from wfm_testing.peers import FakeKongAdmin, serve_asgi

TENANT = uuid.UUID("5f0c6a52-3d4e-4a61-9a8b-0c1d2e3f4a5b")
CREDENTIAL_ID = uuid.uuid5(TENANT, "BRP")
KEY = "a-key-the-platform-chose-0123456789"


async def test_putting_consumer_and_key_twice_gives_one_of_each_with_the_same_key(operator_client):
    kong = FakeKongAdmin()
    async with serve_asgi(kong.app()) as admin_url:
        admin = KongAdmin(operator_client, admin_url)
        tags = ["wfm", f"tenant:{TENANT}"]
        first_consumer = await admin.ensure_consumer("ardennes-energie", str(TENANT), tags)
        second_consumer = await admin.ensure_consumer("ardennes-energie", str(TENANT), tags)
        first_key = await admin.put_key_auth("ardennes-energie", CREDENTIAL_ID, KEY, tags)
        second_key = await admin.put_key_auth("ardennes-energie", CREDENTIAL_ID, KEY, tags)

    assert list(kong.consumers) == ["ardennes-energie"]
    assert first_consumer["id"] == second_consumer["id"]
    assert first_consumer["custom_id"] == str(TENANT)
    assert list(kong.credentials) == [str(CREDENTIAL_ID)]
    assert first_key["id"] == second_key["id"] == str(CREDENTIAL_ID)
    assert kong.credentials[str(CREDENTIAL_ID)]["key"] == KEY


async def test_a_new_key_replaces_the_old_one_and_a_deleted_credential_is_gone(operator_client):
    kong = FakeKongAdmin()
    async with serve_asgi(kong.app()) as admin_url:
        admin = KongAdmin(operator_client, admin_url)
        await admin.ensure_consumer("flanders-flex", "t-2", ["wfm"])
        await admin.put_key_auth("flanders-flex", CREDENTIAL_ID, KEY, ["wfm"])
        after = await admin.put_key_auth("flanders-flex", CREDENTIAL_ID, "another-key", ["wfm"])
        assert after["key"] == "another-key"
        assert kong.credentials[str(CREDENTIAL_ID)]["key"] == "another-key"
        await admin.delete_key_auth("flanders-flex", CREDENTIAL_ID)
        await admin.delete_key_auth("flanders-flex", CREDENTIAL_ID)  # already gone: done
    assert str(CREDENTIAL_ID) not in kong.credentials


async def test_unique_violation_is_a_kong_error_with_kongs_message(operator_client):
    kong = FakeKongAdmin()
    async with serve_asgi(kong.app()) as admin_url:
        admin = KongAdmin(operator_client, admin_url)
        await admin.ensure_consumer("ardennes-energie", "same-id", [])
        with pytest.raises(KongError) as caught:
            await admin.ensure_consumer("flanders-flex", "same-id", [])
    assert caught.value.status == 409
    assert "UNIQUE violation" in caught.value.reason
    assert not caught.value.retryable


async def test_a_key_for_a_missing_consumer_is_a_kong_error_that_never_quotes_the_key(
    operator_client,
):
    async with serve_asgi(FakeKongAdmin().app()) as admin_url:
        with pytest.raises(KongError) as caught:
            await KongAdmin(operator_client, admin_url).put_key_auth(
                "nobody", CREDENTIAL_ID, KEY, []
            )
    assert caught.value.status == 404
    assert "Not found" in caught.value.reason
    assert KEY not in caught.value.reason


async def test_unreachable_admin_api_is_a_retryable_kong_error(operator_client, closed_port):
    admin = KongAdmin(operator_client, f"http://127.0.0.1:{closed_port}")
    with pytest.raises(KongError) as caught:
        await admin.ensure_consumer("ardennes-energie", str(TENANT), [])
    assert caught.value.status is None
    assert caught.value.retryable


async def test_username_is_escaped_in_the_path(operator_client):
    kong = FakeKongAdmin()
    async with serve_asgi(kong.app()) as admin_url:
        consumer = await KongAdmin(operator_client, admin_url).ensure_consumer(
            "Énergie & Co?", "x", []
        )
    assert consumer["username"] == "Énergie & Co?"
    assert list(kong.consumers) == ["Énergie & Co?"]
