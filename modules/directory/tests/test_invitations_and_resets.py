"""Invitations and password resets through the user service, against the real servers and a
real SMTP peer (aiosmtpd), on a controlled clock: links mailed in the recipient's language,
tokens single-use, expiring, bound to their user and purpose, stored as digests only; the
same answer to a reset request whatever the address; the password policy when a password
is set."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from wfm_shared.clock import FrozenClock
from wfm_shared.errors import Forbidden, NotFound, ValidationFailed
from wfm_shared.principal import system_principal
from wfm_shared.security import verify_password
from wfm_storage.repositories.users import UserFilter
from wfm_testing.peers import SmtpSink

PUBLIC_URL = "https://wfm.example.test"
NEW_PASSWORD = "violet tractors sing at dawn"
LINK = re.compile(re.escape(PUBLIC_URL) + r"/(invitations|reset-password)/([A-Za-z0-9_-]+)")


def unique_email(prefix="someone"):
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.test"


def link_in(mail, kind="invitations"):
    found = LINK.search(mail.get_content())
    assert found is not None, mail.get_content()
    assert found.group(1) == kind
    return found.group(2)


def fields(error):
    return [(e.path, e.message) for e in error.errors]


@pytest.fixture
def sink():
    with SmtpSink() as running:
        yield running


@pytest.fixture
def clock():
    return FrozenClock(datetime.now(UTC))


@pytest.fixture
async def mailing_services(wfm_settings, storage, make_services, sink, clock):
    settings = wfm_settings.model_copy(
        update={"smtp_host": sink.host, "smtp_port": sink.port, "public_url": PUBLIC_URL + "/"}
    )
    return await make_services(settings, storage, clock=clock)


@pytest.fixture
def users(mailing_services):
    return mailing_services.users


@pytest.fixture
def ops():
    return system_principal()


async def invited(users, sink, principal, **details):
    """Invite, and return the user and the token of the link its mail carries."""
    before = len(sink.messages)
    user = await users.invite(
        principal,
        email=details.pop("email", unique_email()),
        role=details.pop("role", "tenant_user"),
        locale=details.pop("locale", "en"),
        **details,
    )
    mails = await sink.wait_for(before + 1)
    return user, link_in(mails[-1])


async def reset_token(users, sink, email):
    before = len(sink.messages)
    await users.request_password_reset(email)
    await users.settle()
    mails = await sink.wait_for(before + 1)
    return link_in(mails[-1], "reset-password")


async def test_an_invitation_mails_a_link_in_the_invitees_language(users, factory, sink):
    tenant = await factory.tenant(company_name="Ardennes Énergie SA")
    admin = await factory.account("tenant_admin", tenant, display_name="Anna Lambert")
    expected = {
        "fr": ("Vous êtes invité sur Workflow Manager", "vous invite à rejoindre"),
        "nl": ("U bent uitgenodigd voor Workflow Manager", "nodigt u uit bij"),
        "en": ("You are invited to Workflow Manager", "invites you to join"),
    }
    emails = {}
    for locale in expected:
        emails[locale] = unique_email(locale)
        user = await users.invite(
            admin.principal, email=emails[locale], role="tenant_user", locale=locale
        )
        assert (user.status, user.tenant_id, user.locale) == ("invited", tenant.id, locale)
    mails = {m["To"].addresses[0].addr_spec: m for m in await sink.wait_for(3)}
    for locale, (subject, phrase) in expected.items():
        mail = mails[emails[locale]]
        assert (mail["Subject"], mail["Content-Language"]) == (subject, locale)
        body = mail.get_content()
        assert f"Anna Lambert {phrase} Ardennes Énergie SA" in body
        assert len(link_in(mail)) >= 43  # 32 random bytes


async def test_a_token_is_stored_only_as_its_sha256_digest_and_told_nowhere_else(
    users, factory, sink, owner_conn
):
    tenant = await factory.tenant()
    admin = await factory.account("tenant_admin", tenant)
    user, token = await invited(users, sink, admin.principal)
    rows = await owner_conn.fetch("SELECT * FROM wfm.user_tokens WHERE user_id = $1", user.id)
    assert len(rows) == 1
    assert rows[0]["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in json.dumps([dict(r) for r in rows], default=str)
    accepted = await users.accept_invitation(token, NEW_PASSWORD)
    audit = await owner_conn.fetch(
        "SELECT action, details FROM wfm.audit_log WHERE target_id = $1 ORDER BY id",
        str(user.id),
    )
    assert [a["action"] for a in audit] == ["USER_INVITED", "INVITATION_ACCEPTED"]
    assert token not in json.dumps([dict(a) for a in audit])
    assert token not in repr(accepted)
    stored = await owner_conn.fetch(
        "SELECT subject, body FROM wfm.notifications WHERE user_id = $1", user.id
    )
    assert stored == []  # the link goes by mail alone: no in-app copy


async def test_accepting_sets_the_password_activates_the_user_and_uses_the_link_up(
    users, factory, sink, owner_conn
):
    tenant = await factory.tenant()
    admin = await factory.account("tenant_admin", tenant)
    user, token = await invited(users, sink, admin.principal, display_name="Jan")
    invited_version = user.token_version
    accepted = await users.accept_invitation(token, NEW_PASSWORD, "  Jan Peeters ")
    assert (accepted.id, accepted.status, accepted.display_name) == (
        user.id,
        "active",
        "Jan Peeters",
    )
    assert accepted.token_version > invited_version
    stored = await owner_conn.fetchval("SELECT password_hash FROM wfm.users WHERE id = $1", user.id)
    assert verify_password(NEW_PASSWORD, stored)
    with pytest.raises(ValidationFailed) as again:
        await users.accept_invitation(token, "another sound password")
    assert fields(again.value) == [(("token",), "is unknown, used or expired")]


async def test_an_invitation_expires_after_the_configured_seven_days(users, factory, sink, clock):
    admin = await factory.account("tenant_admin", await factory.tenant())
    _, early = await invited(users, sink, admin.principal)
    _, late = await invited(users, sink, admin.principal)
    clock.advance(timedelta(days=7) - timedelta(minutes=1))
    assert (await users.accept_invitation(early, NEW_PASSWORD)).status == "active"
    clock.advance(timedelta(minutes=2))
    with pytest.raises(ValidationFailed, match="invalid or has expired"):
        await users.accept_invitation(late, NEW_PASSWORD)


async def test_an_unknown_used_or_expired_token_is_refused_alike(users, factory, sink, clock):
    admin = await factory.account("tenant_admin", await factory.tenant())
    _, used = await invited(users, sink, admin.principal)
    await users.accept_invitation(used, NEW_PASSWORD)
    _, expired = await invited(users, sink, admin.principal)
    clock.advance(timedelta(days=8))
    answers = []
    for token in ("no-such-token", used, expired):
        with pytest.raises(ValidationFailed) as refused:
            await users.accept_invitation(token, NEW_PASSWORD)
        answers.append((refused.value.message, fields(refused.value)))
    assert len(set(map(repr, answers))) == 1


async def test_inviting_an_invited_user_again_replaces_its_link(users, factory, sink):
    tenant = await factory.tenant()
    admin = await factory.account("tenant_admin", tenant)
    email = unique_email()
    first, old = await invited(users, sink, admin.principal, email=email)
    again, new = await invited(
        users, sink, admin.principal, email=email, locale="nl", role="tenant_admin"
    )
    assert (again.id, again.locale, again.role) == (first.id, "nl", "tenant_admin")
    with pytest.raises(ValidationFailed):
        await users.accept_invitation(old, NEW_PASSWORD)
    assert (await users.accept_invitation(new, NEW_PASSWORD)).role == "tenant_admin"


async def test_a_link_works_only_for_its_own_purpose(users, factory, sink):
    tenant = await factory.tenant()
    admin = await factory.account("tenant_admin", tenant)
    user, invitation = await invited(users, sink, admin.principal)
    with pytest.raises(ValidationFailed, match="invalid or has expired"):
        await users.reset_password(invitation, NEW_PASSWORD)
    await users.accept_invitation(invitation, NEW_PASSWORD)
    reset = await reset_token(users, sink, user.email)
    with pytest.raises(ValidationFailed, match="invalid or has expired"):
        await users.accept_invitation(reset, NEW_PASSWORD)


async def test_the_password_policy_applies_and_a_refused_password_leaves_the_link_usable(
    users, factory, sink
):
    admin = await factory.account("tenant_admin", await factory.tenant())
    user, token = await invited(users, sink, admin.principal)
    for password, reason in (
        ("short", "must be at least 12 characters"),
        ("1qaz2wsx3edc", "is one of the most common passwords"),
        (user.email, "must not be your e-mail address"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            await users.accept_invitation(token, password)
        assert fields(refused.value) == [(("password",), reason)]
    assert (await users.accept_invitation(token, NEW_PASSWORD)).status == "active"
    reset = await reset_token(users, sink, user.email)
    with pytest.raises(ValidationFailed) as refused:
        await users.reset_password(reset, "password1234")
    assert fields(refused.value) == [(("newPassword",), "is one of the most common passwords")]
    await users.reset_password(reset, "another sound password")


async def test_a_reset_is_mailed_to_an_active_user_alone_and_the_answer_is_the_same(
    users, factory, sink, owner_conn
):
    tenant = await factory.tenant()
    active = await factory.account("tenant_user", tenant, locale="nl", display_name="Pieter")
    disabled = await factory.account("tenant_user", tenant)
    await owner_conn.execute(
        "UPDATE wfm.users SET status = 'disabled' WHERE id = $1", disabled.user.id
    )
    answers = [
        await users.request_password_reset(email)
        for email in (active.user.email.upper(), disabled.user.email, unique_email("nobody"))
    ]
    await users.settle()
    assert answers == [None, None, None]
    (mail,) = await sink.wait_for(1)
    await asyncio.sleep(0.2)  # nothing else arrives
    assert len(sink.messages) == 1
    assert mail["To"].addresses[0].addr_spec == active.user.email
    assert mail["Subject"] == "Stel uw wachtwoord voor Workflow Manager opnieuw in"
    assert mail["Content-Language"] == "nl"
    body = mail.get_content()
    assert "Hallo Pieter" in body
    assert "binnen 30 minuten" in body
    token = link_in(mail, "reset-password")
    audit = await owner_conn.fetch(
        "SELECT actor_id, action, details FROM wfm.audit_log WHERE target_id = $1",
        str(active.user.id),
    )
    assert [(a["actor_id"], a["action"]) for a in audit] == [(None, "PASSWORD_RESET_REQUESTED")]
    assert token not in json.dumps([dict(a) for a in audit], default=str)


async def test_a_reset_link_is_single_use_expires_after_thirty_minutes_and_ends_sessions(
    users, factory, sink, clock, owner_conn
):
    account = await factory.account("tenant_user", await factory.tenant())
    token = await reset_token(users, sink, account.user.email)
    clock.advance(timedelta(minutes=29))
    changed = await users.reset_password(token, NEW_PASSWORD)
    assert changed.token_version > account.user.token_version  # its sessions ended
    stored = await owner_conn.fetchval(
        "SELECT password_hash FROM wfm.users WHERE id = $1", account.user.id
    )
    assert verify_password(NEW_PASSWORD, stored)
    with pytest.raises(ValidationFailed, match="invalid or has expired"):
        await users.reset_password(token, "another sound password")
    late = await reset_token(users, sink, account.user.email)
    clock.advance(timedelta(minutes=30, seconds=1))
    with pytest.raises(ValidationFailed, match="invalid or has expired"):
        await users.reset_password(late, "another sound password")


async def test_a_newer_reset_link_replaces_the_older(users, factory, sink):
    account = await factory.account("tenant_user", await factory.tenant())
    older = await reset_token(users, sink, account.user.email)
    newer = await reset_token(users, sink, account.user.email)
    with pytest.raises(ValidationFailed):
        await users.reset_password(older, NEW_PASSWORD)
    await users.reset_password(newer, NEW_PASSWORD)


async def test_beyond_three_reset_requests_an_hour_for_an_account_nothing_is_sent(
    users, factory, sink, clock
):
    account = await factory.account("tenant_user", await factory.tenant())
    for _ in range(5):
        assert await users.request_password_reset(account.user.email) is None
    await users.settle()
    await sink.wait_for(3)
    await asyncio.sleep(0.2)
    assert len(sink.messages) == 3
    clock.advance(timedelta(hours=1, seconds=1))
    await users.request_password_reset(account.user.email)
    await users.settle()
    await sink.wait_for(4)


async def test_a_reset_request_is_answered_before_its_mail_leaves(
    wfm_settings, storage, make_services, factory
):
    released = asyncio.Event()

    async def stall(reader, writer):  # an SMTP server that says nothing until released
        await released.wait()
        writer.close()

    server = await asyncio.start_server(stall, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    settings = wfm_settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port})
    users = (await make_services(settings, storage)).users
    account = await factory.account("tenant_user", await factory.tenant())
    started = time.monotonic()
    await users.request_password_reset(account.user.email)
    assert time.monotonic() - started < 1.0
    released.set()
    await users.settle()  # the mail failed: logged, nobody waits for it
    server.close()
    await server.wait_closed()


async def test_a_tenant_admin_invites_into_its_own_tenant_only_and_never_market_ops(
    users, factory, sink, ops
):
    tenant, other = await factory.tenant(), await factory.tenant()
    admin = await factory.account("tenant_admin", tenant)
    user, _ = await invited(users, sink, admin.principal)  # no tenant named: its own
    assert user.tenant_id == tenant.id
    for role, tenant_id in (("tenant_user", other.id), ("market_ops", None)):
        with pytest.raises(Forbidden):
            await users.invite(
                admin.principal,
                email=unique_email(),
                role=role,
                locale="en",
                tenant_id=tenant_id,
            )
    plain = await factory.account("tenant_user", tenant)
    with pytest.raises(Forbidden):
        await users.invite(plain.principal, email=unique_email(), role="tenant_user", locale="en")
    staff, _ = await invited(users, sink, ops, role="market_ops")
    assert (staff.tenant_id, staff.role) == (None, "market_ops")
    into_other, _ = await invited(users, sink, ops, role="tenant_admin", tenant_id=other.id)
    assert into_other.tenant_id == other.id


async def test_a_tenant_admin_cannot_see_change_disable_or_enable_another_tenants_users(
    users, factory
):
    tenant, other = await factory.tenant(), await factory.tenant()
    admin = await factory.account("tenant_admin", tenant)
    foreign = await factory.account("tenant_user", other)
    for attempt in (
        users.get(admin.principal, foreign.user.id),
        users.update(admin.principal, foreign.user.id, display_name="X"),
        users.disable_user(admin.principal, foreign.user.id),
        users.enable_user(admin.principal, foreign.user.id),
    ):
        with pytest.raises(NotFound):
            await attempt
    with pytest.raises(Forbidden):
        await users.page(admin.principal, UserFilter(tenant_id=other.id), first=10, after=None)
    page = await users.page(admin.principal, UserFilter(), first=100, after=None)
    assert {u.tenant_id for u in page.users} == {tenant.id}
    plain = await factory.account("tenant_user", tenant)
    for attempt in (
        users.get(plain.principal, admin.user.id),
        users.page(plain.principal, UserFilter(), first=10, after=None),
        users.update(plain.principal, admin.user.id, locale="fr"),
        users.disable_user(plain.principal, admin.user.id),
        users.enable_user(plain.principal, admin.user.id),
    ):
        with pytest.raises(Forbidden, match=r"lacks users\.manage"):
            await attempt


async def test_disabling_a_user_voids_its_pending_links(users, factory, sink):
    admin = await factory.account("tenant_admin", await factory.tenant())
    user, token = await invited(users, sink, admin.principal)
    disabled = await users.disable_user(admin.principal, user.id)
    assert disabled.status == "disabled"
    with pytest.raises(ValidationFailed, match="invalid or has expired"):
        await users.accept_invitation(token, NEW_PASSWORD)
    assert (await users.enable_user(admin.principal, user.id)).status == "active"


async def test_a_password_an_operator_sets_activates_an_invited_user_and_voids_its_link(
    users, factory, sink, owner_conn, ops
):
    admin = await factory.account("tenant_admin", await factory.tenant())
    user, token = await invited(users, sink, admin.principal)
    changed = await users.set_password(ops, user.email, NEW_PASSWORD)
    assert (changed.id, changed.status) == (user.id, "active")
    stored = await owner_conn.fetchval("SELECT password_hash FROM wfm.users WHERE id = $1", user.id)
    assert verify_password(NEW_PASSWORD, stored)
    with pytest.raises(ValidationFailed, match="invalid or has expired"):
        await users.accept_invitation(token, "another sound password")
    actions = await owner_conn.fetch(
        "SELECT action FROM wfm.audit_log WHERE target_id = $1 ORDER BY occurred_at, id",
        str(user.id),
    )
    assert [a["action"] for a in actions][-2:] == ["USER_PASSWORD_SET", "USER_ENABLED"]


async def test_nobody_disables_themselves(users, factory):
    admin = await factory.account("tenant_admin", await factory.tenant())
    with pytest.raises(ValidationFailed) as refused:
        await users.disable_user(admin.principal, admin.user.id)
    assert fields(refused.value) == [(("id",), "is your own")]


async def test_a_role_changes_between_the_tenant_roles_only_and_never_ones_own(users, factory, ops):
    tenant = await factory.tenant()
    admin = await factory.account("tenant_admin", tenant)
    colleague = await factory.account("tenant_user", tenant)
    staff = await factory.account("market_ops")
    promoted = await users.update(admin.principal, colleague.user.id, role="tenant_admin")
    assert promoted.role == "tenant_admin"
    assert promoted.token_version > colleague.user.token_version  # its sessions ended
    refusals = (
        (admin.principal, colleague.user.id, "market_ops"),
        (admin.principal, admin.user.id, "tenant_user"),
        (ops, staff.user.id, "tenant_admin"),
    )
    for principal, user_id, role in refusals:
        with pytest.raises(ValidationFailed) as refused:
            await users.update(principal, user_id, role=role)
        assert [e.path for e in refused.value.errors] == [("role",)]
    renamed = await users.update(admin.principal, colleague.user.id, display_name="", locale="fr")
    assert (renamed.display_name, renamed.locale, renamed.token_version) == (
        None,
        "fr",
        promoted.token_version,  # neither name nor language ends a session
    )


async def test_changing_ones_password_needs_the_current_one_and_the_policy(
    users, factory, owner_conn
):
    account = await factory.account("tenant_user", await factory.tenant())
    with pytest.raises(ValidationFailed) as wrong:
        await users.change_password(
            account.principal, current_password="not my password", new_password=NEW_PASSWORD
        )
    assert fields(wrong.value) == [(("currentPassword",), "is not your password")]
    with pytest.raises(ValidationFailed) as weak:
        await users.change_password(
            account.principal, current_password=account.password, new_password="password"
        )
    assert fields(weak.value) == [(("newPassword",), "must be at least 12 characters")]
    changed = await users.change_password(
        account.principal, current_password=account.password, new_password=NEW_PASSWORD
    )
    assert changed.token_version == account.user.token_version + 1
    action = await owner_conn.fetchval(
        "SELECT action FROM wfm.audit_log WHERE target_id = $1 ORDER BY id DESC LIMIT 1",
        str(account.user.id),
    )
    assert action == "USER_PASSWORD_CHANGED"
