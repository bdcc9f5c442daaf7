"""Who am I, and the login / refresh / logout mutations."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from wfm_api.auth import AuthSession
from wfm_api.schema.common import Info, described_field, described_mutation
from wfm_api.schema.tenants import Tenant, load_tenant
from wfm_shared.errors import NotFound
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

    @strawberry.field
    def permissions(self) -> list[str]:
        return sorted(self.granted)

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


@strawberry.type
class AuthPayload:
    session: strawberry.Private[AuthSession]

    @described_field("Bearer token for the Authorization header")
    def access_token(self) -> str:
        return self.session.access_token

    @strawberry.field
    def token_type(self) -> str:
        return "Bearer"

    @strawberry.field
    def expires_at(self) -> datetime:
        return self.session.expires_at

    @described_field("Opaque; exchange it once with refreshToken for a new pair")
    def refresh_token(self) -> str:
        return self.session.refresh_token

    @strawberry.field
    async def user(self, info: Info) -> User:
        return await load_user(info, self.session.principal.user_id)


@strawberry.type
class AuthQueries:
    @described_field("The user the access token belongs to")
    async def me(self, info: Info) -> User:
        return await load_user(info, info.context.principal.user_id)


@strawberry.type
class AuthMutations:
    @strawberry.mutation
    async def login(self, info: Info, email: str, password: str) -> AuthPayload:
        session = await info.context.auth.login(email, password)
        info.context.authenticate_as(session.principal)
        return AuthPayload(session=session)

    @described_mutation("Rotate a refresh token; a reused token revokes its family")
    async def refresh_token(self, info: Info, refresh_token: str) -> AuthPayload:
        session = await info.context.auth.refresh(refresh_token)
        info.context.authenticate_as(session.principal)
        return AuthPayload(session=session)

    @described_mutation("Revoke the refresh token and every token rotated from it")
    async def logout(self, info: Info, refresh_token: str) -> bool:
        return await info.context.auth.logout(refresh_token)
