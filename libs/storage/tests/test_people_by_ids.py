"""Who a caller may see by id (`wfm.people_by_ids`, migration 0015), as the app role: a
tenant its own users in full and market operations staff by name alone, never another
tenant's users; market operations everyone; no principal, nobody."""

import uuid

import pytest

from wfm_shared.principal import system_principal
from wfm_storage.repositories.people import Person, people_by_ids


@pytest.fixture
async def people(factory):
    a, b = await factory.tenant(), await factory.tenant()
    return {
        "a_admin": await factory.account("tenant_admin", a, display_name="Anna A"),
        "a_user": await factory.account("tenant_user", a),
        "b_admin": await factory.account("tenant_admin", b, display_name="Bert B"),
        "ops": await factory.account("market_ops", display_name="Olivia Ops"),
        "ops_unnamed": await factory.account("market_ops"),
    }


async def seen_by(storage, principal, people) -> dict[str, Person]:
    ids = {account.user.id: name for name, account in people.items()}
    async with storage.db.transaction(principal) as conn:
        assert await conn.fetchval("SELECT current_user") == "wfm_app"
        found = await people_by_ids(conn, [*ids, uuid.uuid4()])
    return {ids[user_id]: person for user_id, person in found.items()}


async def test_a_tenant_sees_its_users_in_full_and_staff_by_name_alone(storage, people):
    seen = await seen_by(storage, people["a_user"].principal, people)
    assert set(seen) == {"a_admin", "a_user", "ops", "ops_unnamed"}
    admin = people["a_admin"].user
    assert seen["a_admin"] == Person(
        admin.id, admin.tenant_id, "tenant_admin", "Anna A", admin.email, "active"
    )
    assert seen["a_user"].email == people["a_user"].user.email
    ops = people["ops"].user
    assert seen["ops"] == Person(ops.id, None, "market_ops", "Olivia Ops", None, None)
    assert (seen["ops_unnamed"].display_name, seen["ops_unnamed"].email) == (None, None)


async def test_another_tenants_users_are_never_seen(storage, people):
    for viewer in ("a_admin", "a_user"):
        assert "b_admin" not in await seen_by(storage, people[viewer].principal, people)
    assert set(await seen_by(storage, people["b_admin"].principal, people)) == {
        "b_admin",
        "ops",
        "ops_unnamed",
    }


async def test_market_operations_see_everyone_in_full(storage, people):
    for viewer in (people["ops"].principal, system_principal()):
        seen = await seen_by(storage, viewer, people)
        assert set(seen) == set(people)
        assert all(p.email and p.status == "active" for p in seen.values())


async def test_without_a_principal_nobody_is_seen(storage, people):
    assert await seen_by(storage, None, people) == {}
