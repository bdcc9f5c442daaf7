"""Personal data on a person's request (market operations only): find a data subject by
tenant and e-mail address, export everything held about them, erase it. A subject's values
are encrypted under keys of their own; erasing destroys the keys, so every copy in the event
log and the workflow documents reads `[erased]` while the log stays as it was written."""

from __future__ import annotations

from datetime import datetime

import strawberry

from wfm_api.schema.common import JSON, Info, described_field, described_mutation, parse_id, to_id
from wfm_privacy.erasure import ErasureReport
from wfm_privacy.subjects import DataSubject as Subject


@strawberry.type(
    description=(
        "A person named in a tenant's workflows (a contact, or a field its template marks "
        "personal), known by tenant and e-mail address"
    )
)
class DataSubject:
    subject: strawberry.Private[Subject]

    @described_field("The subject id: the same for the same tenant and e-mail address")
    def id(self) -> strawberry.ID:
        return to_id(self.subject.id)

    @strawberry.field
    def tenant_id(self) -> strawberry.ID:
        return to_id(self.subject.tenant_id)

    @described_field("How many workflows name the subject")
    def workflows(self) -> int:
        return len(self.subject.instance_ids)

    @described_field("When the subject's personal data was erased; null: it is held")
    def erased_at(self) -> datetime | None:
        return self.subject.erased_at


@strawberry.type(description="What erasing a data subject did")
class DataSubjectErasure:
    report: strawberry.Private[ErasureReport]

    @strawberry.field
    def subject_id(self) -> strawberry.ID:
        return to_id(self.report.subject_id)

    @strawberry.field
    def tenant_id(self) -> strawberry.ID:
        return to_id(self.report.tenant_id)

    @described_field("The keys destroyed now (0: the subject was erased already)")
    def keys_erased(self) -> int:
        return self.report.keys_erased

    @described_field("Whether the subject had been erased before: nothing changed")
    def already_erased(self) -> bool:
        return self.report.already_erased

    @described_field("The workflows naming the subject: their values of it read [erased]")
    def workflow_ids(self) -> list[strawberry.ID]:
        return [to_id(w) for w in self.report.workflow_ids]

    @described_field("Step drafts (saved, not completed) holding a value of the subject, deleted")
    def drafts_deleted(self) -> int:
        return self.report.drafts_deleted

    @described_field(
        "Rows of the copies PostgreSQL keeps of the workflows' data (webhook deliveries and "
        "their attempts, notifications) whose values of the subject now read [erased]"
    )
    def copies_scrubbed(self) -> int:
        return self.report.copies_scrubbed.total

    @strawberry.field
    def erased_at(self) -> datetime:
        return self.report.erased_at


@strawberry.type
class PrivacyQueries:
    @described_field(
        "The data subject an e-mail address names in a tenant (market operations); null: no "
        "workflow of the tenant names it"
    )
    async def data_subject(
        self, info: Info, tenant_id: strawberry.ID, email: str
    ) -> DataSubject | None:
        found = await info.context.services.data_subjects.find(
            info.context.principal, parse_id(tenant_id, "tenantId"), email
        )
        return DataSubject(subject=found) if found is not None else None


@strawberry.type
class PrivacyMutations:
    @described_mutation(
        "Erase a data subject's personal data (market operations; audited with the reason, "
        "1 to 500 characters): their keys are destroyed, every copy of their values reads "
        "[erased], the workflows go on"
    )
    async def erase_data_subject(
        self, info: Info, subject_id: strawberry.ID, reason: str
    ) -> DataSubjectErasure:
        report = await info.context.services.erasure.erase_subject(
            info.context.principal, parse_id(subject_id, "subjectId"), reason
        )
        return DataSubjectErasure(report=report)

    @described_mutation(
        "Everything held about a data subject, as one JSON archive: the workflows naming them "
        "with their own values only (another person's read [other subject]), their user "
        "account, its audit entries and files (market operations; a mutation: every export "
        "is recorded in the audit trail)"
    )
    async def export_data_subject(self, info: Info, subject_id: strawberry.ID) -> JSON:
        archive = await info.context.services.exports.export_subject(
            info.context.principal, parse_id(subject_id, "subjectId")
        )
        return JSON(archive)
