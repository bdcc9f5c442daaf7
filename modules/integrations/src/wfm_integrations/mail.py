"""Notification mail: templates in English, French and Dutch rendered with `{dotted.path}`
placeholders, sent over SMTP with aiosmtplib."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import aiosmtplib

DEFAULT_LANGUAGE = "en"
LANGUAGES = frozenset({"en", "fr", "nl"})

# Only names and dots: a template can read values out of the context mapping and nothing
# else (no attribute access, no indexing, no format specs) — template authors are not
# trusted with Python's str.format.
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\}")


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str = DEFAULT_LANGUAGE
    name: str | None = None


@dataclass(frozen=True)
class LocalizedMessage:
    """Subject and body per language (`en`, `fr`, `nl`); English is the fallback."""

    subject: Mapping[str, str]
    body: Mapping[str, str]

    def __post_init__(self) -> None:
        for part, texts in (("subject", self.subject), ("body", self.body)):
            if DEFAULT_LANGUAGE not in texts:
                raise ValueError(f"a localized {part} needs an '{DEFAULT_LANGUAGE}' text")
            unknown = set(texts) - LANGUAGES
            if unknown:
                raise ValueError(f"unknown language(s) in {part}: {', '.join(sorted(unknown))}")


def _pick(texts: Mapping[str, str], language: str) -> str:
    primary = language.split("-", 1)[0].lower()  # "fr-BE" reads the French text
    return texts.get(primary) or texts[DEFAULT_LANGUAGE]


def _lookup(context: Mapping[str, Any], path: str) -> tuple[bool, Any]:
    value: Any = context
    for segment in path.split("."):
        if not isinstance(value, Mapping) or segment not in value:
            return False, None
        value = value[segment]
    return True, value


def fill(template: str, context: Mapping[str, Any]) -> str:
    """Replace each `{dotted.path}` found in `context`; anything else stays as written."""

    def replace(match: re.Match[str]) -> str:
        found, value = _lookup(context, match.group(1))
        if not found or isinstance(value, Mapping):
            return match.group(0)
        return "" if value is None else str(value)

    return _PLACEHOLDER.sub(replace, template)


def render(message: LocalizedMessage, language: str, context: Mapping[str, Any]) -> tuple[str, str]:
    """(subject, body) in `language`, or in English when there is no text in it."""
    return fill(_pick(message.subject, language), context), fill(
        _pick(message.body, language), context
    )


def message_id_for(key: str, *, domain: str) -> str:
    """A Message-ID derived from an idempotency key: a retried send carries the same id,
    so the receiving side (and our logs) can recognise a duplicate."""
    return f"<{uuid.uuid5(uuid.NAMESPACE_URL, key)}@{domain}>"


class MailDeliveryError(Exception):
    """The SMTP server did not take the message; `retryable` says whether trying later may
    help (connection trouble, 4xx) or not (5xx: refused recipient, rejected message)."""

    def __init__(self, reason: str, *, retryable: bool, code: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.code = code


class SmtpMailer:
    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        username: str | None = None,
        password: str | None = None,
        start_tls: bool = False,
        timeout: float = 10,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.username = username
        self.password = password
        self.start_tls = start_tls
        self.timeout = timeout

    def compose(
        self, recipient: Recipient, subject: str, body: str, *, message_id: str
    ) -> EmailMessage:
        message = EmailMessage()
        # Content first: set_content() clears every Content-* header, Content-Language too.
        message.set_content(body)
        message["From"] = self.sender
        message["To"] = Address(display_name=recipient.name or "", addr_spec=recipient.email)
        # A line break in a rendered subject would start a new header: fold it away.
        message["Subject"] = " ".join(subject.split())
        message["Date"] = format_datetime(datetime.now(UTC))
        message["Message-ID"] = message_id if message_id.startswith("<") else f"<{message_id}>"
        message["Content-Language"] = recipient.language
        return message

    async def send(self, recipient: Recipient, subject: str, body: str, *, message_id: str) -> None:
        """Send one message. `message_id` becomes the Message-ID header (angle brackets
        added when missing); give the same id on a retry, e.g. from `message_id_for`."""
        message = self.compose(recipient, subject, body, message_id=message_id)
        try:
            await aiosmtplib.send(
                message,
                hostname=self.host,
                port=self.port,
                username=self.username,
                password=self.password,
                start_tls=self.start_tls,
                timeout=self.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [refused.code for refused in exc.recipients]
            raise MailDeliveryError(
                f"recipient refused: {exc}",
                retryable=all(400 <= code < 500 for code in codes),
                code=codes[0] if codes else None,
            ) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise MailDeliveryError(
                f"SMTP {exc.code}: {exc.message}", retryable=exc.code < 500, code=exc.code
            ) from exc
        except aiosmtplib.SMTPNotSupported as exc:  # e.g. STARTTLS required but not offered
            raise MailDeliveryError(f"SMTP server: {exc}", retryable=False) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise MailDeliveryError(f"{type(exc).__name__}: {exc}", retryable=True) from exc
