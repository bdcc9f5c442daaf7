import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from pydantic import ValidationError

from wfm_shared.errors import Unauthenticated, ValidationFailed
from wfm_shared.principal import principal_for
from wfm_shared.sealing import SecretBox
from wfm_shared.security import (
    TokenCodec,
    check_password_policy,
    hash_password,
    hash_refresh_token,
    verify_password,
)
from wfm_shared.settings import DEFAULT_JWT_SECRET, Settings

SECRET = "a-test-secret-that-is-long-enough-for-hs256"
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def codec(**overrides: object) -> TokenCodec:
    values = {
        "secret": SECRET,
        "issuer": "wfm",
        "audience": "wfm-api",
        "ttl": timedelta(minutes=15),
    }
    values.update(overrides)
    return TokenCodec(**values)  # type: ignore[arg-type]


def principal(token_version: int | None = 3):
    return principal_for(uuid.uuid4(), uuid.uuid4(), "tenant_admin", token_version=token_version)


def test_issued_token_verifies_to_the_same_principal():
    who = principal()
    token, expires = codec().issue(who, datetime.now(UTC))
    assert codec().verify(token) == who
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["tenantId"] == str(who.tenant_id)
    assert claims["tokenVersion"] == 3
    assert set(claims) >= {
        "sub", "tenantId", "role", "tokenVersion", "permissions", "exp", "iat", "iss", "aud"
    }  # fmt: skip
    assert expires > datetime.now(UTC)


def test_no_token_is_issued_without_the_users_token_version():
    with pytest.raises(ValueError, match="token version"):
        codec().issue(principal(token_version=None), datetime.now(UTC))


@pytest.mark.parametrize("version", [None, 0, -1, "2", 2.5, True])
def test_a_token_without_a_valid_token_version_is_refused(version):
    token, _ = codec().issue(principal(), datetime.now(UTC))
    claims = jwt.decode(token, options={"verify_signature": False})
    if version is None:
        del claims["tokenVersion"]
    else:
        claims["tokenVersion"] = version
    with pytest.raises(Unauthenticated, match="invalid token"):
        codec().verify(jwt.encode(claims, SECRET, algorithm="HS256"))


def test_expired_token_is_unauthenticated():
    token, _ = codec().issue(principal(), datetime.now(UTC) - timedelta(hours=1))
    with pytest.raises(Unauthenticated, match="expired"):
        codec().verify(token)


@pytest.mark.parametrize(
    "other",
    [
        {"secret": "another-secret-of-sufficient-length-123456"},
        {"issuer": "someone-else"},
        {"audience": "another-api"},
    ],
)
def test_token_from_another_issuer_audience_or_key_is_refused(other):
    token, _ = codec(**other).issue(principal(), datetime.now(UTC))
    with pytest.raises(Unauthenticated):
        codec().verify(token)


def _b64(part: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


def test_alg_none_token_is_refused():
    token, _ = codec().issue(principal(), datetime.now(UTC))
    claims = jwt.decode(token, options={"verify_signature": False})
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    with pytest.raises(Unauthenticated):
        codec().verify(unsigned)


def test_token_with_unknown_role_is_refused():
    claims = {
        "sub": str(uuid.uuid4()),
        "role": "superuser",
        "iss": "wfm",
        "aud": "wfm-api",
        "iat": int(datetime.now(UTC).timestamp()),
        "exp": int((datetime.now(UTC) + timedelta(minutes=5)).timestamp()),
    }
    with pytest.raises(Unauthenticated):
        codec().verify(jwt.encode(claims, SECRET, algorithm="HS256"))


def test_password_over_72_bytes_is_refused_not_truncated():
    long_password = "é" * 37  # 74 bytes in UTF-8, 37 characters
    with pytest.raises(ValidationFailed) as raised:
        check_password_policy(long_password)
    assert raised.value.errors[0].path == ("password",)
    with pytest.raises(ValidationFailed):
        verify_password(long_password, hash_password("short-but-fine", 4))


def test_password_hash_verifies_only_the_same_password():
    stored = hash_password("correct horse battery", 4)
    assert verify_password("correct horse battery", stored)
    assert not verify_password("correct horse batterY", stored)


def test_refresh_tokens_are_stored_as_hashes():
    assert hash_refresh_token("abc") == hash_refresh_token("abc")
    assert "abc" not in hash_refresh_token("abc")


def test_production_refuses_the_default_jwt_secret():
    # pydantic reports the validator's InsecureConfiguration inside its ValidationError
    with pytest.raises(ValidationError, match="WFM_JWT_SECRET must be set"):
        Settings(env="production", jwt_secret=DEFAULT_JWT_SECRET)
    with pytest.raises(ValidationError, match="WFM_JWT_SECRET must be set"):
        Settings(env="production", jwt_secret="short")
    keys = SecretBox.generate_key()
    assert Settings(env="production", jwt_secret="x" * 40, secret_keys=keys).env == "production"


def test_app_dsn_swaps_the_login_and_keeps_the_socket():
    settings = Settings(
        database_url="postgresql://postgres@/wfm?host=/tmp/pg", app_db_password="p@ss"
    )
    assert settings.app_dsn() == "postgresql://wfm_app:p%40ss@/wfm?host=/tmp/pg"
