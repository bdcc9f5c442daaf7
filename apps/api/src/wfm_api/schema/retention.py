"""Retention policies: how long a tenant's finished (completed or cancelled) workflows keep
their personal data and files before the worker's sweep erases them. Market operations set
and remove them; every role reads its own tenant's."""

from __future__ import annotations

from datetime import datetime

import strawberry

from wfm_api.schema.common import Info, described_field, described_mutation, parse_id, to_id
from wfm_api.schema.people import Actor, load_actor
from wfm_storage.repositories.retention import RetentionPolicy as StoredPolicy


@strawberry.type(
    description=(
        "How long a tenant's finished workflows keep their personal data and files: for one "
        "template, or for every template of the tenant (templateKey null). The most specific "
        "applies: the tenant's for the template, the tenant's for every template, the "
        "template's own default (`retention: {afterDays}`); none: kept"
    )
)
class RetentionPolicy:
    record: strawberry.Private[StoredPolicy]

    @strawberry.field
    def tenant_id(self) -> strawberry.ID:
        return to_id(self.record.tenant_id)

    @described_field("The template it applies to (every version); null: every template")
    def template_key(self) -> str | None:
        return self.record.template_key

    @described_field(
        "Days after a workflow completed or was cancelled before its personal data is erased"
    )
    def after_days(self) -> int:
        return self.record.after_days

    @strawberry.field
    def updated_at(self) -> datetime:
        return self.record.updated_at

    @described_field("Who set it last")
    async def updated_by(self, info: Info) -> Actor:
        return await load_actor(info, str(self.record.updated_by))


@strawberry.type
class RetentionQueries:
    @described_field(
        "A tenant's retention policies: the one for every template first (your tenant's, for "
        "a tenant role)"
    )
    async def retention_policies(
        self, info: Info, tenant_id: strawberry.ID
    ) -> list[RetentionPolicy]:
        found = await info.context.services.retention.policies(
            info.context.principal, parse_id(tenant_id, "tenantId")
        )
        return [RetentionPolicy(record=p) for p in found]


@strawberry.type
class RetentionMutations:
    @described_mutation(
        "Keep a tenant's finished workflows of a template (templateKey null: of every "
        "template) for afterDays days (1 to 36500) before their personal data and files are "
        "erased, in place of the period they had (market operations)"
    )
    async def set_retention_policy(
        self,
        info: Info,
        tenant_id: strawberry.ID,
        after_days: int,
        template_key: str | None = None,
    ) -> RetentionPolicy:
        policy = await info.context.services.retention.set_policy(
            info.context.principal, parse_id(tenant_id, "tenantId"), template_key, after_days
        )
        return RetentionPolicy(record=policy)

    @described_mutation(
        "Remove a tenant's retention policy for a template (templateKey null: the one for "
        "every template); the next one that applies takes over. True once it is gone"
    )
    async def remove_retention_policy(
        self, info: Info, tenant_id: strawberry.ID, template_key: str | None = None
    ) -> bool:
        await info.context.services.retention.remove_policy(
            info.context.principal, parse_id(tenant_id, "tenantId"), template_key
        )
        return True
