"""Sending notifications: e-mail through SMTP in each recipient's language, and in-app
messages stored for users (who read them through `wfm_workflows.notifications`). Delivered
at least once: a retried job skips users already notified. The platform's own messages
about workflow events (`PLATFORM_MESSAGES`) are sent from here too."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from wfm_engine import Event, EventType, InstanceState, WorkflowTemplate
from wfm_engine.events import StepAssignedData
from wfm_integrations.mail import (
    LocalizedMessage,
    MailDeliveryError,
    Recipient,
    SmtpMailer,
    message_id_for,
    render,
)
from wfm_shared.principal import system_principal
from wfm_shared.retries import TransientFailure
from wfm_storage import jobs
from wfm_storage.postgres import Database
from wfm_storage.repositories.notifications import Addressee, NotificationRepository

MAIL_DOMAIN = "wfm.local"


def _text(en: str, fr: str, nl: str) -> dict[str, str]:
    return {"en": en, "fr": fr, "nl": nl}


PLATFORM_MESSAGES: dict[str, LocalizedMessage] = {
    "WORKFLOW_REJECTED": LocalizedMessage(
        subject=_text(
            "{template.name}: changes requested",
            "{template.name} : modifications demandées",
            "{template.name}: wijzigingen gevraagd",
        ),
        body=_text(
            "Market operations sent {tenant.companyName}'s {template.name} back: {reason}",
            "Les opérations de marché ont renvoyé {template.name} de {tenant.companyName} : {reason}",
            "Marktoperaties stuurde {template.name} van {tenant.companyName} terug: {reason}",
        ),
    ),
    "WORKFLOW_APPROVED": LocalizedMessage(
        subject=_text(
            "{template.name} approved", "{template.name} approuvé", "{template.name} goedgekeurd"
        ),
        body=_text(
            "{template.name} of {tenant.companyName} is approved. Contract reference: {contractReference}.",
            "{template.name} de {tenant.companyName} est approuvé. Référence du contrat : {contractReference}.",
            "{template.name} van {tenant.companyName} is goedgekeurd. Contractreferentie: {contractReference}.",
        ),
    ),
    # work assigned to someone by someone else (a claim tells nobody)
    "STEP_ASSIGNED": LocalizedMessage(
        subject=_text(
            "Assigned to you: {stepTitle} of {tenant.companyName}",
            "Assigné à vous : {stepTitle} de {tenant.companyName}",
            "Aan u toegewezen: {stepTitle} van {tenant.companyName}",
        ),
        body=_text(
            "{stepTitle} of {template.name} ({workflow.id}) for {tenant.companyName} is "
            "assigned to you: it waits for you.",
            "{stepTitle} de {template.name} ({workflow.id}) pour {tenant.companyName} vous est "
            "assigné : il vous attend.",
            "{stepTitle} van {template.name} ({workflow.id}) voor {tenant.companyName} is aan u "
            "toegewezen: het wacht op u.",
        ),
    ),
    "STEP_SLA_BREACHED": LocalizedMessage(
        subject=_text(
            "Overdue: {step} of {tenant.companyName}",
            "En retard : {step} de {tenant.companyName}",
            "Te laat: {step} van {tenant.companyName}",
        ),
        body=_text(
            "The step {step} of {template.name} ({workflow.id}) is past its SLA of {duration} and is now assigned to you.",
            "L'étape {step} de {template.name} ({workflow.id}) a dépassé son délai de {duration} et vous est maintenant assignée.",
            "De stap {step} van {template.name} ({workflow.id}) heeft zijn termijn van {duration} overschreden en is nu aan u toegewezen.",
        ),
    ),
    "WORKFLOW_SUBMITTED": LocalizedMessage(
        subject=_text(
            "To approve: {template.name} of {tenant.companyName}",
            "À approuver : {template.name} de {tenant.companyName}",
            "Goed te keuren: {template.name} van {tenant.companyName}",
        ),
        body=_text(
            "{tenant.companyName} submitted {template.name} ({workflow.id}) for approval.",
            "{tenant.companyName} a soumis {template.name} ({workflow.id}) pour approbation.",
            "{tenant.companyName} diende {template.name} ({workflow.id}) in ter goedkeuring.",
        ),
    ),
    "WORKFLOW_FAILED": LocalizedMessage(
        subject=_text(
            "Failed: {template.name} of {tenant.companyName}",
            "Échec : {template.name} de {tenant.companyName}",
            "Mislukt: {template.name} van {tenant.companyName}",
        ),
        body=_text(
            "{template.name} of {tenant.companyName} ({workflow.id}) failed: {reason}",
            "{template.name} de {tenant.companyName} ({workflow.id}) a échoué : {reason}",
            "{template.name} van {tenant.companyName} ({workflow.id}) is mislukt: {reason}",
        ),
    ),
    # a job of the queue given up on (held as failed): market operations, with the error
    "JOB_HELD": LocalizedMessage(
        subject=_text(
            "Job held as failed: {job.entrypoint} {job.id}",
            "Tâche retenue en échec : {job.entrypoint} {job.id}",
            "Taak als mislukt vastgehouden: {job.entrypoint} {job.id}",
        ),
        body=_text(
            "Job {job.id} ({job.entrypoint}{job.concerns}) gave up after {job.attempts} "
            "attempt(s): {job.error}. Retry it with retryJob once the cause is fixed.",
            "La tâche {job.id} ({job.entrypoint}{job.concerns}) a abandonné après {job.attempts} "
            "tentative(s) : {job.error}. Relancez-la avec retryJob une fois la cause corrigée.",
            "Taak {job.id} ({job.entrypoint}{job.concerns}) gaf het op na {job.attempts} "
            "poging(en): {job.error}. Start ze opnieuw met retryJob zodra de oorzaak verholpen is.",
        ),
    ),
    # the same, for the administrators of the tenant it concerns: without the error's text
    "JOB_HELD_FOR_TENANT": LocalizedMessage(
        subject=_text(
            "A task for {tenant.companyName} is delayed",
            "Une tâche pour {tenant.companyName} est retardée",
            "Een taak voor {tenant.companyName} is vertraagd",
        ),
        body=_text(
            "A background task for {tenant.companyName} ({job.entrypoint}{job.concerns}) could "
            "not be completed. Market operations were told and will take it up.",
            "Une tâche de fond pour {tenant.companyName} ({job.entrypoint}{job.concerns}) n'a pas "
            "pu être menée à bien. Les opérations de marché en sont informées et s'en chargent.",
            "Een achtergrondtaak voor {tenant.companyName} ({job.entrypoint}{job.concerns}) kon "
            "niet worden voltooid. Marktoperaties is op de hoogte en neemt ze op.",
        ),
    ),
}

# The roles the platform's message about these events goes to (other events: whoever created
# the workflow; a breached SLA: its escalation role). The one who performed it is left out.
ADDRESSED_ROLES: dict[EventType, tuple[str, ...]] = {
    EventType.WORKFLOW_SUBMITTED: ("market_ops",),
    EventType.WORKFLOW_FAILED: ("market_ops", "tenant_admin"),
}


@dataclass(frozen=True)
class HeldJob:
    """A job of the queue the worker gave up on (the dead letter), as its notification
    names it, with the workflow and the tenant it concerns, if any."""

    id: int
    entrypoint: str
    attempts: int
    error: str
    dedupe_key: str  # one per holding: the job retried and held again is a new one
    workflow_id: uuid.UUID | None = None
    tenant_id: uuid.UUID | None = None
    tenant_name: str = ""


# what a message calls the work of a submission, which is no step
SUBMISSION_TITLE = _text("The submission", "La soumission", "De indiening")


def step_title(template: WorkflowTemplate, step_id: str | None, language: str) -> str:
    """A step's title in `language` (none: the submission)."""
    if step_id is None:
        return SUBMISSION_TITLE.get(language, SUBMISSION_TITLE["en"])
    return template.step(step_id).title.get(language) if template.has_step(step_id) else step_id


def message_context(
    state: InstanceState,
    template: WorkflowTemplate,
    tenant: Mapping[str, Any],
    language: str,
    **extra: Any,
) -> dict[str, Any]:
    """What a message's placeholders may name; `tenant` as conditions see it."""
    return {
        "workflow": {"id": state.id, "status": state.status.value, "marketRole": state.market_role},
        "template": {"key": template.key, "name": template.name.get(language)},
        "tenant": {"companyName": tenant["company_name"], "slug": tenant["slug"]},
        "steps": {k: dict(v) for k, v in state.completed_data().items()},
        "variables": dict(state.variables),
        **extra,
    }


@dataclass(frozen=True)
class Outcome:
    delivered_to: list[str]


class Notifier:
    def __init__(
        self,
        db: Database,
        *,
        notifications: NotificationRepository,
        mailer: SmtpMailer | None,
    ) -> None:
        self._db = db
        self._notifications = notifications
        self._mailer = mailer  # None: no SMTP server configured, in-app only
        self._platform = system_principal()

    async def notify_about(
        self,
        state: InstanceState,
        template: WorkflowTemplate,
        tenant: Mapping[str, Any],
        event: Event,
    ) -> None:
        """The platform's message about `event`, if it has one: to the escalation role of a
        breached SLA, to the user work was assigned to (unless they took it themselves), to
        the roles of `ADDRESSED_ROLES`, else to whoever created the workflow."""
        message = PLATFORM_MESSAGES.get(event.type.value)
        if message is None:
            return
        async with self._db.transaction(self._platform) as conn:
            if event.type is EventType.STEP_SLA_BREACHED:
                role = event.data.get("escalateTo") or "market_ops"
                users = await self._notifications.addressees(
                    conn, role=role, tenant_id=uuid.UUID(state.tenant_id)
                )
            elif isinstance(event.payload, StepAssignedData):
                assignee = event.payload.assignee_id
                found = await self._notifications.addressee(conn, uuid.UUID(assignee))
                users = [found] if found and assignee != event.performed_by else []
            elif event.type in ADDRESSED_ROLES:
                users = [
                    user
                    for role in ADDRESSED_ROLES[event.type]
                    for user in await self._notifications.addressees(
                        conn, role=role, tenant_id=uuid.UUID(state.tenant_id)
                    )
                    if str(user.user_id) != event.performed_by
                ]
            else:
                # the participant: whoever created the workflow
                creator = await self._notifications.addressee(conn, uuid.UUID(state.created_by))
                users = [creator] if creator else []
        extra = {
            "reason": event.data.get("reason", ""),
            "contractReference": event.data.get("contractReference", ""),
            "step": event.step_id or "",
            "duration": event.data.get("duration", ""),
        }
        await self.send(
            users=users,
            outsiders=[],
            message=message,
            context_for=lambda language: message_context(
                state,
                template,
                tenant,
                language,
                **extra,
                stepTitle=step_title(template, event.step_id, language),
            ),
            kind=event.type.value,
            workflow_id=uuid.UUID(state.id),
            dedupe_key=jobs.event_key(state.id, event.seq),
        )

    async def notify_job_held(self, job: HeldJob) -> None:
        """Market operations hear of a job given up on, with its error; the administrators
        of the tenant it concerns, that something of theirs waits for market operations."""
        async with self._db.transaction(self._platform) as conn:
            staff = await self._notifications.addressees(conn, role="market_ops", tenant_id=None)
            admins = (
                await self._notifications.addressees(
                    conn, role="tenant_admin", tenant_id=job.tenant_id
                )
                if job.tenant_id is not None
                else []
            )
        concerns = f", {job.workflow_id}" if job.workflow_id else ""
        context = {
            "job": {
                "id": job.id,
                "entrypoint": job.entrypoint,
                "attempts": job.attempts,
                "error": job.error,
                "concerns": concerns,
            },
            "tenant": {"companyName": job.tenant_name},
        }
        for users, message in (
            (staff, PLATFORM_MESSAGES["JOB_HELD"]),
            (admins, PLATFORM_MESSAGES["JOB_HELD_FOR_TENANT"]),
        ):
            await self.send(
                users=users,
                outsiders=[],
                message=message,
                context_for=lambda language: context,
                kind="JOB_HELD",
                workflow_id=job.workflow_id,
                dedupe_key=job.dedupe_key,
            )

    async def addressees(
        self, spec: str, state: InstanceState
    ) -> tuple[list[Addressee], list[Recipient]]:
        """Users and outside recipients of a `role:…`, `contact:…` or `email:…` spec."""
        kind, _, target = spec.partition(":")
        if kind == "role":
            async with self._db.transaction(self._platform) as conn:
                users = await self._notifications.addressees(
                    conn, role=target, tenant_id=uuid.UUID(state.tenant_id)
                )
            return users, []
        if kind == "contact":
            contacts = [
                contact
                for data in state.completed_data().values()
                for contact in (data.get("contacts") or [])
                if isinstance(contact, Mapping)
                and contact.get("role") == target
                and contact.get("email")
            ]
            return [], [
                Recipient(str(c["email"]), str(c.get("language") or "en"), c.get("name"))
                for c in contacts
            ]
        return [], [Recipient(target)]

    async def send(
        self,
        *,
        users: Sequence[Addressee],
        outsiders: Sequence[Recipient],
        message: LocalizedMessage,
        context_for: Any,
        kind: str,
        workflow_id: uuid.UUID | None,
        dedupe_key: str,
        channels: frozenset[str] = frozenset({"email", "in_app"}),
    ) -> Outcome:
        delivered: list[str] = []
        for user in users:
            async with self._db.transaction(self._platform) as conn:
                if await self._notifications.delivered(conn, user.user_id, dedupe_key):
                    delivered.append(user.email)
                    continue
            subject, body = render(message, user.locale, context_for(user.locale))
            if "email" in channels:
                await self._mail(
                    Recipient(user.email, user.locale, user.display_name),
                    subject,
                    body,
                    f"{dedupe_key}:{user.user_id}",
                )
            async with self._db.transaction(self._platform) as conn:
                # stored after the mail went out: a retry sends again only what may not have left
                await self._notifications.add(
                    conn,
                    user=user,
                    workflow_id=workflow_id,
                    kind=kind,
                    subject=subject,
                    body=body,
                    dedupe_key=dedupe_key,
                )
            delivered.append(user.email)
        for outsider in outsiders:
            subject, body = render(message, outsider.language, context_for(outsider.language))
            if "email" in channels:
                await self._mail(outsider, subject, body, f"{dedupe_key}:{outsider.email}")
                delivered.append(outsider.email)
        return Outcome(delivered)

    async def _mail(self, recipient: Recipient, subject: str, body: str, key: str) -> None:
        mailer = self._mailer
        if mailer is None:
            return  # no SMTP server configured: in-app only
        try:
            await mailer.send(
                recipient, subject, body, message_id=message_id_for(key, domain=MAIL_DOMAIN)
            )
        except MailDeliveryError as error:
            if error.retryable:
                raise TransientFailure(error.reason) from error
            raise
