"""Multi-factor sign-in (TOTP, RFC 6238) through the API, on a controlled clock: enrolment
with a provisioning URI and recovery codes, a login in two steps, codes accepted once and
within one step of drift, recovery codes used up, challenges single-use, expiring and bound
to their user, wrong codes throttled as wrong passwords, the enrolment required of market
operations when configured, and resets by administrators within their tenant."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pyotp
import pytest

from wfm_api.app import create_app
from wfm_shared.clock import FrozenClock
from wfm_shared.sealing import SecretBox
from wfm_shared.settings import Settings
from wfm_storage.bootstrap import Storage
from wfm_testing.factories import TEST_PASSWORD
from wfm_testing.graphql import GraphQLClient, GraphQLResult
from wfm_testing.pytest_plugin import next_client_address

LOGIN = """mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) {
    accessToken refreshToken expiresAt user { email }
    mfaRequired mfaChallenge mfaEnrolmentRequired
  }
}"""
VERIFY = """mutation($challenge: String!, $code: String!) {
  verifyMfa(challenge: $challenge, code: $code) {
    accessToken refreshToken user { email } mfaRequired mfaChallenge mfaEnrolmentRequired
  }
}"""
BEGIN = "mutation { beginMfaEnrolment { provisioningUri secret } }"
CONFIRM = "mutation($code: String!) { confirmMfaEnrolment(code: $code) { recoveryCodes } }"
DISABLE = "mutation($code: String!) { disableMfa(code: $code) }"
RESET = "mutation($user: ID!) { resetUserMfa(userId: $user) { id email } }"
REFRESH = "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }"
ME = "{ me { email } }"
STEP = timedelta(seconds=30)


@dataclass
class Api:
    """The API in this process on a clock of its own, one client address per test."""

    gql: GraphQLClient
    clock: FrozenClock

    async def login(self, email: str, password: str = TEST_PASSWORD) -> GraphQLResult:
        return await self.gql(LOGIN, {"email": email, "password": password})

    async def verify(self, challenge: str, code: str) -> GraphQLResult:
        return await self.gql(VERIFY, {"challenge": challenge, "code": code})

    async def challenge(self, email: str) -> str:
        payload = (await self.login(email)).ok()["login"]
        assert payload["mfaRequired"] is True
        challenge: str = payload["mfaChallenge"]
        return challenge

    async def signed_in(self, email: str, code: str) -> dict[str, Any]:
        signed: dict[str, Any] = (await self.verify(await self.challenge(email), code)).ok()[
            "verifyMfa"
        ]
        return signed

    def code(self, totp: pyotp.TOTP, steps: int = 0) -> str:
        """The code of the step `steps` away from the API's now."""
        return totp.at(self.clock.now() + steps * STEP)

    def wrong_code(self, totp: pyotp.TOTP) -> str:
        """A code of no step the API would accept now."""
        accepted = {self.code(totp, steps) for steps in range(-1, 2)}
        return next(c for c in ("000000", "111111", "222222", "333333") if c not in accepted)

    def next_step(self) -> None:
        self.clock.advance(STEP)


@contextlib.asynccontextmanager
async def serving(settings: Settings, storage: Storage, **overrides: Any) -> AsyncIterator[Api]:
    # Behind the real time, so that the access tokens it issues (checked against the real
    # time) are neither from the future nor expired while the test moves it a few minutes.
    clock = FrozenClock(datetime.now(UTC) - timedelta(minutes=10))
    app = create_app(settings.model_copy(update=overrides), storage=storage, clock=clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=(next_client_address(), 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
            yield Api(GraphQLClient(http), clock)


@pytest.fixture
async def api(wfm_settings, storage) -> AsyncIterator[Api]:
    async with serving(wfm_settings, storage, mfa_required_for_market_ops=False) as running:
        yield running


@dataclass
class Enrolled:
    totp: pyotp.TOTP
    recovery_codes: list[str]


async def enrol(api: Api, token: str) -> Enrolled:
    """Enrol a second factor with `token`'s session; the clock then moves to the next step
    (the confirming code is used up)."""
    begun = (await api.gql(BEGIN, token=token)).ok()["beginMfaEnrolment"]
    totp = pyotp.parse_uri(begun["provisioningUri"])
    assert isinstance(totp, pyotp.TOTP)
    confirmed = (await api.gql(CONFIRM, {"code": api.code(totp)}, token=token)).ok()
    api.next_step()
    return Enrolled(totp, confirmed["confirmMfaEnrolment"]["recoveryCodes"])


async def test_enrolment_answers_a_provisioning_uri_then_ten_recovery_codes_once(
    api, factory, owner_conn
):
    account = await factory.account("tenant_user", await factory.tenant())
    begun = (await api.gql(BEGIN, token=account.token)).ok()["beginMfaEnrolment"]
    uri = begun["provisioningUri"]
    assert uri.startswith("otpauth://totp/")
    totp = pyotp.parse_uri(uri)
    assert isinstance(totp, pyotp.TOTP)
    assert (totp.name, totp.issuer, totp.secret) == (
        account.user.email,
        "Workflow Manager",
        begun["secret"],
    )
    # pending: logins are not asked for a code yet
    assert (await api.login(account.user.email)).ok()["login"]["mfaRequired"] is False

    wrong = await api.gql(CONFIRM, {"code": api.wrong_code(totp)}, token=account.token)
    assert wrong.codes == ["VALIDATION_FAILED"]
    confirmed = await api.gql(CONFIRM, {"code": api.code(totp)}, token=account.token)
    codes = confirmed.ok()["confirmMfaEnrolment"]["recoveryCodes"]
    assert len(codes) == len(set(codes)) == 10

    # the secret is never answered again, and no recovery code is stored as such
    again = await api.gql(BEGIN, token=account.token)
    assert again.codes == ["CONFLICT"]
    assert begun["secret"] not in str(again.body)
    stored = await owner_conn.fetch(
        "SELECT code_hash FROM wfm.mfa_recovery_codes WHERE user_id = $1", account.user.id
    )
    assert len(stored) == 10
    assert not {c.replace("-", "") for c in codes} & {row["code_hash"] for row in stored}
    # nor is the secret: a copy of the database alone does not give the codes
    sealed = await owner_conn.fetchval(
        "SELECT secret FROM wfm.user_mfa WHERE user_id = $1", account.user.id
    )
    assert begun["secret"] not in sealed
    actions = await owner_conn.fetch(
        "SELECT action FROM wfm.audit_log WHERE target_id = $1 ORDER BY id",
        str(account.user.id),
    )
    assert [r["action"] for r in actions] == ["MFA_ENROLMENT_STARTED", "MFA_ENABLED"]


async def test_a_login_with_a_second_factor_answers_a_challenge_then_the_session(api, factory):
    account = await factory.account("tenant_admin", await factory.tenant())
    enrolled = await enrol(api, account.token)

    first = (await api.login(account.user.email)).ok()["login"]
    assert first == {
        "accessToken": None,
        "refreshToken": None,
        "expiresAt": None,
        "user": None,
        "mfaRequired": True,
        "mfaChallenge": first["mfaChallenge"],
        "mfaEnrolmentRequired": False,
    }
    assert len(first["mfaChallenge"]) >= 40

    signed = (await api.verify(first["mfaChallenge"], api.code(enrolled.totp))).ok()["verifyMfa"]
    assert signed["user"] == {"email": account.user.email}
    assert (signed["mfaRequired"], signed["mfaChallenge"]) == (False, None)
    me = await api.gql(ME, token=signed["accessToken"])
    assert me.ok()["me"]["email"] == account.user.email
    assert (await api.gql(REFRESH, {"t": signed["refreshToken"]})).ok()["refreshToken"]


async def test_existing_clients_of_login_keep_working_for_users_without_a_second_factor(
    api, factory
):
    account = await factory.account("tenant_user", await factory.tenant())
    result = await api.gql(
        "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }",
        {"e": account.user.email, "p": TEST_PASSWORD},
    )
    assert (await api.gql(ME, token=result.ok()["login"]["accessToken"])).ok()


async def test_a_code_is_accepted_once(api, factory):
    account = await factory.account("tenant_user", await factory.tenant())
    enrolled = await enrol(api, account.token)
    code = api.code(enrolled.totp)
    assert await api.signed_in(account.user.email, code)

    replayed = await api.verify(await api.challenge(account.user.email), code)
    assert replayed.codes == ["UNAUTHENTICATED"]
    # nor one of an earlier step still within the drift
    earlier = await api.verify(await api.challenge(account.user.email), api.code(enrolled.totp, -1))
    assert earlier.codes == ["UNAUTHENTICATED"]

    api.next_step()
    assert await api.signed_in(account.user.email, api.code(enrolled.totp))


async def test_one_code_sent_twice_at_once_signs_in_once(api, factory):
    account = await factory.account("tenant_user", await factory.tenant())
    enrolled = await enrol(api, account.token)
    challenges = [await api.challenge(account.user.email) for _ in range(2)]
    code = api.code(enrolled.totp)
    results = await asyncio.gather(*(api.verify(c, code) for c in challenges))
    assert sorted(str(r.codes) for r in results) == ["['UNAUTHENTICATED']", "[]"]


async def test_the_code_that_confirmed_the_enrolment_is_used_up(api, factory):
    account = await factory.account("tenant_user", await factory.tenant())
    begun = (await api.gql(BEGIN, token=account.token)).ok()["beginMfaEnrolment"]
    totp = pyotp.TOTP(begun["secret"])
    code = api.code(totp)
    (await api.gql(CONFIRM, {"code": code}, token=account.token)).ok()
    replayed = await api.verify(await api.challenge(account.user.email), code)
    assert replayed.codes == ["UNAUTHENTICATED"]


@pytest.mark.parametrize(
    ("steps", "accepted"), [(-2, False), (-1, True), (0, True), (1, True), (2, False)]
)
async def test_a_code_of_one_step_before_or_after_is_accepted_not_two(
    api, factory, steps, accepted
):
    account = await factory.account("tenant_user", await factory.tenant())
    enrolled = await enrol(api, account.token)
    api.clock.advance(4 * STEP)  # well after the step that confirmed the enrolment
    result = await api.verify(
        await api.challenge(account.user.email), api.code(enrolled.totp, steps)
    )
    if accepted:
        assert result.ok()["verifyMfa"]["user"] == {"email": account.user.email}
    else:
        assert result.codes == ["UNAUTHENTICATED"]


async def test_a_recovery_code_signs_in_once(api, factory, owner_conn):
    account = await factory.account("tenant_user", await factory.tenant())
    enrolled = await enrol(api, account.token)
    code = enrolled.recovery_codes[3]
    # typed without dashes and in lower case, it is the same code
    signed = await api.signed_in(account.user.email, code.replace("-", "").lower())
    assert signed["user"] == {"email": account.user.email}

    again = await api.verify(await api.challenge(account.user.email), code)
    assert again.codes == ["UNAUTHENTICATED"]
    assert await api.signed_in(account.user.email, enrolled.recovery_codes[4])
    audited = await owner_conn.fetch(
        "SELECT details FROM wfm.audit_log WHERE action = 'MFA_RECOVERY_CODE_USED' "
        "AND target_id = $1 ORDER BY id",
        str(account.user.id),
    )
    assert [row["details"]["recoveryCodesLeft"] for row in audited] == [9, 8]


async def test_a_used_expired_or_unknown_challenge_is_refused_alike(api, factory):
    account = await factory.account("tenant_user", await factory.tenant())
    enrolled = await enrol(api, account.token)

    used = await api.challenge(account.user.email)
    assert (await api.verify(used, api.code(enrolled.totp))).ok()
    api.next_step()
    used_again = await api.verify(used, api.code(enrolled.totp))

    expiring = await api.challenge(account.user.email)
    api.clock.advance(timedelta(minutes=5))
    expired = await api.verify(expiring, api.code(enrolled.totp))

    unknown = await api.verify("no-such-challenge", api.code(enrolled.totp))
    assert used_again.codes == expired.codes == unknown.codes == ["UNAUTHENTICATED"]
    assert used_again.errors[0]["message"] == expired.errors[0]["message"]
    assert expired.errors[0]["message"] == unknown.errors[0]["message"]
    # the code refused with the expired challenge still signs in with a live one
    assert await api.signed_in(account.user.email, api.code(enrolled.totp))


async def test_a_challenge_is_good_for_a_code_of_its_own_user_only(api, factory):
    tenant = await factory.tenant()
    alice = await factory.account("tenant_user", tenant)
    bob = await factory.account("tenant_admin", await factory.tenant())
    alices = await enrol(api, alice.token)
    bobs = await enrol(api, bob.token)

    challenge = await api.challenge(alice.user.email)
    assert (await api.verify(challenge, api.code(bobs.totp))).codes == ["UNAUTHENTICATED"]
    assert (await api.verify(challenge, bobs.recovery_codes[0])).codes == ["UNAUTHENTICATED"]
    signed = (await api.verify(challenge, api.code(alices.totp))).ok()["verifyMfa"]
    assert signed["user"] == {"email": alice.user.email}
    # Bob's recovery code was not used up by the attempt on Alice's challenge
    assert await api.signed_in(bob.user.email, bobs.recovery_codes[0])


async def test_wrong_codes_count_against_the_login_throttle(api, factory):
    account = await factory.account("tenant_user", await factory.tenant())
    enrolled = await enrol(api, account.token)
    challenge = await api.challenge(account.user.email)
    for _ in range(5):
        wrong = await api.verify(challenge, api.wrong_code(enrolled.totp))
        assert wrong.codes == ["UNAUTHENTICATED"]
    refused = await api.verify(challenge, api.code(enrolled.totp))
    assert refused.codes == ["RATE_LIMITED"]
    assert (await api.login(account.user.email)).codes == ["RATE_LIMITED"]


async def test_a_right_password_does_not_clear_the_failures_a_code_must_end(api, factory):
    account = await factory.account("tenant_user", await factory.tenant())
    enrolled = await enrol(api, account.token)
    for _ in range(4):
        assert (await api.login(account.user.email, "not the password")).codes == [
            "UNAUTHENTICATED"
        ]
    challenge = await api.challenge(account.user.email)
    assert (await api.verify(challenge, api.wrong_code(enrolled.totp))).codes == ["UNAUTHENTICATED"]
    assert (await api.login(account.user.email)).codes == ["RATE_LIMITED"]


async def test_unknown_challenges_count_against_the_clients_address(wfm_settings, storage):
    async with serving(wfm_settings, storage, login_max_attempts_per_address=3) as api:
        for _ in range(3):
            assert (await api.verify("guess", "123456")).codes == ["UNAUTHENTICATED"]
        assert (await api.verify("guess", "123456")).codes == ["RATE_LIMITED"]


async def test_turning_mfa_off_needs_a_current_code_or_a_recovery_code(api, factory, owner_conn):
    account = await factory.account("tenant_user", await factory.tenant())
    enrolled = await enrol(api, account.token)
    wrong = await api.gql(DISABLE, {"code": api.wrong_code(enrolled.totp)}, token=account.token)
    assert wrong.codes == ["VALIDATION_FAILED"]
    assert (await api.login(account.user.email)).ok()["login"]["mfaRequired"] is True

    disabled = await api.gql(DISABLE, {"code": enrolled.recovery_codes[0]}, token=account.token)
    assert disabled.ok() == {"disableMfa": True}
    assert (await api.login(account.user.email)).ok()["login"]["mfaRequired"] is False
    assert (await api.gql(DISABLE, {"code": "000000"}, token=account.token)).codes == ["CONFLICT"]
    assert not await owner_conn.fetchval(
        "SELECT count(*) FROM wfm.mfa_recovery_codes WHERE user_id = $1", account.user.id
    )
    # and on again, with a new secret
    assert await enrol(api, account.token)


async def test_wrong_codes_to_turn_mfa_off_are_throttled(api, factory):
    account = await factory.account("tenant_user", await factory.tenant())
    enrolled = await enrol(api, account.token)
    for _ in range(5):
        wrong = {"code": api.wrong_code(enrolled.totp)}
        assert (await api.gql(DISABLE, wrong, token=account.token)).codes == ["VALIDATION_FAILED"]
    right = await api.gql(DISABLE, {"code": api.code(enrolled.totp)}, token=account.token)
    assert right.codes == ["RATE_LIMITED"]


async def test_market_ops_must_enrol_first_when_required(wfm_settings, storage, factory):
    async with serving(wfm_settings, storage, mfa_required_for_market_ops=True) as api:
        ops = await factory.account("market_ops")
        payload = (await api.login(ops.user.email)).ok()["login"]
        assert payload["mfaEnrolmentRequired"] is True
        assert (payload["mfaRequired"], payload["refreshToken"], payload["user"]) == (
            False,
            None,
            None,
        )
        restricted = payload["accessToken"]

        # the restricted session may enrol, and nothing else
        for query in (ME, "{ templates { key } }", 'mutation { disableMfa(code: "000000") }'):
            refused = await api.gql(query, token=restricted)
            assert refused.codes == ["FORBIDDEN"], query
            assert refused.errors[0]["extensions"]["mfaEnrolmentRequired"] is True
        enrolled = await enrol(api, restricted)

        # then the login asks for a code, and the session is a full one
        signed = await api.signed_in(ops.user.email, api.code(enrolled.totp))
        assert (await api.gql("{ templates { key } }", token=signed["accessToken"])).ok()
        assert (await api.gql(BEGIN, token=restricted)).codes == ["CONFLICT"]

        # the other roles are not asked to enrol
        user = await factory.account("tenant_admin", await factory.tenant())
        assert (await api.login(user.user.email)).ok()["login"]["refreshToken"]


def test_the_requirement_for_market_ops_is_on_by_default_in_production_only():
    secret, keys = "s" * 40, SecretBox.generate_key()
    assert Settings(env="production", jwt_secret=secret, secret_keys=keys).market_ops_mfa_required
    assert Settings(env="dev").market_ops_mfa_required is False
    assert Settings(env="test").market_ops_mfa_required is False
    turned_off = Settings(
        env="production", jwt_secret=secret, secret_keys=keys, mfa_required_for_market_ops=False
    )
    assert turned_off.market_ops_mfa_required is False
    assert Settings(env="dev", mfa_required_for_market_ops=True).market_ops_mfa_required is True


async def test_administrators_reset_second_factors_within_their_tenant(api, factory, owner_conn):
    tenant_a, tenant_b = await factory.tenant(), await factory.tenant()
    admin_a = await factory.account("tenant_admin", tenant_a)
    user_a = await factory.account("tenant_user", tenant_a)
    user_b = await factory.account("tenant_user", tenant_b)
    ops = await factory.account("market_ops")
    colleague = await factory.account("market_ops")
    for account in (admin_a, user_a, user_b, colleague):
        await enrol(api, account.token)

    async def reset(who, whom) -> GraphQLResult:
        return await api.gql(RESET, {"user": str(whom.user.id)}, token=who.token)

    async def asks_for_a_code(account) -> bool:
        login = (await api.login(account.user.email)).ok()["login"]
        asked: bool = login["mfaRequired"]
        return asked

    # another tenant's user and market operations answer as an unknown user
    foreign, unknown = await reset(admin_a, user_b), await reset(admin_a, colleague)
    assert foreign.codes == unknown.codes == ["NOT_FOUND"]
    assert await asks_for_a_code(user_b)
    assert await asks_for_a_code(colleague)
    # a participant may not, nor may anyone drop its own without a code
    assert (await reset(user_a, user_a)).codes == ["FORBIDDEN"]
    assert (await reset(admin_a, admin_a)).codes == ["FORBIDDEN"]

    assert (await reset(admin_a, user_a)).ok()["resetUserMfa"]["email"] == user_a.user.email
    assert not await asks_for_a_code(user_a)
    assert (await reset(ops, user_b)).ok()
    assert (await reset(ops, colleague)).ok()
    assert not await asks_for_a_code(user_b)
    assert not await asks_for_a_code(colleague)

    audited = await owner_conn.fetch(
        "SELECT tenant_id, actor_id FROM wfm.audit_log WHERE action = 'MFA_RESET' "
        "AND target_id = ANY($1::text[]) ORDER BY id",
        [str(user_a.user.id), str(user_b.user.id)],
    )
    assert [(r["tenant_id"], r["actor_id"]) for r in audited] == [
        (tenant_a.id, admin_a.user.id),
        (tenant_b.id, ops.user.id),
    ]


ME_MFA = "{ me { mfaEnabled } }"
USER_MFA = "query($id: ID!) { user(id: $id) { email mfaEnabled } }"
USERS_MFA = """query($email: String!) {
  users(first: 5, filter: {search: $email}) { nodes { email mfaEnabled } } }"""
RESET_MFA = "mutation($user: ID!) { resetUserMfa(userId: $user) { mfaEnabled } }"


async def test_whoever_sees_a_user_sees_whether_its_second_factor_is_on(api, factory):
    tenant_a, tenant_b = await factory.tenant(), await factory.tenant()
    user_a = await factory.account("tenant_user", tenant_a)
    admin_a = await factory.account("tenant_admin", tenant_a)
    admin_b = await factory.account("tenant_admin", tenant_b)
    ops = await factory.account("market_ops")

    async def own(account) -> bool:
        enabled: bool = (await api.gql(ME_MFA, token=account.token)).ok()["me"]["mfaEnabled"]
        return enabled

    async def listed_for(viewer) -> dict[str, bool]:
        found = await api.gql(USERS_MFA, {"email": user_a.user.email}, token=viewer.token)
        return {node["email"]: node["mfaEnabled"] for node in found.ok()["users"]["nodes"]}

    async def seen_by(viewer) -> bool:
        """user_a's second factor as `viewer` reads it: the same by id and in the list."""
        found = await api.gql(USER_MFA, {"id": str(user_a.user.id)}, token=viewer.token)
        enabled: bool = found.ok()["user"]["mfaEnabled"]
        assert (await listed_for(viewer))[user_a.user.email] is enabled
        return enabled

    assert not await own(user_a)
    (await api.gql(BEGIN, token=user_a.token)).ok()
    assert not await own(user_a)  # a pending enrolment is not a second factor
    assert not await seen_by(admin_a)

    enrolled = await enrol(api, user_a.token)
    assert await own(user_a)
    assert await seen_by(admin_a)
    assert await seen_by(ops)
    assert not await own(admin_a)  # its own, not the users it manages

    # another tenant's administrator does not see the user at all: as an unknown one
    foreign = await api.gql(USER_MFA, {"id": str(user_a.user.id)}, token=admin_b.token)
    unknown_id = "00000000-0000-4000-8000-000000000000"
    unknown = await api.gql(USER_MFA, {"id": unknown_id}, token=admin_b.token)
    assert foreign.codes == unknown.codes == ["NOT_FOUND"]
    assert foreign.errors[0]["message"].replace(str(user_a.user.id), "?") == unknown.errors[0][
        "message"
    ].replace(unknown_id, "?")
    assert await listed_for(admin_b) == {}

    disabled = await api.gql(DISABLE, {"code": api.code(enrolled.totp)}, token=user_a.token)
    assert disabled.ok() == {"disableMfa": True}
    assert not await own(user_a)
    assert not await seen_by(admin_a)

    await enrol(api, user_a.token)
    assert await seen_by(ops)
    reset = await api.gql(RESET_MFA, {"user": str(user_a.user.id)}, token=admin_a.token)
    assert reset.ok() == {"resetUserMfa": {"mfaEnabled": False}}
    assert not await own(user_a)
