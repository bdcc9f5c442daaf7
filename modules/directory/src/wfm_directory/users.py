"""Users: who logs in for a tenant (or for market operations), and the tokens operators
issue for them."""

from __future__ import annotations

import asyncio
import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from wfm_shared.authorization import Permission, authorize
from wfm_shared.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from wfm_shared.principal import ROLES, Principal, principal_for
from wfm_shared.security import TokenCodec, check_password_policy, hash_password
from wfm_storage.postgres import Database, Executor
from wfm_storage.records import User
from wfm_storage.repositories.audit import AuditLog
from wfm_storage.repositories.tenants import TenantRepository
from wfm_storage.repositories.users import CredentialStore, UserRepository

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+$")
MAX_DISPLAY_NAME = 200
LOCALES = ("en", "fr", "nl")


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime
    subject: Principal
    email: str


class UserService:
    def __init__(
        self,
        db: Database,
        *,
        users: UserRepository,
        tenants: TenantRepository,
        credentials: CredentialStore,
        audit: AuditLog,
        bcrypt_rounds: int = 12,
    ) -> None:
        self._db = db
        self._users = users
        self._tenants = tenants
        self._credentials = credentials
        self._audit_log = audit
        self._rounds = bcrypt_rounds

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
        if tenant_id is None or role not in ROLES or role == "market_ops":
            # a user without tenant (or of no known role) is the platform's own
            authorize(principal, Permission.OPERATORS_MANAGE)
        email = email.strip()
        display_name = display_name.strip() if display_name else None
        problems: list[FieldError] = []
        if not EMAIL_PATTERN.match(email):
            problems.append(FieldError(("email",), "must be an email address"))
        if role not in ROLES:
            problems.append(FieldError(("role",), f"must be one of {', '.join(ROLES)}"))
        elif role == "market_ops" and tenant_id is not None:
            problems.append(FieldError(("tenant",), "market operations belong to no tenant"))
        elif role != "market_ops" and tenant_id is None:
            problems.append(FieldError(("tenant",), f"a {role} belongs to a tenant"))
        if locale not in LOCALES:
            problems.append(FieldError(("locale",), f"must be one of {', '.join(LOCALES)}"))
        if display_name is not None and len(display_name) > MAX_DISPLAY_NAME:
            problems.append(
                FieldError(("displayName",), f"must be at most {MAX_DISPLAY_NAME} characters")
            )
        try:
            check_password_policy(password)
        except ValidationFailed as refused:
            problems += refused.errors
        if problems:
            raise ValidationFailed("the user is invalid", problems)
        # bcrypt takes a few hundred milliseconds of CPU: keep it off the event loop.
        password_hash = await asyncio.to_thread(hash_password, password, self._rounds)
        user_id = uuid.uuid4()
        async with self._db.transaction(principal) as conn:
            if tenant_id is not None and await self._tenants.get(conn, tenant_id) is None:
                raise NotFound("tenant", tenant_id)
            # Emails are unique across tenants: the SECURITY DEFINER lookup sees them all.
            if await self._credentials.find_login(conn, email) is not None:
                raise Conflict(f"a user with email {email} exists")
            user = await self._users.create(
                conn,
                user_id=user_id,
                tenant_id=tenant_id,
                email=email,
                password_hash=password_hash,
                role=role,
                display_name=display_name,
                locale=locale,
            )
            if user.id != user_id:  # created concurrently: the insert returned the other one
                raise Conflict(f"a user with email {email} exists")
            await self._audit_log.append(
                conn,
                principal=principal,
                tenant_id=tenant_id,
                action="USER_CREATED",
                target_type="user",
                target_id=str(user.id),
                details={"email": email, "role": role},
            )
        return user

    async def disable(self, principal: Principal, email: str) -> User:
        """Disable a user: no more logins or refreshes, and its access tokens stop working at
        once. Disabling a disabled user changes nothing."""
        async with self._db.transaction(principal) as conn:
            user = await self._manageable(conn, principal, email, "disable")
            if user.status == "disabled":
                return user
            disabled = await self._users.set_status(conn, user.id, "disabled")
            assert disabled is not None
            await self._audit(conn, principal, user, "USER_DISABLED")
        return disabled

    async def set_password(self, principal: Principal, email: str, password: str) -> User:
        """Give a user a new password: every session it had ends at once (access tokens and
        refresh tokens); it logs in again with the new one."""
        try:
            check_password_policy(password)
        except ValidationFailed as refused:
            raise ValidationFailed("the password is invalid", refused.errors) from None
        password_hash = await asyncio.to_thread(hash_password, password, self._rounds)
        async with self._db.transaction(principal) as conn:
            user = await self._manageable(conn, principal, email, "set the password of")
            changed = await self._users.set_password_hash(conn, user.id, password_hash)
            assert changed is not None
            await self._audit(conn, principal, user, "USER_PASSWORD_SET")
        return changed

    async def _audit(self, conn: Executor, principal: Principal, user: User, action: str) -> None:
        await self._audit_log.append(
            conn,
            principal=principal,
            tenant_id=user.tenant_id,
            action=action,
            target_type="user",
            target_id=str(user.id),
            details={"email": user.email},
        )

    async def _manageable(
        self, conn: Executor, principal: Principal, email: str, what: str
    ) -> User:
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
