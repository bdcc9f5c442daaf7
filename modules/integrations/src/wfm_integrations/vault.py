"""Secrets kept to be read again (a participant's new API key until it is read once, TOTP
secrets): sealed with Fernet (AES-128-CBC and HMAC-SHA256) under a key derived with
HKDF-SHA256 from WFM_CREDENTIAL_SECRET (else WFM_JWT_SECRET), one key per purpose.

Not the keyring of wfm_shared.sealing: what is sealed here already lives under the credential
secret (enrolled TOTP secrets among it), and moving it would lock those users out."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

from wfm_shared.sealing import derived_key
from wfm_shared.settings import Settings

# what a KeyVault seals: its key is derived for one purpose
API_KEYS = b"wfm api credential keys"
MFA_SECRETS = b"wfm mfa secrets"


class KeyVault:
    """Encrypts a key while it waits to be read: Fernet (AES-128-CBC and HMAC-SHA256),
    under a key derived with HKDF-SHA256 from WFM_CREDENTIAL_SECRET (else WFM_JWT_SECRET)."""

    def __init__(self, secret: str, *, purpose: bytes = API_KEYS) -> None:
        # one key per purpose, so that what one seals no other opens
        self._fernet = Fernet(derived_key(secret, purpose))

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
