"""`bootstrap(settings) -> Services`: one place builds the platform, for every process.

The registries come from the loaded extensions (`load_catalog`), with the built-in system
step runners added once their collaborators exist; each service receives the repositories
and collaborators it uses as constructor arguments. Tests pass their own storage, clock,
registries or fault seam; the processes pass nothing but settings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import httpx

from wfm_bootstrap.services import Services
from wfm_directory import TenantService, UserService
from wfm_directory.audit import AuditService
from wfm_directory.invitations import AccountMail
from wfm_directory.market_roles import MarketRoleService
from wfm_directory.mfa import MfaService
from wfm_documents.files import FileService
from wfm_documents.scanning import scanner_from_settings
from wfm_engine import InstanceCommand, Registries
from wfm_integrations.api_access import ApiAccessService
from wfm_integrations.kong import KongAdmin
from wfm_integrations.mail import SmtpMailer
from wfm_integrations.notifier import Notifier
from wfm_integrations.outgoing import outgoing_client
from wfm_integrations.rendering import ActionRenderer
from wfm_integrations.secrets import SecretService
from wfm_integrations.subscriptions import WebhookService
from wfm_integrations.system_steps import StepCaller, builtin_runners
from wfm_integrations.vault import MFA_SECRETS, KeyVault
from wfm_privacy.copies import CopyScrubber
from wfm_privacy.erasure import ErasureService
from wfm_privacy.export import ExportService
from wfm_privacy.retention import RetentionService
from wfm_privacy.subjects import DataSubjectService
from wfm_shared.clock import Clock, SystemClock
from wfm_shared.sealing import SecretBox
from wfm_shared.security import TokenCodec
from wfm_shared.settings import Settings
from wfm_shared.url_policy import OutgoingUrlPolicy
from wfm_storage.bootstrap import Storage
from wfm_storage.repositories.mfa import MfaRepository
from wfm_storage.repositories.personal_copies import PersonalCopies
from wfm_storage.repositories.retention import RetentionRepository
from wfm_workflows.automation import WorkflowAutomation
from wfm_workflows.configuration import ConfigService
from wfm_workflows.drafts import StepDraftService
from wfm_workflows.extensions import ExtensionError, load_catalog
from wfm_workflows.inbound_hooks import InboundHooks
from wfm_workflows.jobs_admin import JobAdminService
from wfm_workflows.notifications import NotificationService
from wfm_workflows.projections import Projector
from wfm_workflows.reconciler import Reconciler
from wfm_workflows.service import Faults, WorkflowService
from wfm_workflows.statistics import TemplateStatsService
from wfm_workflows.template_service import TemplateService
from wfm_workflows.triggers import TriggerService
from wfm_workflows.work_queue import WorkQueueService


def mailer_for(settings: Settings) -> SmtpMailer | None:
    """The SMTP server of the settings; None: notifications are in-app only."""
    if not settings.smtp_host:
        return None
    return SmtpMailer(
        settings.smtp_host,
        settings.smtp_port,
        settings.smtp_sender,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        start_tls=settings.smtp_starttls,
    )


async def bootstrap(
    settings: Settings,
    *,
    storage: Storage | None = None,
    clock: Clock | None = None,
    registries: Registries | None = None,
    faults: Faults | None = None,
    on_platform_command: Callable[[InstanceCommand], None] | None = None,
) -> Services:
    """Every service, wired. `storage`: connections the caller opened (and closes); else
    they are opened here and closed by `Services.close`. `registries`: else the installed
    extensions' (ExtensionError when one fails to load). `faults`: where a test stops the
    command path. `on_platform_command`: sees every command the platform issues (metrics)."""
    found = registries or load_catalog().registries
    clock = clock or SystemClock()
    closers: list[Callable[[], Awaitable[None]]] = []
    if storage is None:
        storage = await Storage.open(settings, registries=found)
        closers.append(storage.close)
    storage = storage.with_registries(found)
    http = httpx.AsyncClient()  # operator-configured peers (Kong's Admin API)
    url_policy = OutgoingUrlPolicy.from_settings(settings)
    outgoing = outgoing_client(url_policy)  # calls made for users, under the policy
    closers += [http.aclose, outgoing.aclose]
    retry_base = timedelta(seconds=settings.retry_base_seconds)
    s, db = storage, storage.db
    box = SecretBox.from_settings(settings)  # tenant and webhook secrets, sealed

    webhooks = WebhookService(
        db,
        webhooks=s.webhooks,
        tenants=s.tenants,
        jobs=s.jobs,
        audit=s.audit,
        url_policy=url_policy,
        outgoing=outgoing,
        timeout_seconds=settings.webhook_timeout_seconds,
        max_attempts=settings.job_max_attempts,
        clock=clock,
        box=box,
    )
    notifier = Notifier(db, notifications=s.notifications, mailer=mailer_for(settings))
    caller = StepCaller(
        outgoing,
        retry_base=retry_base,
        retry_cap=timedelta(seconds=settings.retry_cap_seconds),
        max_attempts=settings.job_max_attempts,
    )
    secrets = SecretService(
        db,
        secrets=s.secrets,
        tenants=s.tenants,
        webhooks=s.webhooks,
        triggers=s.triggers,
        subject_keys=s.subject_keys,
        audit=s.audit,
        box=box,
        clock=clock,
    )
    runners = builtin_runners(
        caller=caller,
        db=db,
        jobs=s.jobs,
        notifier=notifier,
        webhooks=webhooks,
        clock=clock,
        wait=retry_base,
        actions=ActionRenderer(secrets),  # opens the secrets a step's expressions name
    )
    registries = found.with_runners(
        runner for runner in runners if runner.type not in found.runners
    )
    problems = registries.problems()
    if problems:
        raise ExtensionError("; ".join(problems))

    projector = Projector(
        index=s.index,
        events=s.events,
        timers=s.timers,
        jobs=s.jobs,
        tenants=s.tenants,
        audit=s.audit,
        drafts=s.drafts,
        step_runs=s.step_runs,
        system_steps=registries.runners,
        handlers=registries.handlers,
    )
    reconciler = Reconciler(
        db,
        index=s.index,
        events=s.events,
        documents=s.documents,
        templates=s.templates,
        projector=projector,
    )
    configuration = ConfigService(
        db, tenants=s.tenants, templates=s.templates, configs=s.configs, audit=s.audit
    )
    workflows = WorkflowService(
        db,
        tenants=s.tenants,
        templates=s.templates,
        index=s.index,
        events=s.events,
        documents=s.documents,
        projector=projector,
        reconciler=reconciler,
        configs=configuration,
        registries=registries,
        clock=clock,
        faults=faults,
        files=s.files,
    )
    triggers = TriggerService(
        db,
        triggers=s.triggers,
        runs=s.trigger_runs,
        tenants=s.tenants,
        templates=s.templates,
        audit=s.audit,
        jobs=s.jobs,
        workflows=workflows,
        secrets=box,
        clock=clock,
    )
    kong = KongAdmin(http, settings.kong_admin_url) if settings.kong_admin_url else None
    api_access = ApiAccessService(
        db,
        tenants=s.tenants,
        jobs=s.jobs,
        audit=s.audit,
        kong=kong,
        kong_roles=settings.kong_roles,
        vault=KeyVault.from_settings(settings),
    )
    automation = WorkflowAutomation(
        db,
        workflows=workflows,
        events=s.events,
        jobs=s.jobs,
        timers=s.timers,
        audit=s.audit,
        runners=registries.runners,
        caller=caller,
        webhooks=webhooks,
        notifier=notifier,
        triggers=triggers,
        api_access=api_access,
        clock=clock,
        conflict_delay=retry_base,
        on_command=on_platform_command,
    )
    files = FileService(
        db,
        files=s.files,
        file_bytes=s.file_bytes,
        workflows=workflows,
        handlers=registries.handlers,
        audit=s.audit,
        jobs=s.jobs,
        clock=clock,
        scanner=scanner_from_settings(settings),
    )
    scrubber = CopyScrubber(
        events=s.raw_events, documents=s.raw_documents, copies=PersonalCopies(), box=box
    )
    retention = RetentionService(
        db,
        retention=RetentionRepository(),
        subject_keys=s.subject_keys,
        files=files,
        drafts=s.drafts,
        tenants=s.tenants,
        templates=s.templates,
        audit=s.audit,
        copies=scrubber,
        clock=clock,
    )
    users = UserService(
        db,
        users=s.users,
        tenants=s.tenants,
        credentials=s.credentials,
        tokens=s.user_tokens,
        audit=s.audit,
        throttle=s.throttle,
        mail=AccountMail(notifier, settings.public_url),
        clock=clock,
        invitation_ttl=timedelta(seconds=settings.invitation_ttl_seconds),
        bcrypt_rounds=settings.bcrypt_rounds,
    )
    closers.append(users.settle)  # reset mails still on their way
    return Services(
        settings=settings,
        clock=clock,
        registries=registries,
        storage=storage,
        codec=TokenCodec.from_settings(settings),
        url_policy=url_policy,
        workflows=workflows,
        drafts=StepDraftService(
            db,
            drafts=s.drafts,
            workflows=workflows,
            handlers=registries.handlers,
            clock=clock,
        ),
        files=files,
        work_queue=WorkQueueService(
            db,
            index=s.index,
            users=s.users,
            templates=s.templates,
            workflows=workflows,
            clock=clock,
        ),
        templates=TemplateService(
            db,
            templates=s.templates,
            audit=s.audit,
            url_policy=url_policy,
            registries=registries,
        ),
        statistics=TemplateStatsService(
            db, stats=s.stats, templates=s.templates, tenants=s.tenants
        ),
        configuration=configuration,
        projector=projector,
        reconciler=reconciler,
        automation=automation,
        tenants=TenantService(db, tenants=s.tenants, audit=s.audit, jobs=s.jobs),
        market_roles=MarketRoleService(db, tenants=s.tenants, audit=s.audit, jobs=s.jobs),
        users=users,
        mfa=MfaService(
            db,
            factors=MfaRepository(),
            users=s.users,
            audit=s.audit,
            clock=clock,
            vault=KeyVault.from_settings(settings, purpose=MFA_SECRETS),
            required_for_market_ops=settings.market_ops_mfa_required,
        ),
        audit=AuditService(db, audit=s.audit),
        retention=retention,
        data_subjects=DataSubjectService(db, keys=s.subject_keys, tenants=s.tenants),
        erasure=ErasureService(
            db,
            keys=s.subject_keys,
            index=s.index,
            templates=s.templates,
            drafts=s.drafts,
            audit=s.audit,
            copies=scrubber,
            clock=clock,
        ),
        exports=ExportService(
            db,
            keys=s.subject_keys,
            index=s.index,
            templates=s.templates,
            users=s.users,
            audit=s.audit,
            events=s.raw_events,
            documents=s.raw_documents,
            files=files,
            box=box,
            clock=clock,
        ),
        jobs=JobAdminService(
            db,
            audit=s.audit,
            jobs=s.jobs,
            index=s.index,
            tenants=s.tenants,
            webhooks=s.webhooks,
            triggers=s.triggers,
            notifier=notifier,
        ),
        notifications=NotificationService(db, notifications=s.notifications, clock=clock),
        triggers=triggers,
        hooks=InboundHooks(
            db,
            triggers=s.triggers,
            runs=s.trigger_runs,
            trigger_service=triggers,
            secrets=box,
            throttle=s.throttle,
            clock=clock,
            max_requests=settings.hook_max_requests,
            window_seconds=settings.hook_window_seconds,
        ),
        webhooks=webhooks,
        secrets=secrets,
        notifier=notifier,
        api_access=api_access,
        _closers=closers,
    )
