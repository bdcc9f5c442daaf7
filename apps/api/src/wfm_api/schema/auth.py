"""Who am I, and the login / refresh / logout mutations; multi-factor sign-in (TOTP)."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from wfm_api.auth import AuthSession, EnrolmentSession, SignIn
from wfm_api.browser_session import RefreshCookie, wants_cookie
from wfm_api.schema.common import Info, described_field, described_mutation
from wfm_api.schema.tenants import Tenant, load_tenant
from wfm_directory.mfa import CHALLENGE_TTL, MfaChallenge, MfaEnrolment
from wfm_shared.errors import NotFound
from wfm_shared.ids import parse_id
from wfm_storage.records import User as UserRecord


@strawberry.type
class User:
    record: strawberry.Private[UserRecord]
    granted: strawberry.Private[frozenset[str]]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.record.id))

    @strawberry.field
    def email(self) -> str:
        return self.record.email

    @strawberry.field
    def role(self) -> str:
        return self.record.role

    @strawberry.field
    def display_name(self) -> str | None:
        return self.record.display_name

    @strawberry.field
    def locale(self) -> str:
        return self.record.locale

    @described_field("invited (until the invitation is accepted), active or disabled")
    def status(self) -> str:
        return self.record.status

    @strawberry.field
    def created_at(self) -> datetime:
        return self.record.created_at

    @strawberry.field
    def permissions(self) -> list[str]:
        return sorted(self.granted)

    @described_field(
        "Whether the user has a second factor turned on (a pending enrolment is not one)"
    )
    async def mfa_enabled(self, info: Info) -> bool:
        return await info.context.loaders.load_mfa_enabled(self.record.id)

    @strawberry.field
    async def tenant(self, info: Info) -> Tenant | None:
        if self.record.tenant_id is None:
            return None
        return await load_tenant(info, self.record.tenant_id)


async def load_user(info: Info, user_id: uuid.UUID) -> User:
    principal = info.context.principal
    found = await info.context.services.storage.users.by_ids(info.context.session, [user_id])
    if user_id not in found:
        raise NotFound("user", user_id)
    return User(record=found[user_id], granted=principal.permissions)


@strawberry.type(
    description="What a login answers: a session; or, for a user with a second factor, a "
    "challenge to send with a code to verifyMfa (mfaRequired); or, for a user who must enrol "
    "a second factor first, an access token that only beginMfaEnrolment and "
    "confirmMfaEnrolment accept (mfaEnrolmentRequired)"
)
class AuthPayload:
    signed_in: strawberry.Private[SignIn]
    # the refresh token went to the browser's cookie (wfm_api.browser_session), not here
    refresh_in_cookie: strawberry.Private[bool] = False

    @described_field(
        "Bearer token for the Authorization header; null when mfaRequired, good for the "
        "enrolment mutations alone when mfaEnrolmentRequired"
    )
    def access_token(self) -> str | None:
        return None if isinstance(self.signed_in, MfaChallenge) else self.signed_in.access_token

    @strawberry.field
    def token_type(self) -> str:
        return "Bearer"

    @described_field("When the access token expires; null when mfaRequired")
    def expires_at(self) -> datetime | None:
        return None if isinstance(self.signed_in, MfaChallenge) else self.signed_in.expires_at

    @described_field(
        "Opaque; exchange it once with refreshToken for a new pair. Null unless signed in, "
        "and null when asked with the header 'X-WFM-Session: cookie' (a browser): then it is "
        "in the HttpOnly cookie wfm_refresh, for POST /auth/refresh"
    )
    def refresh_token(self) -> str | None:
        if self.refresh_in_cookie or not isinstance(self.signed_in, AuthSession):
            return None
        return self.signed_in.refresh_token

    @described_field("The user signed in; null unless signed in")
    async def user(self, info: Info) -> User | None:
        if not isinstance(self.signed_in, AuthSession):
            return None
        return await load_user(info, self.signed_in.principal.user_id)

    @described_field("The password was right; send mfaChallenge with a code to verifyMfa")
    def mfa_required(self) -> bool:
        return isinstance(self.signed_in, MfaChallenge)

    @described_field(
        f"Opaque, single-use, valid {CHALLENGE_TTL.seconds // 60} minutes: for verifyMfa"
    )
    def mfa_challenge(self) -> str | None:
        return self.signed_in.token if isinstance(self.signed_in, MfaChallenge) else None

    @described_field(
        "A second factor is required and missing: enrol one with the access token "
        "(beginMfaEnrolment, confirmMfaEnrolment), then log in again"
    )
    def mfa_enrolment_required(self) -> bool:
        return isinstance(self.signed_in, EnrolmentSession)


def signed_in_payload(info: Info, signed_in: SignIn) -> AuthPayload:
    """What a sign-in answers. A browser's session (`X-WFM-Session: cookie`) gets its
    refresh token as an HttpOnly cookie instead, out of its scripts' reach."""
    context = info.context
    if (
        isinstance(signed_in, AuthSession)
        and context.response is not None
        and wants_cookie(context.request.headers)
    ):
        cookie = RefreshCookie.from_settings(context.services.settings)
        cookie.keep(context.response, signed_in.refresh_token)
        return AuthPayload(signed_in=signed_in, refresh_in_cookie=True)
    return AuthPayload(signed_in=signed_in)


@strawberry.type(description="A pending second factor, for an authenticator app")
class MfaEnrolmentPayload:
    enrolment: strawberry.Private[MfaEnrolment]

    @described_field("otpauth:// URI of the secret (RFC 6238 TOTP), to show as a QR code")
    def provisioning_uri(self) -> str:
        return self.enrolment.provisioning_uri

    @described_field("The same secret (base32), to type in by hand")
    def secret(self) -> str:
        return self.enrolment.secret


@strawberry.type(description="A second factor turned on")
class MfaConfirmation:
    codes: strawberry.Private[list[str]]

    @described_field(
        "Ten single-use codes that stand in for the authenticator (verifyMfa, disableMfa): "
        "shown this once, kept only as hashes"
    )
    def recovery_codes(self) -> list[str]:
        return self.codes


@strawberry.type
class AuthQueries:
    @described_field("The user the access token belongs to")
    async def me(self, info: Info) -> User:
        return await load_user(info, info.context.principal.user_id)


@strawberry.type
class AuthMutations:
    @described_mutation(
        "Check a password: a session, or the second step it needs (mfaRequired, "
        "mfaEnrolmentRequired)"
    )
    async def login(self, info: Info, email: str, password: str) -> AuthPayload:
        signed_in = await info.context.auth.login(email, password)
        if isinstance(signed_in, AuthSession):
            info.context.authenticate_as(signed_in.principal)
        return signed_in_payload(info, signed_in)

    @described_mutation(
        "The second step of a login: its challenge and a current code of the authenticator "
        "(or a recovery code, then used up). Wrong codes count as wrong passwords"
    )
    async def verify_mfa(self, info: Info, challenge: str, code: str) -> AuthPayload:
        session = await info.context.auth.verify_mfa(challenge, code)
        info.context.authenticate_as(session.principal)
        return signed_in_payload(info, session)

    @described_mutation(
        "Start enrolling a second factor for yourself (replacing one pending): its secret, "
        "for an authenticator app. CONFLICT once one is on"
    )
    async def begin_mfa_enrolment(self, info: Info) -> MfaEnrolmentPayload:
        principal = info.context.identity.require_enrolling()
        enrolment = await info.context.services.mfa.begin_enrolment(principal)
        return MfaEnrolmentPayload(enrolment=enrolment)

    @described_mutation(
        "Turn the pending second factor on with its current code: the recovery codes"
    )
    async def confirm_mfa_enrolment(self, info: Info, code: str) -> MfaConfirmation:
        principal = info.context.identity.require_enrolling()
        codes = await info.context.services.mfa.confirm_enrolment(principal, code)
        return MfaConfirmation(codes=codes)

    @described_mutation("Turn your own second factor off, with a current code or a recovery code")
    async def disable_mfa(self, info: Info, code: str) -> bool:
        await info.context.auth.disable_mfa(info.context.principal, code)
        return True

    @described_mutation(
        "Turn another user's second factor off (a lost authenticator); they enrol again"
    )
    async def reset_user_mfa(self, info: Info, user_id: strawberry.ID) -> User:
        principal = info.context.principal
        user = await info.context.services.mfa.reset(principal, parse_id(user_id, "userId"))
        return await load_user(info, user.id)

    @described_mutation("Rotate a refresh token; a reused token revokes its family")
    async def refresh_token(self, info: Info, refresh_token: str) -> AuthPayload:
        session = await info.context.auth.refresh(refresh_token)
        info.context.authenticate_as(session.principal)
        return signed_in_payload(info, session)

    @described_mutation("Revoke the refresh token and every token rotated from it")
    async def logout(self, info: Info, refresh_token: str) -> bool:
        return await info.context.auth.logout(refresh_token)
