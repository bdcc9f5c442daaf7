"""Copies of personal values beyond the keys' reach: what PostgreSQL keeps of a workflow's
data in plaintext (wfm_storage.repositories.personal_copies: webhook deliveries, the
receivers' answers to them, notifications). Erasing a subject, and the retention sweep,
read the values about to become unreadable from the workflows' raw (sealed) events and
documents, with their keys, before destroying them; then, in the same transaction, rewrite
those copies: a JSON string that is one of the values becomes `[erased]`, a longer text has
each occurrence replaced by `[erased]` (a name inside a notification's body). The rest of
each row stays: the fact that a message was sent, to whom, when.

What is matched: the values' texts (every string in a value), ignoring case, inside a
longer text only as whole words (not "Ann" in "Announcement"), and a text shorter than
`MIN_INFIX` only where it is a whole string. A number is left alone: the same number is too often
something else (a sequence, a capacity). What is not matched: a value written differently
(a phone number re-spaced), or copied out of the platform (a mail sent, what a receiver
keeps)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from wfm_engine.personal import tokens_in
from wfm_privacy.export import ciphers_of
from wfm_shared.personal_data import ERASED, SubjectCipher, TokenUnreadable, token_key_id
from wfm_shared.principal import Principal
from wfm_shared.sealing import SecretBox
from wfm_storage.postgres import Executor
from wfm_storage.protocols import EventLog, InstanceDocumentStore
from wfm_storage.repositories.personal_copies import PersonalCopies
from wfm_storage.repositories.subject_keys import SubjectKey

# the shortest text replaced inside a longer one
MIN_INFIX = 3


@dataclass(frozen=True)
class ScrubbedCopies:
    """How many rows of each table had a value replaced."""

    webhook_deliveries: int = 0
    webhook_attempts: int = 0
    notifications: int = 0

    @property
    def total(self) -> int:
        return self.webhook_deliveries + self.webhook_attempts + self.notifications

    def __add__(self, other: ScrubbedCopies) -> ScrubbedCopies:
        return ScrubbedCopies(
            self.webhook_deliveries + other.webhook_deliveries,
            self.webhook_attempts + other.webhook_attempts,
            self.notifications + other.notifications,
        )

    def as_json(self) -> dict[str, int]:
        return {
            "webhookDeliveries": self.webhook_deliveries,
            "webhookAttempts": self.webhook_attempts,
            "notifications": self.notifications,
        }


class ErasedValues:
    """The texts to replace, and the replacing."""

    def __init__(self, texts: Iterable[str]) -> None:
        kept = {t.strip() for t in texts if t.strip() and t.strip() != ERASED}
        self._whole = {t.casefold() for t in kept}
        inner = sorted((t for t in kept if len(t) >= MIN_INFIX), key=len, reverse=True)
        self._inner = (
            re.compile(
                r"(?<!\w)(?:" + "|".join(re.escape(t) for t in inner) + r")(?!\w)", re.IGNORECASE
            )
            if inner
            else None
        )

    def __bool__(self) -> bool:
        return bool(self._whole)

    def text(self, text: str) -> str:
        if text.strip().casefold() in self._whole:
            return ERASED
        return self._inner.sub(ERASED, text) if self._inner is not None else text

    def json(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {k: self.json(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.json(v) for v in value]
        return value


def opened_values(value: Any, ciphers: Mapping[uuid.UUID, SubjectCipher | None]) -> list[Any]:
    """The values of the tokens in `value` that these keys open (the others are left shut)."""
    found = []
    for token in tokens_in(value):
        key_id = token_key_id(token)
        cipher = ciphers.get(key_id) if key_id is not None else None
        if cipher is None:
            continue
        try:
            found.append(cipher.open(token))
        except TokenUnreadable:
            continue
    return found


def texts_of(value: Any) -> Iterable[str]:
    """Every string in a value (a personal field may hold an object)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from texts_of(item)
    elif isinstance(value, list):
        for item in value:
            yield from texts_of(item)


async def held_values(
    principal: Principal,
    events: EventLog,
    documents: InstanceDocumentStore,
    instance_ids: Sequence[str],
    ciphers: Mapping[uuid.UUID, SubjectCipher | None],
) -> ErasedValues:
    """The texts these keys open in the instances' raw (sealed) events and documents."""
    texts: list[str] = []
    if not instance_ids or not any(ciphers.values()):
        return ErasedValues(texts)
    for log in (await events.for_instances(principal, instance_ids)).values():
        for event in log:
            for value in opened_values(event.data, ciphers):
                texts += texts_of(value)
    for state in (await documents.by_ids(principal, instance_ids)).values():
        for step in state.step_states.values():
            for value in opened_values(step.data, ciphers):
                texts += texts_of(value)
    return ErasedValues(texts)


async def scrub_copies(
    conn: Executor,
    copies: PersonalCopies,
    tenant_id: uuid.UUID,
    workflow_ids: Sequence[uuid.UUID],
    values: ErasedValues,
    *,
    apply: bool = True,
) -> ScrubbedCopies:
    """Replace `values` in the copies of the tenant's workflows; what was (or, with `apply`
    False, would be) rewritten."""
    if not values or not workflow_ids:
        return ScrubbedCopies()
    deliveries = await copies.deliveries(conn, tenant_id, workflow_ids)
    changed_deliveries = 0
    for delivery in deliveries:
        scrubbed = replace(
            delivery,
            payload=values.json(delivery.payload),
            last_error=values.text(delivery.last_error) if delivery.last_error else None,
        )
        if scrubbed != delivery:
            changed_deliveries += 1
            if apply:
                await copies.rewrite_delivery(conn, scrubbed)
    changed_attempts = 0
    for attempt in await copies.attempts(conn, [d.id for d in deliveries]):
        scrubbed_attempt = replace(attempt, error=values.text(attempt.error))
        if scrubbed_attempt != attempt:
            changed_attempts += 1
            if apply:
                await copies.rewrite_attempt(conn, scrubbed_attempt)
    changed_notifications = 0
    for notification in await copies.notifications(conn, workflow_ids):
        scrubbed_notification = replace(
            notification,
            subject=values.text(notification.subject),
            body=values.text(notification.body),
        )
        if scrubbed_notification != notification:
            changed_notifications += 1
            if apply:
                await copies.rewrite_notification(conn, scrubbed_notification)
    return ScrubbedCopies(changed_deliveries, changed_attempts, changed_notifications)


class CopyScrubber:
    """Erasure's and retention's one way with the plaintext copies: what keys still open,
    read from the raw (sealed) log and documents before the keys are destroyed, then those
    values replaced in PostgreSQL's copies of the workflows."""

    def __init__(
        self,
        *,
        events: EventLog,
        documents: InstanceDocumentStore,
        copies: PersonalCopies,
        box: SecretBox,
    ) -> None:
        """`events`, `documents`: the stores as MongoDB holds them (tokens unrevealed)."""
        self._events = events
        self._documents = documents
        self._copies = copies
        self._box = box

    async def values_under(self, principal: Principal, keys: Sequence[SubjectKey]) -> ErasedValues:
        """The texts the live ones of `keys` open in their workflows."""
        live = [key for key in keys if not key.erased]
        instance_ids = list(dict.fromkeys(key.instance_id for key in live))
        return await held_values(
            principal, self._events, self._documents, instance_ids, ciphers_of(live, self._box)
        )

    async def scrub(
        self,
        conn: Executor,
        tenant_id: uuid.UUID,
        workflow_ids: Sequence[uuid.UUID],
        values: ErasedValues,
        *,
        apply: bool = True,
    ) -> ScrubbedCopies:
        return await scrub_copies(conn, self._copies, tenant_id, workflow_ids, values, apply=apply)
