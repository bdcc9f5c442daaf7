"""Tenant secrets (a tenant's administrators, or market operations for any tenant): set,
replace, delete, and list by name. No field answers a value: once set, a value is read only
by the platform's own steps."""

from __future__ import annotations

from datetime import datetime

import strawberry

from wfm_api.schema.common import Info, described_field, described_mutation, tenant_argument, to_id
from wfm_api.schema.people import Actor, load_actor
from wfm_storage.repositories.secrets import TenantSecret


@strawberry.type(
    description="A tenant secret, by name and dates: its value is never answered, by any field"
)
class Secret:
    record: strawberry.Private[TenantSecret]

    @described_field("Letters, digits and underscores, starting with a letter")
    def name(self) -> str:
        return self.record.name

    @strawberry.field
    def tenant_id(self) -> strawberry.ID:
        return to_id(self.record.tenant_id)

    @strawberry.field
    def created_at(self) -> datetime:
        return self.record.created_at

    @described_field("When the value was last set")
    def updated_at(self) -> datetime:
        return self.record.updated_at

    @strawberry.field
    async def created_by(self, info: Info) -> Actor:
        return await load_actor(info, str(self.record.created_by))

    @described_field("Who set the value last")
    async def updated_by(self, info: Info) -> Actor:
        return await load_actor(info, str(self.record.updated_by))


@strawberry.type
class SecretQueries:
    @described_field(
        "A tenant's secrets by name, without values: your tenant's (tenant_admin), or the "
        "named tenant's (market operations)"
    )
    async def secrets(self, info: Info, tenant_id: strawberry.ID | None = None) -> list[Secret]:
        found = await info.context.services.secrets.list(
            info.context.principal, tenant_argument(tenant_id)
        )
        return [Secret(record=s) for s in found]


@strawberry.type
class SecretMutations:
    @described_mutation(
        "Create a secret, or replace its value (1 byte to 8 KiB of text); the value is kept "
        "encrypted and can never be read back"
    )
    async def set_secret(
        self, info: Info, name: str, value: str, tenant_id: strawberry.ID | None = None
    ) -> Secret:
        secret = await info.context.services.secrets.set(
            info.context.principal, tenant_argument(tenant_id), name, value
        )
        return Secret(record=secret)

    @described_mutation("Remove a secret; true once it is gone")
    async def delete_secret(
        self, info: Info, name: str, tenant_id: strawberry.ID | None = None
    ) -> bool:
        await info.context.services.secrets.delete(
            info.context.principal, tenant_argument(tenant_id), name
        )
        return True
