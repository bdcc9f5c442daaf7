"""Password hashing, access tokens (JWT) and opaque refresh tokens."""

from __future__ import annotations

import functools
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import bcrypt
import jwt

from wfm_shared.errors import FieldError, Unauthenticated, ValidationFailed
from wfm_shared.principal import PERMISSIONS_BY_ROLE, ROLES, Principal
from wfm_shared.settings import Settings

BCRYPT_MAX_BYTES = 72
MIN_PASSWORD_LENGTH = 8
JWT_ALGORITHM = "HS256"


def check_password_policy(password: str, field_name: str = "password") -> bytes:
    """Return the bytes bcrypt will hash, refusing what bcrypt would silently truncate."""
    encoded = password.encode("utf-8")
    if len(encoded) > BCRYPT_MAX_BYTES:
        raise ValidationFailed(
            "password is too long",
            [FieldError((field_name,), f"must be at most {BCRYPT_MAX_BYTES} bytes in UTF-8")],
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            "password is too short",
            [FieldError((field_name,), f"must be at least {MIN_PASSWORD_LENGTH} characters")],
        )
    return encoded


def could_be_a_password(password: str) -> bool:
    """Whether the policy would have let anyone set `password`: one it refuses matches no
    account, and a login with it is simply wrong (the policy is not a login's business)."""
    return len(password) >= MIN_PASSWORD_LENGTH and len(password.encode()) <= BCRYPT_MAX_BYTES


def hash_password(password: str, rounds: int = 12) -> str:
    return bcrypt.hashpw(check_password_policy(password), bcrypt.gensalt(rounds)).decode("ascii")


def verify_password(password: str, password_hash: str) -> bool:
    encoded = password.encode("utf-8")
    if len(encoded) > BCRYPT_MAX_BYTES:
        # Never compare a truncated prefix: such a password cannot have been set.
        raise ValidationFailed(
            "password is too long",
            [FieldError(("password",), f"must be at most {BCRYPT_MAX_BYTES} bytes in UTF-8")],
        )
    return bcrypt.checkpw(encoded, password_hash.encode("ascii"))


@functools.cache
def dummy_password_hash(rounds: int) -> str:
    """A valid hash to check against when the account does not exist, so that response
    time does not tell an attacker which emails are registered."""
    return bcrypt.hashpw(b"not-a-real-password", bcrypt.gensalt(rounds)).decode("ascii")


@dataclass(frozen=True)
class TokenCodec:
    """Issues and verifies access tokens; the algorithm is pinned, iss/aud/exp checked."""

    secret: str
    issuer: str
    audience: str
    ttl: timedelta

    @classmethod
    def from_settings(cls, settings: Settings, ttl: timedelta | None = None) -> TokenCodec:
        """The codec the API verifies with; `ttl` defaults to the access-token lifetime."""
        return cls(
            secret=settings.jwt_secret.get_secret_value(),
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            ttl=ttl or timedelta(seconds=settings.access_token_ttl_seconds),
        )

    def issue(self, principal: Principal, now: datetime) -> tuple[str, datetime]:
        """A token for `principal`, which names the user's current token version: a token
        the database cannot check against its user is never issued."""
        if principal.token_version is None:
            raise ValueError("an access token carries the user's token version")
        expires = now + self.ttl
        claims: dict[str, Any] = {
            "sub": str(principal.user_id),
            "tenantId": str(principal.tenant_id) if principal.tenant_id else None,
            "role": principal.role,
            "tokenVersion": principal.token_version,
            "permissions": sorted(principal.permissions),
            "iat": int(now.timestamp()),
            "exp": int(expires.timestamp()),
            "iss": self.issuer,
            "aud": self.audience,
            "jti": secrets.token_hex(8),
        }
        return jwt.encode(claims, self.secret, algorithm=JWT_ALGORITHM), expires

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self.secret,
                algorithms=[JWT_ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("token expired") from None
        except jwt.PyJWTError:
            raise Unauthenticated("invalid token") from None
        try:
            role = str(claims["role"])
            if role not in ROLES:
                raise ValueError(role)
            tenant = claims.get("tenantId")
            version = claims["tokenVersion"]
            if type(version) is not int or version < 1:
                raise ValueError(version)
            return Principal(
                user_id=uuid.UUID(str(claims["sub"])),
                tenant_id=uuid.UUID(str(tenant)) if tenant else None,
                role=role,
                permissions=frozenset(PERMISSIONS_BY_ROLE[role]),
                token_version=version,
            )
        except (KeyError, ValueError, TypeError):
            raise Unauthenticated("invalid token") from None


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def hash_refresh_token(token: str) -> str:
    # Refresh tokens are high-entropy random strings: a fast hash is the right tool here.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
