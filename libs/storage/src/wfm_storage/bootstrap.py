"""Opens every adapter and repository the services need, from settings."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from wfm_engine import BUILTIN_REGISTRIES, Registries
from wfm_shared.sealing import SecretBox
from wfm_shared.settings import Settings
from wfm_storage.file_bytes import FileBytes
from wfm_storage.mongo import MongoStore
from wfm_storage.postgres import Database
from wfm_storage.protocols import EventLog, InstanceDocumentStore
from wfm_storage.queue import JobQueue
from wfm_storage.repositories.audit import AuditLog
from wfm_storage.repositories.configs import ConfigRepository
from wfm_storage.repositories.files import FileRepository
from wfm_storage.repositories.instance_index import InstanceIndex
from wfm_storage.repositories.notifications import NotificationRepository
from wfm_storage.repositories.secrets import TenantSecretRepository
from wfm_storage.repositories.step_drafts import StepDraftRepository
from wfm_storage.repositories.step_runs import StepRunRepository
from wfm_storage.repositories.subject_keys import SubjectKeys
from wfm_storage.repositories.template_stats import TemplateStatsRepository
from wfm_storage.repositories.templates import TemplateRepository
from wfm_storage.repositories.tenants import TenantRepository
from wfm_storage.repositories.throttle import ThrottleWindows
from wfm_storage.repositories.timers import TimerRepository
from wfm_storage.repositories.trigger_runs import TriggerRunRepository
from wfm_storage.repositories.triggers import TriggerRepository
from wfm_storage.repositories.user_tokens import UserTokens
from wfm_storage.repositories.users import CredentialStore, UserRepository
from wfm_storage.repositories.webhooks import WebhookRepository
from wfm_storage.repositories.workflow_documents import InstanceDocuments
from wfm_storage.repositories.workflow_events import EventStore
from wfm_storage.sealed import PersonalDataSealer, SealedDocuments, SealedEventLog


@dataclass
class Storage:
    db: Database
    mongo: MongoStore
    tenants: TenantRepository
    users: UserRepository
    credentials: CredentialStore
    templates: TemplateRepository
    index: InstanceIndex
    audit: AuditLog
    configs: ConfigRepository
    jobs: JobQueue
    timers: TimerRepository
    notifications: NotificationRepository
    webhooks: WebhookRepository
    triggers: TriggerRepository
    trigger_runs: TriggerRunRepository  # the log of every trigger's runs
    events: EventLog
    documents: InstanceDocumentStore
    throttle: ThrottleWindows
    user_tokens: UserTokens  # invitations and password resets
    drafts: StepDraftRepository  # form data saved on a step, not yet completed
    step_runs: StepRunRepository  # the execution record the statistics are computed from
    stats: TemplateStatsRepository  # the statistics
    secrets: TenantSecretRepository  # tenant secrets, sealed
    files: FileRepository  # attachments: what is known of each uploaded file
    file_bytes: FileBytes  # attachments: their bytes (MongoDB, GridFS's layout)
    # personal data: the keys of its subjects, and the log and documents as MongoDB holds
    # them (tokens unrevealed; `events` and `documents` seal and reveal: wfm_storage.sealed)
    subject_keys: SubjectKeys
    raw_events: EventLog
    raw_documents: InstanceDocumentStore

    @classmethod
    async def open(
        cls, settings: Settings, *, registries: Registries = BUILTIN_REGISTRIES
    ) -> Storage:
        """Connect to both databases; stored templates are parsed with `registries`."""
        if not settings.mongodb_url:
            raise ValueError("MONGODB_URL is not set")
        db = await Database.connect(
            settings.app_dsn(),
            min_size=settings.db_pool_min,
            max_size=settings.db_pool_max,
            statement_timeout=settings.database_timeout_seconds,
        )
        mongo = MongoStore.connect(
            settings.mongodb_url,
            settings.mongodb_database,
            socket_timeout_ms=int(settings.database_timeout_seconds * 1000),
        )
        try:
            await mongo.open()
        except BaseException:
            await db.close()
            await mongo.close()
            raise
        subject_keys = SubjectKeys()
        raw_events, raw_documents = EventStore(mongo), InstanceDocuments(mongo)
        sealer = PersonalDataSealer(db, keys=subject_keys, box=SecretBox.from_settings(settings))
        return cls(
            db=db,
            mongo=mongo,
            tenants=TenantRepository(),
            users=UserRepository(),
            credentials=CredentialStore(),
            templates=TemplateRepository(registries=registries),
            index=InstanceIndex(),
            audit=AuditLog(),
            configs=ConfigRepository(),
            jobs=JobQueue(),
            timers=TimerRepository(),
            notifications=NotificationRepository(),
            webhooks=WebhookRepository(),
            triggers=TriggerRepository(),
            trigger_runs=TriggerRunRepository(),
            events=SealedEventLog(raw_events, sealer),
            documents=SealedDocuments(raw_documents, sealer),
            throttle=ThrottleWindows(),
            user_tokens=UserTokens(),
            drafts=StepDraftRepository(),
            step_runs=StepRunRepository(),
            stats=TemplateStatsRepository(),
            secrets=TenantSecretRepository(),
            files=FileRepository(),
            file_bytes=FileBytes(mongo),
            subject_keys=subject_keys,
            raw_events=raw_events,
            raw_documents=raw_documents,
        )

    def with_registries(self, registries: Registries) -> Storage:
        """The same connections, reading stored templates with `registries`."""
        current = self.templates.registries
        if (current.validators, current.gates, current.handlers) == (
            registries.validators,
            registries.gates,
            registries.handlers,
        ):
            return self  # the same registries for parsing (runners play no part in it)
        templates = TemplateRepository(
            compile_timeout=self.templates.compile_timeout, registries=registries
        )
        return dataclasses.replace(self, templates=templates)

    async def close(self) -> None:
        await self.db.close()
        await self.mongo.close()
