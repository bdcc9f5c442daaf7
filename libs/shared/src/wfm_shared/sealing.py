"""Values the platform keeps encrypted at rest and reads again (tenant secrets, webhook
signing secrets): Fernet (AES-128-CBC and HMAC-SHA256) under a keyring.

The keyring is WFM_SECRET_KEYS: Fernet keys, comma-separated. The first one seals, every
one opens, so a key is rotated by putting a new one in front, running
`wfm secrets rotate-key` (it reseals everything under the first key), then dropping the
old one. Generate a key with `wfm secrets generate-key`. Outside production the keyring
may be left unset: one key is then derived from WFM_CREDENTIAL_SECRET (else WFM_JWT_SECRET),
so `make dev` and the tests need nothing new; production refuses to start without it."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import TYPE_CHECKING

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

if TYPE_CHECKING:
    from wfm_shared.settings import Settings

# what the key derived outside production seals: no other derived key opens it
TENANT_SECRETS = b"wfm tenant secrets"


class SealedWithUnknownKey(Exception):
    """No key of the keyring opens a sealed value: it was sealed under a key that has left
    WFM_SECRET_KEYS (or it was altered)."""

    def __init__(self) -> None:
        super().__init__(
            "no key of WFM_SECRET_KEYS opens this sealed value: it was sealed under a key "
            "removed from the keyring, or it was altered"
        )


def derived_key(secret: str, purpose: bytes) -> bytes:
    """A Fernet key derived with HKDF-SHA256 from a secret, one per purpose."""
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret.encode()
    )
    return base64.urlsafe_b64encode(derived)


def parse_keyring(text: str) -> list[bytes]:
    """WFM_SECRET_KEYS as keys; a ValueError names the entry that is not a Fernet key
    (by its position: a key is never repeated in an error)."""
    keys = [entry.strip() for entry in text.split(",") if entry.strip()]
    if not keys:
        raise ValueError("WFM_SECRET_KEYS holds no key")
    for position, key in enumerate(keys, start=1):
        try:
            raw = base64.urlsafe_b64decode(key.encode("ascii"))
        except (binascii.Error, UnicodeEncodeError):
            raw = b""
        if len(raw) != 32:
            raise ValueError(
                f"WFM_SECRET_KEYS: key {position} is not a Fernet key (32 bytes in url-safe "
                "base64, as `wfm secrets generate-key` prints)"
            )
    return [key.encode("ascii") for key in keys]


class SecretBox:
    """Seals and opens strings under a keyring: the first key seals, every key opens."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise ValueError("a SecretBox needs at least one key")
        self._current = Fernet(keys[0])
        self._keyring = MultiFernet([Fernet(key) for key in keys])

    @classmethod
    def from_settings(cls, settings: Settings) -> SecretBox:
        if settings.secret_keys is not None:
            return cls(parse_keyring(settings.secret_keys.get_secret_value()))
        # outside production only (the settings refuse production without a keyring)
        secret = settings.credential_secret or settings.jwt_secret
        return cls([derived_key(secret.get_secret_value(), TENANT_SECRETS)])

    @staticmethod
    def generate_key() -> str:
        return Fernet.generate_key().decode("ascii")

    def seal(self, text: str) -> str:
        return self._current.encrypt(text.encode()).decode("ascii")

    def open(self, sealed: str) -> str:
        try:
            return self._keyring.decrypt(sealed.encode("ascii")).decode()
        except (InvalidToken, UnicodeEncodeError) as error:
            raise SealedWithUnknownKey() from error

    def is_current(self, sealed: str) -> bool:
        """Whether the first key of the keyring sealed it (nothing to reseal)."""
        try:
            self._current.decrypt(sealed.encode("ascii"))
        except (InvalidToken, UnicodeEncodeError):
            return False
        return True

    def reseal(self, sealed: str) -> str:
        """The value sealed under the first key; unchanged if it already is (idempotent)."""
        if self.is_current(sealed):
            return sealed
        try:
            return self._keyring.rotate(sealed.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeEncodeError) as error:
            raise SealedWithUnknownKey() from error
