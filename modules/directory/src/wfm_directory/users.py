"""Users: who logs in for a tenant (or for market operations). Administrators list, invite,
change, disable and enable them (a tenant's administrators within their tenant, never
granting market operations); a user changes its own password, or resets it through a mailed
link; an invited user accepts its invitation by choosing its password. Operators create
users and issue tokens for them from the command line."""

from __future__ import annotations

import asyncio
import contextlib
import math
import re
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from wfm_directory.audit import audit_user
from wfm_directory.invitations import (
    PASSWORD_RESET_TTL,
    AccountMail,
    LinkRecipient,
    new_link_token,
    token_digest,
    unusable_link,
)
from wfm_directory.passwords import check_new_password, password_problems
from wfm_shared.authorization import Permission, authorize
from wfm_shared.clock import Clock
from wfm_shared.errors import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    RateLimited,
    ValidationFailed,
)
from wfm_shared.logging import get_logger
from wfm_shared.principal import ROLES, Principal, principal_for, system_principal
from wfm_shared.request_origin import current_client_address
from wfm_shared.security import TokenCodec, could_be_a_password, hash_password, verify_password
from wfm_storage.postgres import Database, Executor
from wfm_storage.records import User
from wfm_storage.repositories.audit import AuditLog
from wfm_storage.repositories.tenants import TenantRepository
from wfm_storage.repositories.throttle import ThrottleWindows, WindowCheck
from wfm_storage.repositories.user_tokens import ResetAddressee, TokenPurpose, UserTokens
from wfm_storage.repositories.users import (
    CredentialStore,
    UserCursor,
    UserFilter,
    UserPage,
    UserRepository,
)

log = get_logger("wfm.directory")

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+$")
MAX_DISPLAY_NAME = 200
LOCALES = ("en", "fr", "nl")
STATUSES = ("invited", "active", "disabled")
TENANT_ROLES = ("tenant_admin", "tenant_user")
# who signs an invitation sent by the platform itself (the command line)
PLATFORM_NAME = "Workflow Manager"

# Reset requests: per client address (refused with RATE_LIMITED, whatever the address asked
# for), and per account (beyond it, silently not sent: the answer stays the same).
RESETS_PER_ADDRESS = (10, 15 * 60.0)
RESETS_PER_ACCOUNT = (3, 60 * 60.0)
# Password changes per user: each one checks the current password (bcrypt).
PASSWORD_CHANGES_PER_USER = (5, 15 * 60.0)


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime
    subject: Principal
    email: str


def _display_name(value: str | None) -> str | None:
    """Stripped; an empty name is no name."""
    return (value.strip() or None) if value is not None else None


def _profile_problems(
    *, role: str | None, locale: str | None, display_name: str | None
) -> list[FieldError]:
    problems: list[FieldError] = []
    if role is not None and role not in ROLES:
        problems.append(FieldError(("role",), f"must be one of {', '.join(ROLES)}"))
    if locale is not None and locale not in LOCALES:
        problems.append(FieldError(("locale",), f"must be one of {', '.join(LOCALES)}"))
    if display_name is not None and len(display_name) > MAX_DISPLAY_NAME:
        problems.append(
            FieldError(("displayName",), f"must be at most {MAX_DISPLAY_NAME} characters")
        )
    return problems


def _new_user_problems(
    *, email: str, role: str, tenant_id: uuid.UUID | None, locale: str, display_name: str | None
) -> list[FieldError]:
    problems: list[FieldError] = []
    if not EMAIL_PATTERN.match(email):
        problems.append(FieldError(("email",), "must be an email address"))
    problems += _profile_problems(role=role, locale=locale, display_name=display_name)
    if role == "market_ops" and tenant_id is not None:
        problems.append(FieldError(("tenant",), "market operations belong to no tenant"))
    elif role in TENANT_ROLES and tenant_id is None:
        problems.append(FieldError(("tenant",), f"a {role} belongs to a tenant"))
    return problems


class UserService:
    def __init__(
        self,
        db: Database,
        *,
        users: UserRepository,
        tenants: TenantRepository,
        credentials: CredentialStore,
        tokens: UserTokens,
        audit: AuditLog,
        throttle: ThrottleWindows,
        mail: AccountMail,
        clock: Clock,
        invitation_ttl: timedelta,
        bcrypt_rounds: int = 12,
    ) -> None:
        self._db = db
        self._users = users
        self._tenants = tenants
        self._credentials = credentials
        self._tokens = tokens
        self._audit_log = audit
        self._throttle = throttle
        self._mail = mail
        self._clock = clock
        self._invitation_ttl = invitation_ttl
        self._rounds = bcrypt_rounds
        # reset mails on their way: sent after the request is answered
        self._deliveries: set[asyncio.Task[None]] = set()

    # -- the directory: administrators ---------------------------------------------------

    async def page(
        self, principal: Principal, where: UserFilter, *, first: int, after: UserCursor | None
    ) -> UserPage:
        """The users the principal manages, by e-mail address: a tenant's administrators
        see their tenant's (row-level security), market operations everyone."""
        authorize(principal, Permission.USERS_MANAGE, tenant_id=where.tenant_id)
        problems: list[FieldError] = []
        if where.role is not None and where.role not in ROLES:
            problems.append(FieldError(("filter", "role"), f"must be one of {', '.join(ROLES)}"))
        if where.status is not None and where.status not in STATUSES:
            problems.append(
                FieldError(("filter", "status"), f"must be one of {', '.join(STATUSES)}")
            )
        if problems:
            raise ValidationFailed("the filter is invalid", problems)
        async with self._db.transaction(principal) as conn:
            return await self._users.page(conn, where, first=first, after=after)

    async def get(self, principal: Principal, user_id: uuid.UUID) -> User:
        authorize(principal, Permission.USERS_MANAGE)
        async with self._db.transaction(principal) as conn:
            return await self._managed(conn, principal, user_id)

    async def invite(
        self,
        principal: Principal,
        *,
        email: str,
        role: str,
        locale: str,
        display_name: str | None = None,
        tenant_id: uuid.UUID | None = None,
    ) -> User:
        """A user who may not log in yet, and a mail with its single-use link to choose a
        password (`invitation_ttl` to use it). A tenant's administrator invites into its
        own tenant (the default), market operations into any, or market operations staff.
        Inviting an invited user again (same tenant) replaces its link and details."""
        if tenant_id is None and role != "market_ops":
            tenant_id = principal.tenant_id  # an administrator's own tenant by default
        if tenant_id is None or role not in TENANT_ROLES:
            # a user without tenant (or of no known role) is the platform's own
            authorize(principal, Permission.OPERATORS_MANAGE)
        authorize(principal, Permission.USERS_MANAGE, tenant_id=tenant_id)
        email, display_name = email.strip(), _display_name(display_name)
        problems = _new_user_problems(
            email=email, role=role, tenant_id=tenant_id, locale=locale, display_name=display_name
        )
        if problems:
            raise ValidationFailed("the invitation is invalid", problems)
        # a password nobody knows, until the invitation is accepted (logins are refused anyway)
        unknowable = await asyncio.to_thread(hash_password, new_link_token(), self._rounds)
        token, token_id = new_link_token(), uuid.uuid4()
        now = self._clock.now()
        expires_at = now + self._invitation_ttl
        async with self._db.transaction(principal) as conn:
            organisation = None
            if tenant_id is not None:
                tenant = await self._tenants.get(conn, tenant_id)
                if tenant is None:
                    raise NotFound("tenant", tenant_id)
                organisation = tenant.company_name
            inviter = (await self._users.by_ids(conn, [principal.user_id])).get(principal.user_id)
            user, action = await self._invited_user(
                conn,
                email=email,
                role=role,
                tenant_id=tenant_id,
                locale=locale,
                display_name=display_name,
                password_hash=unknowable,
            )
            await self._tokens.issue(
                conn,
                token_id=token_id,
                user_id=user.id,
                tenant_id=tenant_id,
                purpose="invitation",
                token_hash=token_digest(token),
                created_by=principal.user_id,
                now=now,
                expires_at=expires_at,
            )
            await self._audit_log.append(
                conn,
                principal=principal,
                tenant_id=tenant_id,
                action=action,
                target_type="user",
                target_id=str(user.id),
                details={"email": email, "role": role, "expiresAt": expires_at.isoformat()},
            )
        await self._mail.invitation(
            LinkRecipient(user.email, user.locale, user.display_name),
            token_id=token_id,
            token=token,
            expires_at=expires_at,
            inviter=(inviter.display_name or inviter.email) if inviter else PLATFORM_NAME,
            organisation=organisation,
        )
        return user

    async def _invited_user(
        self,
        conn: Executor,
        *,
        email: str,
        role: str,
        tenant_id: uuid.UUID | None,
        locale: str,
        display_name: str | None,
        password_hash: str,
    ) -> tuple[User, str]:
        """The new invited user, or the invited user of this tenant with this address, with
        the invitation's details; and what to audit."""
        # Emails are unique across tenants: the SECURITY DEFINER lookup sees them all.
        login = await self._credentials.find_login(conn, email)
        if login is not None:
            # RLS shows a tenant's administrator the users of its tenant alone
            existing = (await self._users.by_ids(conn, [login.id])).get(login.id)
            if existing is None or existing.status != "invited" or existing.tenant_id != tenant_id:
                raise Conflict(f"a user with email {email} exists")
            again = await self._users.update_profile(
                conn,
                existing.id,
                display_name=display_name or existing.display_name,
                locale=locale,
                role=role,
            )
            assert again is not None
            return again, "USER_REINVITED"
        user = await self._new_user(
            conn,
            email=email,
            password_hash=password_hash,
            role=role,
            tenant_id=tenant_id,
            display_name=display_name,
            locale=locale,
            status="invited",
        )
        return user, "USER_INVITED"

    async def _new_user(
        self,
        conn: Executor,
        *,
        email: str,
        password_hash: str,
        role: str,
        tenant_id: uuid.UUID | None,
        display_name: str | None,
        locale: str,
        status: str,
    ) -> User:
        """A user inserted; one that has this address already is a conflict."""
        user_id = uuid.uuid4()
        user = await self._users.create(
            conn,
            user_id=user_id,
            tenant_id=tenant_id,
            email=email,
            password_hash=password_hash,
            role=role,
            display_name=display_name,
            locale=locale,
            status=status,
        )
        if user.id != user_id:  # created concurrently: the insert returned the other one
            raise Conflict(f"a user with email {email} exists")
        return user

    async def update(
        self,
        principal: Principal,
        user_id: uuid.UUID,
        *,
        display_name: str | None = None,
        locale: str | None = None,
        role: str | None = None,
    ) -> User:
        """Change what is given (None: unchanged; an empty display name removes it). A role
        changes between tenant_admin and tenant_user only, never the caller's own; a new
        role ends the user's sessions."""
        authorize(principal, Permission.USERS_MANAGE)
        name = _display_name(display_name)
        problems = _profile_problems(role=role, locale=locale, display_name=name)
        if problems:
            raise ValidationFailed("the user is invalid", problems)
        async with self._db.transaction(principal) as conn:
            user = await self._managed(conn, principal, user_id)
            if role is not None and role != user.role:
                problem = None
                if user.id == principal.user_id:
                    problem = "may not be changed by the user itself"
                elif role not in TENANT_ROLES or user.role not in TENANT_ROLES:
                    problem = "market operations belong to no tenant: invite them instead"
                if problem:
                    raise ValidationFailed(
                        "the role cannot change", [FieldError(("role",), problem)]
                    )
            changes: dict[str, Any] = {}
            new_name = user.display_name if display_name is None else name
            if new_name != user.display_name:
                changes["displayName"] = new_name
            if locale is not None and locale != user.locale:
                changes["locale"] = locale
            if role is not None and role != user.role:
                changes["role"] = role
            if not changes:
                return user
            updated = await self._users.update_profile(
                conn,
                user.id,
                display_name=new_name,
                locale=locale or user.locale,
                role=role or user.role,
            )
            assert updated is not None
            await audit_user(
                self._audit_log, conn, principal, user, "USER_UPDATED", changed=changes
            )
        return updated

    async def disable_user(self, principal: Principal, user_id: uuid.UUID) -> User:
        """No more logins, refreshes or links for the user; its access tokens stop working
        at once. Never the caller itself; disabling a disabled user changes nothing."""
        authorize(principal, Permission.USERS_MANAGE)
        if user_id == principal.user_id:
            raise ValidationFailed(
                "you may not disable yourself", [FieldError(("id",), "is your own")]
            )
        async with self._db.transaction(principal) as conn:
            return await self._disable(
                conn, principal, await self._managed(conn, principal, user_id)
            )

    async def enable_user(self, principal: Principal, user_id: uuid.UUID) -> User:
        """A disabled user may log in again with its password (or reset it). Enabling a user
        who is not disabled changes nothing."""
        authorize(principal, Permission.USERS_MANAGE)
        async with self._db.transaction(principal) as conn:
            user = await self._managed(conn, principal, user_id)
            if user.status != "disabled":
                return user
            enabled = await self._users.set_status(conn, user.id, "active")
            assert enabled is not None
            await audit_user(self._audit_log, conn, principal, user, "USER_ENABLED")
        return enabled

    async def _managed(self, conn: Executor, principal: Principal, user_id: uuid.UUID) -> User:
        """The user, if the principal manages it (RLS shows a tenant's administrator its
        tenant's users alone): another tenant's answers as an unknown id."""
        user = (await self._users.by_ids(conn, [user_id])).get(user_id)
        if user is None:
            raise NotFound("user", user_id)
        authorize(principal, Permission.USERS_MANAGE, tenant_id=user.tenant_id)
        if user.tenant_id is None:
            authorize(principal, Permission.OPERATORS_MANAGE)
        return user

    async def _disable(self, conn: Executor, principal: Principal, user: User) -> User:
        if user.status == "disabled":
            return user
        disabled = await self._users.set_status(conn, user.id, "disabled")
        assert disabled is not None
        await self._tokens.void(conn, user.id, self._clock.now())
        await audit_user(self._audit_log, conn, principal, user, "USER_DISABLED")
        return disabled

    # -- the user's own password -------------------------------------------------------

    async def change_password(
        self, principal: Principal, *, current_password: str, new_password: str
    ) -> User:
        """The caller's new password, given its current one: every session of the user ends
        (the caller opens a new one)."""
        await self._admit(
            WindowCheck("password_change", str(principal.user_id), *PASSWORD_CHANGES_PER_USER),
            "password changes",
        )
        async with self._db.transaction(principal) as conn:
            me = (await self._users.by_ids(conn, [principal.user_id])).get(principal.user_id)
            login = await self._credentials.find_login(conn, me.email) if me else None
        if me is None or login is None:
            raise NotFound("user", principal.user_id)
        if not could_be_a_password(current_password) or not await asyncio.to_thread(
            verify_password, current_password, login.password_hash
        ):
            raise ValidationFailed(
                "the current password is wrong",
                [FieldError(("currentPassword",), "is not your password")],
            )
        check_new_password(new_password, email=me.email, field="newPassword")
        password_hash = await asyncio.to_thread(hash_password, new_password, self._rounds)
        async with self._db.transaction(principal) as conn:
            changed = await self._users.set_password_hash(conn, me.id, password_hash)
            assert changed is not None
            await audit_user(self._audit_log, conn, principal, me, "USER_PASSWORD_CHANGED")
        return changed

    # -- before anyone is signed in: invitations and resets ------------------------------

    async def accept_invitation(
        self, token: str, password: str, display_name: str | None = None
    ) -> User:
        """The invited user of the token, active with `password` (and `display_name`, if
        given). The token is used up; a used, expired or unknown one is refused alike."""
        name = _display_name(display_name)
        return await self._redeem(
            "invitation",
            token,
            password,
            field="password",
            display_name=name,
            problems=_profile_problems(role=None, locale=None, display_name=name),
            action="INVITATION_ACCEPTED",
        )

    async def reset_password(self, token: str, new_password: str) -> User:
        """The reset token's user, with `new_password`: every session it had ends."""
        return await self._redeem(
            "password_reset",
            token,
            new_password,
            field="newPassword",
            display_name=None,
            problems=[],
            action="PASSWORD_RESET",
        )

    async def _redeem(
        self,
        purpose: TokenPurpose,
        token: str,
        password: str,
        *,
        field: str,
        display_name: str | None,
        problems: list[FieldError],
        action: str,
    ) -> User:
        digest, now = token_digest(token), self._clock.now()
        async with self._db.connection() as conn:
            holder = await self._tokens.holder(conn, digest, purpose, now)
        if holder is None:
            raise unusable_link()
        problems = password_problems(password, email=holder.email, field=field) + problems
        if problems:
            raise ValidationFailed("the password cannot be set", problems)
        password_hash = await asyncio.to_thread(hash_password, password, self._rounds)
        # the token proved who this is: its user acts (for the audit trail and RLS)
        holder_principal = principal_for(holder.id, holder.tenant_id, holder.role)
        async with self._db.transaction(holder_principal) as conn:
            user = await self._tokens.redeem(
                conn,
                token_hash=digest,
                purpose=purpose,
                now=now,
                password_hash=password_hash,
                display_name=display_name,
            )
            if user is None:  # used or voided meanwhile
                raise unusable_link()
            await audit_user(self._audit_log, conn, holder_principal, user, action)
        return user

    async def request_password_reset(self, email: str) -> None:
        """Mail a single-use link (valid `PASSWORD_RESET_TTL`) to the active user with
        `email`, if there is one. The caller learns nothing either way: the same answer in
        about the same time (the mail leaves after the answer). Too many requests from the
        client's address are RATE_LIMITED; beyond a few per account, none is sent."""
        address = current_client_address.get()
        if address:
            await self._admit(
                WindowCheck("password_reset_address", address, *RESETS_PER_ADDRESS),
                "password reset requests",
            )
        email = email.strip()
        token, token_id = new_link_token(), uuid.uuid4()
        now = self._clock.now()
        account = WindowCheck("password_reset_account", email.lower(), *RESETS_PER_ACCOUNT)
        async with self._db.connection() as conn:
            if await self._throttle.admit(conn, [account], now) > 0:
                return
            addressee = await self._tokens.request_reset(
                conn,
                email=email,
                token_id=token_id,
                token_hash=token_digest(token),
                now=now,
                expires_at=now + PASSWORD_RESET_TTL,
            )
        if addressee is not None:
            self._in_background(self._send_reset(addressee, token_id, token))

    async def _send_reset(self, addressee: ResetAddressee, token_id: uuid.UUID, token: str) -> None:
        try:
            async with self._db.transaction(system_principal()) as conn:
                # nobody is signed in: the entry names no actor
                await audit_user(self._audit_log, conn, None, addressee, "PASSWORD_RESET_REQUESTED")
            await self._mail.password_reset(
                LinkRecipient(addressee.email, addressee.locale, addressee.display_name),
                token_id=token_id,
                token=token,
            )
        except Exception as error:  # nobody waits for it: the user asks again
            log.warning("password_reset_not_sent", user_id=str(addressee.id), error=repr(error))

    def _in_background(self, delivery: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(delivery)
        self._deliveries.add(task)
        task.add_done_callback(self._deliveries.discard)

    async def settle(self) -> None:
        """Wait for the mails still on their way (tests; the process's shutdown)."""
        while self._deliveries:
            with contextlib.suppress(Exception):
                await asyncio.gather(*self._deliveries)

    async def _admit(self, check: WindowCheck, what: str) -> None:
        async with self._db.connection() as conn:
            wait = await self._throttle.admit(conn, [check], self._clock.now())
        if wait > 0:
            raise RateLimited(f"too many {what}; retry in {math.ceil(wait)} s")

    # -- operators (the command line) --------------------------------------------------

    async def create(
        self,
        principal: Principal,
        *,
        email: str,
        password: str,
        role: str,
        tenant_id: uuid.UUID | None = None,
        display_name: str | None = None,
        locale: str = "en",
    ) -> User:
        """A user of a tenant (created by market operations or that tenant's administrator),
        or a market-operations user without tenant (created by market operations)."""
        authorize(principal, Permission.USERS_MANAGE, tenant_id=tenant_id)
        if tenant_id is None or role not in TENANT_ROLES:
            # a user without tenant (or of no known role) is the platform's own
            authorize(principal, Permission.OPERATORS_MANAGE)
        email, display_name = email.strip(), _display_name(display_name)
        problems = _new_user_problems(
            email=email, role=role, tenant_id=tenant_id, locale=locale, display_name=display_name
        )
        problems += password_problems(password, email=email)
        if problems:
            raise ValidationFailed("the user is invalid", problems)
        # bcrypt takes a few hundred milliseconds of CPU: keep it off the event loop.
        password_hash = await asyncio.to_thread(hash_password, password, self._rounds)
        async with self._db.transaction(principal) as conn:
            if tenant_id is not None and await self._tenants.get(conn, tenant_id) is None:
                raise NotFound("tenant", tenant_id)
            # Emails are unique across tenants: the SECURITY DEFINER lookup sees them all.
            if await self._credentials.find_login(conn, email) is not None:
                raise Conflict(f"a user with email {email} exists")
            user = await self._new_user(
                conn,
                email=email,
                password_hash=password_hash,
                role=role,
                tenant_id=tenant_id,
                display_name=display_name,
                locale=locale,
                status="active",
            )
            await audit_user(self._audit_log, conn, principal, user, "USER_CREATED", role=role)
        return user

    async def disable(self, principal: Principal, email: str) -> User:
        """Disable a user by e-mail address: no more logins or refreshes, and its access
        tokens stop working at once. Disabling a disabled user changes nothing."""
        async with self._db.transaction(principal) as conn:
            user = await self._manageable(conn, principal, email)
            return await self._disable(conn, principal, user)

    async def set_password(self, principal: Principal, email: str, password: str) -> User:
        """Give a user a new password: every session it had ends at once (access tokens and
        refresh tokens); it logs in again with the new one. An invited user becomes active
        (the operator vouches for it) and its invitation link stops working."""
        try:
            check_new_password(password, email=email)
        except ValidationFailed as refused:
            raise ValidationFailed("the password is invalid", refused.errors) from None
        password_hash = await asyncio.to_thread(hash_password, password, self._rounds)
        async with self._db.transaction(principal) as conn:
            user = await self._manageable(conn, principal, email)
            changed = await self._users.set_password_hash(conn, user.id, password_hash)
            assert changed is not None
            await audit_user(self._audit_log, conn, principal, user, "USER_PASSWORD_SET")
            if user.status == "invited":
                await self._tokens.void(conn, user.id, self._clock.now(), purpose="invitation")
                changed = await self._users.set_status(conn, user.id, "active")
                assert changed is not None
                await audit_user(self._audit_log, conn, principal, user, "USER_ENABLED")
        return changed

    async def _manageable(self, conn: Executor, principal: Principal, email: str) -> User:
        """The user with `email`, if `principal` manages it: market operations manage every
        user, a tenant's administrators the users of their tenant."""
        authorize(principal, Permission.USERS_MANAGE)
        login = await self._credentials.find_login(conn, email.strip())
        # RLS shows a tenant's administrator the users of its tenant alone
        found = await self._users.by_ids(conn, [login.id]) if login else {}
        if login is None or login.id not in found:
            raise NotFound("user", email)
        return found[login.id]

    async def issue_token(
        self, principal: Principal, email: str, codec: TokenCodec, now: datetime
    ) -> IssuedToken:
        """An access token for an existing user, without its password (operators' scripts
        and tests); refused for a disabled user or a tenant that is not active."""
        authorize(principal, Permission.TOKENS_ISSUE)
        email = email.strip()
        async with self._db.transaction(principal) as conn:
            login = await self._credentials.find_login(conn, email)
            if login is None:
                raise NotFound("user", email)
            if login.status != "active":
                raise Forbidden(f"user {email} is {login.status}")
            if login.tenant_id is not None and login.tenant_status != "active":
                raise Forbidden(f"the tenant of {email} is {login.tenant_status or 'deleted'}")
            subject = principal_for(
                login.id, login.tenant_id, login.role, token_version=login.token_version
            )
            token, expires = codec.issue(subject, now)
            await self._audit_log.append(
                conn,
                principal=principal,
                tenant_id=login.tenant_id,
                action="TOKEN_ISSUED",
                target_type="user",
                target_id=str(login.id),
                details={"expiresAt": expires.isoformat()},
            )
        return IssuedToken(token, expires, subject, login.email)
