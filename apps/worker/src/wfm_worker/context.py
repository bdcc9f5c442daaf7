"""What every background job can reach: storage, the workflow service, the integrations."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from wfm_integrations.kong import KongAdmin
from wfm_integrations.mail import SmtpMailer
from wfm_shared.clock import Clock
from wfm_shared.principal import Principal, system_principal
from wfm_shared.settings import Settings
from wfm_storage.bootstrap import Storage
from wfm_worker.metrics import WorkerMetrics
from wfm_workflows.service import WorkflowService


@dataclass
class WorkerDeps:
    settings: Settings
    storage: Storage
    workflows: WorkflowService
    clock: Clock
    http: httpx.AsyncClient  # operator-configured peers (Kong's Admin API)
    outgoing: httpx.AsyncClient  # calls made for users, under the outgoing-call policy
    mailer: SmtpMailer | None
    kong: KongAdmin | None
    metrics: WorkerMetrics
    principal: Principal

    @classmethod
    def build(
        cls,
        settings: Settings,
        storage: Storage,
        clock: Clock,
        http: httpx.AsyncClient,
        outgoing: httpx.AsyncClient,
    ) -> WorkerDeps:
        mailer = (
            SmtpMailer(
                settings.smtp_host,
                settings.smtp_port,
                settings.smtp_sender,
                username=settings.smtp_username,
                password=settings.smtp_password.get_secret_value()
                if settings.smtp_password
                else None,
                start_tls=settings.smtp_starttls,
            )
            if settings.smtp_host
            else None
        )
        kong = KongAdmin(http, settings.kong_admin_url) if settings.kong_admin_url else None
        return cls(
            settings=settings,
            storage=storage,
            workflows=WorkflowService(storage, clock),
            clock=clock,
            http=http,
            outgoing=outgoing,
            mailer=mailer,
            kong=kong,
            metrics=WorkerMetrics(),
            principal=system_principal(),
        )
