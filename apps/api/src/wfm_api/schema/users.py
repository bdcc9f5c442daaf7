"""Users: the directory for administrators (list, invite, change, disable, enable), the
caller's own password, and what is done before signing in (accepting an invitation,
resetting a password). The `User` type is `wfm_api.schema.auth`'s."""

from __future__ import annotations

import strawberry

from wfm_api.schema.auth import AuthPayload, User, signed_in_payload
from wfm_api.schema.common import (
    Info,
    Locale,
    described_field,
    described_mutation,
    page_size,
    parse_id,
    tenant_argument,
)
from wfm_api.schema.connections import Connection, Edge
from wfm_shared.principal import PERMISSIONS_BY_ROLE, principal_for
from wfm_storage.records import User as UserRecord
from wfm_storage.repositories.users import UserCursor
from wfm_storage.repositories.users import UserFilter as UserCriteria

ROLE_NAMES = "market_ops, tenant_admin or tenant_user"


def user_view(record: UserRecord) -> User:
    """A user as GraphQL shows it, with the permissions of its own role."""
    return User(record=record, granted=frozenset(PERMISSIONS_BY_ROLE[record.role]))


@strawberry.input(description="Every criterion given must hold")
class UserFilter:
    search: str | None = strawberry.field(
        default=None, description="A part of the e-mail address or display name"
    )
    role: str | None = strawberry.field(default=None, description=ROLE_NAMES)
    status: str | None = strawberry.field(default=None, description="invited, active or disabled")
    tenant_id: strawberry.ID | None = None


@strawberry.input
class InviteUserInput:
    email: str
    role: str = strawberry.field(description=ROLE_NAMES)
    locale: Locale = strawberry.field(description="The language of the mail and of the user")
    display_name: str | None = None
    tenant_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The user's tenant: a tenant administrator's own by default; none for "
        "market_ops",
    )


@strawberry.input(description="What to change; a field left out (or null) stays as it is")
class UpdateUserInput:
    display_name: str | None = strawberry.field(
        default=None, description="An empty name removes it"
    )
    locale: Locale | None = None
    role: str | None = strawberry.field(
        default=None, description="tenant_admin or tenant_user; ends the user's sessions"
    )


@strawberry.type
class UserQueries:
    @described_field(
        "Users by e-mail address, as a Relay-style connection: your tenant's (tenant "
        "administrators), or everyone (market operations)"
    )
    async def users(
        self,
        info: Info,
        filter: UserFilter | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> Connection[User]:
        principal = info.context.authenticate()
        where = UserCriteria(
            search=(filter.search.strip() or None) if filter and filter.search else None,
            role=filter.role if filter else None,
            status=filter.status if filter else None,
            tenant_id=tenant_argument(filter.tenant_id) if filter else None,
        )
        page = await info.context.services.users.page(
            principal,
            where,
            first=page_size(info, first),
            after=UserCursor.decode(after) if after else None,
        )
        edges = [
            Edge(cursor=UserCursor.of(user).encode(), node=user_view(user)) for user in page.users
        ]
        return Connection.of(edges, has_next=page.has_next, total=page.total_count)

    @described_field("A user you manage")
    async def user(self, info: Info, id: strawberry.ID) -> User:
        principal = info.context.authenticate()
        return user_view(await info.context.services.users.get(principal, parse_id(id)))


@strawberry.type
class UserMutations:
    @described_mutation(
        "Invite someone: a user who may not log in until it follows the single-use link "
        "mailed to it (in its language) and chooses a password. Inviting an invited user "
        "again sends a new link"
    )
    async def invite_user(self, info: Info, input: InviteUserInput) -> User:
        principal = info.context.authenticate()
        user = await info.context.services.users.invite(
            principal,
            email=input.email,
            role=input.role,
            locale=input.locale.value,
            display_name=input.display_name,
            tenant_id=tenant_argument(input.tenant_id),
        )
        return user_view(user)

    @described_mutation(
        "Accept an invitation with the token of its link: choose your password (and your "
        "name); then log in"
    )
    async def accept_invitation(
        self, info: Info, token: str, password: str, display_name: str | None = None
    ) -> User:
        user = await info.context.services.users.accept_invitation(token, password, display_name)
        # the token proved who this is: the answer is read as that user
        info.context.authenticate_as(
            principal_for(user.id, user.tenant_id, user.role, token_version=user.token_version)
        )
        return user_view(user)

    @described_mutation("Change a user's name, language or role")
    async def update_user(self, info: Info, id: strawberry.ID, input: UpdateUserInput) -> User:
        principal = info.context.authenticate()
        user = await info.context.services.users.update(
            principal,
            parse_id(id),
            display_name=input.display_name,
            locale=input.locale.value if input.locale else None,
            role=input.role,
        )
        return user_view(user)

    @described_mutation("Disable a user: its sessions end at once, its links stop working")
    async def disable_user(self, info: Info, id: strawberry.ID) -> User:
        principal = info.context.authenticate()
        return user_view(await info.context.services.users.disable_user(principal, parse_id(id)))

    @described_mutation("Let a disabled user log in again")
    async def enable_user(self, info: Info, id: strawberry.ID) -> User:
        principal = info.context.authenticate()
        return user_view(await info.context.services.users.enable_user(principal, parse_id(id)))

    @described_mutation(
        "Change your own password: every other session of yours ends; this one goes on "
        "with the session answered"
    )
    async def change_password(
        self, info: Info, current_password: str, new_password: str
    ) -> AuthPayload:
        principal = info.context.authenticate()
        changed = await info.context.services.users.change_password(
            principal, current_password=current_password, new_password=new_password
        )
        session = await info.context.auth.session_after_password_change(changed)
        info.context.authenticate_as(session.principal)
        return signed_in_payload(info, session)

    @described_mutation(
        "Ask for a password reset: if the address is an active user's, a single-use link "
        "valid 30 minutes is mailed to it. The answer is true either way"
    )
    async def request_password_reset(self, info: Info, email: str) -> bool:
        await info.context.services.users.request_password_reset(email)
        return True

    @described_mutation(
        "Set a new password with the token of a reset link: every session of the user ends"
    )
    async def reset_password(self, info: Info, token: str, new_password: str) -> bool:
        await info.context.services.users.reset_password(token, new_password)
        return True
