"""Everything `bootstrap` builds: what an entrypoint (a GraphQL resolver, a worker job, a CLI
command) may call."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from wfm_directory import TenantService, UserService
from wfm_directory.audit import AuditService
from wfm_directory.market_roles import MarketRoleService
from wfm_directory.mfa import MfaService
from wfm_documents.files import FileService
from wfm_engine import Registries
from wfm_integrations.api_access import ApiAccessService
from wfm_integrations.notifier import Notifier
from wfm_integrations.secrets import SecretService
from wfm_integrations.subscriptions import WebhookService
from wfm_privacy.erasure import ErasureService
from wfm_privacy.export import ExportService
from wfm_privacy.retention import RetentionService
from wfm_privacy.subjects import DataSubjectService
from wfm_shared.clock import Clock
from wfm_shared.security import TokenCodec
from wfm_shared.settings import Settings
from wfm_shared.url_policy import OutgoingUrlPolicy
from wfm_storage.bootstrap import Storage
from wfm_workflows.automation import WorkflowAutomation
from wfm_workflows.configuration import ConfigService
from wfm_workflows.drafts import StepDraftService
from wfm_workflows.inbound_hooks import InboundHooks
from wfm_workflows.jobs_admin import JobAdminService
from wfm_workflows.notifications import NotificationService
from wfm_workflows.projections import Projector
from wfm_workflows.reconciler import Reconciler
from wfm_workflows.service import WorkflowService
from wfm_workflows.statistics import TemplateStatsService
from wfm_workflows.template_service import TemplateService
from wfm_workflows.triggers import TriggerService
from wfm_workflows.work_queue import WorkQueueService


@dataclass
class Services:
    settings: Settings
    clock: Clock
    # validators, gates, step handlers and system-step runners: the built-ins and every
    # extension's, built once
    registries: Registries
    storage: Storage  # the connections; the services hold the repositories they use
    codec: TokenCodec
    url_policy: OutgoingUrlPolicy
    # workflows
    workflows: WorkflowService
    drafts: StepDraftService  # form data saved on a step, not yet completed
    files: FileService  # attachments: uploads, downloads, virus scans
    work_queue: WorkQueueService  # what waits for each person, and its assignment
    templates: TemplateService
    statistics: TemplateStatsService  # execution statistics per template
    configuration: ConfigService
    projector: Projector
    reconciler: Reconciler
    automation: WorkflowAutomation
    # directory
    tenants: TenantService
    market_roles: MarketRoleService  # suspend, terminate, reactivate a tenant's market roles
    users: UserService
    mfa: MfaService  # second factors (TOTP): enrolment, and the second step of a login
    audit: AuditService  # the audit trail: search, export, refusals
    # retention of finished workflows: the tenants' policies, and the sweep
    retention: RetentionService
    # personal data on request (market operations): find a data subject, export, erase
    data_subjects: DataSubjectService
    erasure: ErasureService
    exports: ExportService
    # operations
    jobs: JobAdminService
    notifications: NotificationService
    triggers: TriggerService
    hooks: InboundHooks  # webhook triggers' requests (`POST /hooks/{triggerId}`)
    webhooks: WebhookService
    secrets: SecretService  # tenant secrets, sealed; and the rotation of their keyring
    notifier: Notifier
    api_access: ApiAccessService
    _closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list, repr=False)

    async def close(self) -> None:
        """Close what `bootstrap` opened (HTTP clients; the storage unless it was given)."""
        closers, self._closers = self._closers, []
        for close in reversed(closers):
            await close()
