"""Personal data as MongoDB holds it: data subjects, their keys, and the tokens that stand for
their values.

A data subject is a person named in workflow data, known per tenant by e-mail address
(`subject_id_for`); what belongs to no e-mail address belongs to its workflow's own
pseudo-subject (`workflow_subject_id`). Each subject has one key per workflow instance: 32
random bytes, kept in Postgres sealed under the platform's keyring (`seal_key`, with
wfm_shared.sealing). A personal value is stored as a token, its JSON encrypted with AES-GCM
under that key (a random 96-bit nonce, the key id as associated data):

    wfm:pd:1:<key id>:<base64url(nonce + ciphertext)>

Destroying the key (erasure) leaves every copy of the value unreadable: it reads `ERASED`."""

from __future__ import annotations

import base64
import binascii
import json
import os
import uuid
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from wfm_shared.sealing import SecretBox

# Names subjects: uuid5(PERSONAL_NAMESPACE, "<tenant id>:<e-mail, trimmed, lower case>").
PERSONAL_NAMESPACE = uuid.UUID("6f1b8c2e-4d0a-5e73-9a41-2c7d5b3e8f10")
# What a value sealed under a destroyed key reads as, everywhere.
ERASED = "[erased]"
# What another subject's value reads as in a subject's export.
OTHER_SUBJECT = "[other subject]"
TOKEN_PREFIX = "wfm:pd:1:"
KEY_BYTES = 32
NONCE_BYTES = 12
_UUID_TEXT = 36


class TokenUnreadable(Exception):
    """A token that its key does not open (altered, or not sealed under that key)."""


def normalized_email(email: str) -> str:
    return email.strip().lower()


def subject_id_for(tenant_id: uuid.UUID | str, email: str) -> uuid.UUID:
    """The data subject an e-mail address names in a tenant."""
    return uuid.uuid5(PERSONAL_NAMESPACE, f"{tenant_id}:{normalized_email(email)}")


def workflow_subject_id(tenant_id: uuid.UUID | str, instance_id: str) -> uuid.UUID:
    """The pseudo-subject of a workflow: its personal values that name no e-mail address."""
    return uuid.uuid5(PERSONAL_NAMESPACE, f"{tenant_id}:workflow:{instance_id}")


def is_token(value: object) -> bool:
    return isinstance(value, str) and value.startswith(TOKEN_PREFIX)


def token_key_id(value: object) -> uuid.UUID | None:
    """The key a token is sealed under; None: `value` is not a well-formed token."""
    if not is_token(value):
        return None
    assert isinstance(value, str)
    rest = value[len(TOKEN_PREFIX) :]
    if len(rest) <= _UUID_TEXT + 1 or rest[_UUID_TEXT] != ":":
        return None
    try:
        return uuid.UUID(rest[:_UUID_TEXT])
    except ValueError:
        return None


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def seal_key(box: SecretBox, key: bytes) -> bytes:
    """The key material as Postgres keeps it: sealed under the keyring's first key."""
    return box.seal(base64.urlsafe_b64encode(key).decode("ascii")).encode("ascii")


def open_key(box: SecretBox, sealed: bytes) -> bytes:
    """SealedWithUnknownKey: no key of the keyring opens it."""
    return base64.urlsafe_b64decode(box.open(sealed.decode("ascii")))


@dataclass(frozen=True)
class SubjectCipher:
    """One key: seals values into tokens and opens its own tokens."""

    key_id: uuid.UUID
    key: bytes

    def seal(self, value: Any) -> str:
        nonce = os.urandom(NONCE_BYTES)
        plain = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
        sealed = AESGCM(self.key).encrypt(nonce, plain, str(self.key_id).encode())
        text = base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")
        return f"{TOKEN_PREFIX}{self.key_id}:{text}"

    def open(self, token: str) -> Any:
        """The value `token` stands for; TokenUnreadable when this key does not open it."""
        if token_key_id(token) != self.key_id:
            raise TokenUnreadable("the token is not sealed under this key")
        text = token[len(TOKEN_PREFIX) + _UUID_TEXT + 1 :]
        try:
            blob = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            plain = AESGCM(self.key).decrypt(
                blob[:NONCE_BYTES], blob[NONCE_BYTES:], str(self.key_id).encode()
            )
            return json.loads(plain)
        except (binascii.Error, ValueError, InvalidTag) as error:
            raise TokenUnreadable("the token does not open under its key") from error
