"""Invitation and password-reset links: the single-use token each carries (the database keeps
only its SHA-256 digest, `wfm_storage.repositories.user_tokens`) and the mail that carries
it, in the recipient's language. The token is in that mail and nowhere else: not in a log,
an audit entry, an in-app notification or an API answer."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from wfm_integrations.mail import LocalizedMessage, MailDeliveryError, Recipient
from wfm_integrations.notifier import Notifier
from wfm_shared.errors import FieldError, ServiceUnavailable, ValidationFailed
from wfm_shared.logging import get_logger
from wfm_shared.retries import TransientFailure
from wfm_storage.repositories.user_tokens import TokenPurpose

log = get_logger("wfm.directory")

PASSWORD_RESET_TTL = timedelta(minutes=30)
# the path of the page that takes each kind of token, under the platform's public URL
LINK_PATHS: dict[TokenPurpose, str] = {
    "invitation": "invitations",
    "password_reset": "reset-password",
}
MARKET_OPERATIONS = {
    "en": "market operations",
    "fr": "opérations de marché",
    "nl": "marktoperaties",
}


def new_link_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    # 256 random bits: a fast hash is the right tool (as for refresh tokens)
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def unusable_link() -> ValidationFailed:
    """The one answer to an unknown, used or expired token (or one of another purpose)."""
    return ValidationFailed(
        "the link is invalid or has expired",
        [FieldError(("token",), "is unknown, used or expired")],
    )


def _text(en: str, fr: str, nl: str) -> dict[str, str]:
    return {"en": en, "fr": fr, "nl": nl}


INVITATION = LocalizedMessage(
    subject=_text(
        "You are invited to Workflow Manager",
        "Vous êtes invité sur Workflow Manager",
        "U bent uitgenodigd voor Workflow Manager",
    ),
    body=_text(
        "Hello {name},\n\n"
        "{inviter} invites you to join {organisation} on Workflow Manager.\n\n"
        "Choose your password here to accept the invitation:\n{link}\n\n"
        "The link can be used once and expires on {expiresAt}.\n",
        "Bonjour {name},\n\n"
        "{inviter} vous invite à rejoindre {organisation} sur Workflow Manager.\n\n"
        "Choisissez votre mot de passe ici pour accepter l'invitation :\n{link}\n\n"
        "Le lien ne sert qu'une fois et expire le {expiresAt}.\n",
        "Hallo {name},\n\n"
        "{inviter} nodigt u uit bij {organisation} op Workflow Manager.\n\n"
        "Kies hier uw wachtwoord om de uitnodiging te aanvaarden:\n{link}\n\n"
        "De link werkt één keer en vervalt op {expiresAt}.\n",
    ),
)
PASSWORD_RESET = LocalizedMessage(
    subject=_text(
        "Reset your Workflow Manager password",
        "Réinitialisez votre mot de passe Workflow Manager",
        "Stel uw wachtwoord voor Workflow Manager opnieuw in",
    ),
    body=_text(
        "Hello {name},\n\n"
        "Someone, probably you, asked to reset the password of {email} on Workflow Manager.\n\n"
        "Choose a new password here within {minutes} minutes:\n{link}\n\n"
        "The link can be used once. If you did not ask for it, ignore this message: "
        "your password stays as it is.\n",
        "Bonjour {name},\n\n"
        "Quelqu'un, sans doute vous, a demandé de réinitialiser le mot de passe de {email} "
        "sur Workflow Manager.\n\n"
        "Choisissez un nouveau mot de passe ici dans les {minutes} minutes :\n{link}\n\n"
        "Le lien ne sert qu'une fois. Si vous n'avez rien demandé, ignorez ce message : "
        "votre mot de passe reste inchangé.\n",
        "Hallo {name},\n\n"
        "Iemand, wellicht u, vroeg om het wachtwoord van {email} op Workflow Manager "
        "opnieuw in te stellen.\n\n"
        "Kies hier binnen {minutes} minuten een nieuw wachtwoord:\n{link}\n\n"
        "De link werkt één keer. Vroeg u niets aan, negeer dan dit bericht: "
        "uw wachtwoord blijft ongewijzigd.\n",
    ),
)


@dataclass(frozen=True)
class LinkRecipient:
    email: str
    locale: str
    display_name: str | None

    @property
    def name(self) -> str:
        return self.display_name or self.email


class AccountMail:
    """Mails the links through the platform's `Notifier` (e-mail only: an in-app copy would
    keep the token). Without an SMTP server configured, nothing is sent."""

    def __init__(self, notifier: Notifier, public_url: str) -> None:
        self._notifier = notifier
        self._public_url = public_url.rstrip("/")

    def link(self, purpose: TokenPurpose, token: str) -> str:
        return f"{self._public_url}/{LINK_PATHS[purpose]}/{token}"

    async def invitation(
        self,
        recipient: LinkRecipient,
        *,
        token_id: uuid.UUID,
        token: str,
        expires_at: datetime,
        inviter: str,
        organisation: str | None,
    ) -> None:
        """`organisation`: the tenant's name; None: market operations."""
        expires = expires_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        link = self.link("invitation", token)

        def context(language: str) -> dict[str, Any]:
            return {
                "name": recipient.name,
                "inviter": inviter,
                "organisation": organisation or MARKET_OPERATIONS[language],
                "link": link,
                "expiresAt": expires,
            }

        await self._send(recipient, INVITATION, context, "USER_INVITED", token_id)

    async def password_reset(
        self, recipient: LinkRecipient, *, token_id: uuid.UUID, token: str
    ) -> None:
        link = self.link("password_reset", token)
        minutes = int(PASSWORD_RESET_TTL.total_seconds() // 60)

        def context(language: str) -> dict[str, Any]:
            return {
                "name": recipient.name,
                "email": recipient.email,
                "link": link,
                "minutes": minutes,
            }

        await self._send(recipient, PASSWORD_RESET, context, "PASSWORD_RESET_REQUESTED", token_id)

    async def _send(
        self,
        recipient: LinkRecipient,
        message: LocalizedMessage,
        context: Callable[[str], dict[str, Any]],
        kind: str,
        token_id: uuid.UUID,
    ) -> None:
        try:
            await self._notifier.send(
                users=[],
                outsiders=[Recipient(recipient.email, recipient.locale, recipient.display_name)],
                message=message,
                context_for=context,
                kind=kind,
                workflow_id=None,
                # the token's id, never the token: it names the Message-ID
                dedupe_key=f"{kind}:{token_id}",
                channels=frozenset({"email"}),
            )
        except (TransientFailure, MailDeliveryError) as error:
            # the reason names the SMTP server's answer, never the message
            log.warning("account_mail_failed", kind=kind, token_id=str(token_id), error=str(error))
            raise ServiceUnavailable("the mail could not be sent; try again later") from None
