"""Secrets kept to be read again (a participant's new API key until it is read once, TOTP
secrets): sealed with Fernet (AES-128-CBC and HMAC-SHA256) under a key derived with
HKDF-SHA256 from WFM_CREDENTIAL_SECRET (else WFM_JWT_SECRET), one key per purpose."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from wfm_shared.settings import Settings

# what a KeyVault seals: its key is derived for one purpose
API_KEYS = b"wfm api credential keys"
MFA_SECRETS = b"wfm mfa secrets"


class KeyVault:
    """Encrypts a key while it waits to be read: Fernet (AES-128-CBC and HMAC-SHA256),
    under a key derived with HKDF-SHA256 from WFM_CREDENTIAL_SECRET (else WFM_JWT_SECRET)."""

    def __init__(self, secret: str, *, purpose: bytes = API_KEYS) -> None:
        # one key per purpose, so that what one seals no other opens
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
            secret.encode()
        )
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    @classmethod
    def from_settings(cls, settings: Settings, *, purpose: bytes = API_KEYS) -> KeyVault:
        secret = settings.credential_secret or settings.jwt_secret
        return cls(secret.get_secret_value(), purpose=purpose)

    def seal(self, key: str) -> str:
        return self._fernet.encrypt(key.encode()).decode("ascii")

    def open(self, sealed: str) -> str | None:
        """None: sealed under another secret (the setting changed since)."""
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode()
        except InvalidToken:
            return None
