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
}


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
        breached SLA, else to whoever created the workflow."""
        message = PLATFORM_MESSAGES.get(event.type.value)
        if message is None:
            return
        async with self._db.transaction(self._platform) as conn:
            if event.type is EventType.STEP_SLA_BREACHED:
                role = event.data.get("escalateTo") or "market_ops"
                users = await self._notifications.addressees(
                    conn, role=role, tenant_id=uuid.UUID(state.tenant_id)
                )
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
                state, template, tenant, language, **extra
            ),
            kind=event.type.value,
            workflow_id=uuid.UUID(state.id),
            dedupe_key=jobs.event_key(state.id, event.seq),
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
