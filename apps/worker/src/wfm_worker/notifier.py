"""Notifications: e-mail through SMTP in each recipient's language, and in-app messages
stored for users. Delivered at least once: a retried job skips users already notified."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from wfm_engine import InstanceState, WorkflowTemplate
from wfm_integrations.mail import (
    LocalizedMessage,
    MailDeliveryError,
    Recipient,
    message_id_for,
    render,
)
from wfm_storage.records import Tenant
from wfm_storage.repositories.notifications import Addressee
from wfm_worker.context import WorkerDeps

MAIL_DOMAIN = "wfm.local"


class TransientFailure(Exception):
    """Trying again later may succeed (the job is retried with backoff)."""


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
    state: InstanceState, template: WorkflowTemplate, tenant: Tenant, language: str, **extra: Any
) -> dict[str, Any]:
    return {
        "workflow": {"id": state.id, "status": state.status.value, "marketRole": state.market_role},
        "template": {"key": template.key, "name": template.name.get(language)},
        "tenant": {"companyName": tenant.company_name, "slug": tenant.slug},
        "steps": {k: dict(v) for k, v in state.completed_data().items()},
        "variables": dict(state.variables),
        **extra,
    }


@dataclass(frozen=True)
class Outcome:
    delivered_to: list[str]


class Notifier:
    def __init__(self, deps: WorkerDeps) -> None:
        self._deps = deps

    async def addressees(
        self, spec: str, state: InstanceState
    ) -> tuple[list[Addressee], list[Recipient]]:
        """Users and outside recipients of a `role:…`, `contact:…` or `email:…` spec."""
        kind, _, target = spec.partition(":")
        if kind == "role":
            async with self._deps.storage.db.transaction(self._deps.principal) as conn:
                users = await self._deps.storage.notifications.addressees(
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
        storage, principal = self._deps.storage, self._deps.principal
        for user in users:
            async with storage.db.transaction(principal) as conn:
                if await storage.notifications.delivered(conn, user.user_id, dedupe_key):
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
            async with storage.db.transaction(principal) as conn:
                # stored after the mail went out: a retry sends again only what may not have left
                await storage.notifications.add(
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
        mailer = self._deps.mailer
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
