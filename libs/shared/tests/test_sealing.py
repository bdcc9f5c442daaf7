"""The keyring of values kept encrypted at rest: the first key seals, every key opens."""

import pytest
from pydantic import ValidationError

from wfm_shared.sealing import SealedWithUnknownKey, SecretBox, parse_keyring
from wfm_shared.settings import Settings

KEY1 = SecretBox.generate_key()
KEY2 = SecretBox.generate_key()


def test_a_sealed_value_opens_to_the_text_and_does_not_contain_it():
    box = SecretBox([KEY1.encode()])
    sealed = box.seal("p@ss wörd")
    assert "p@ss" not in sealed
    assert box.open(sealed) == "p@ss wörd"
    assert box.seal("p@ss wörd") != sealed  # a fresh IV every time


def test_every_key_of_the_keyring_opens_and_the_first_one_seals():
    old = SecretBox.from_settings(Settings(secret_keys=KEY1))
    rotated = SecretBox.from_settings(Settings(secret_keys=f"{KEY2}, {KEY1}"))
    sealed_before = old.seal("token")
    assert rotated.open(sealed_before) == "token"
    assert not rotated.is_current(sealed_before)
    assert SecretBox([KEY2.encode()]).open(rotated.seal("fresh")) == "fresh"


def test_reseal_moves_a_value_under_the_first_key_and_is_idempotent():
    rotated = SecretBox([KEY2.encode(), KEY1.encode()])
    resealed = rotated.reseal(SecretBox([KEY1.encode()]).seal("token"))
    assert rotated.is_current(resealed)
    assert rotated.reseal(resealed) == resealed  # nothing to do the second time
    assert SecretBox([KEY2.encode()]).open(resealed) == "token"


def test_a_value_no_key_opens_is_a_typed_error():
    sealed = SecretBox([KEY1.encode()]).seal("token")
    other = SecretBox([KEY2.encode()])
    with pytest.raises(SealedWithUnknownKey):
        other.open(sealed)
    with pytest.raises(SealedWithUnknownKey):
        other.reseal(sealed)
    with pytest.raises(SealedWithUnknownKey):
        other.open("plain text, never sealed")


def test_without_a_keyring_a_key_is_derived_from_the_credential_secret_outside_production():
    box = SecretBox.from_settings(Settings(env="dev", credential_secret="c" * 40))
    again = SecretBox.from_settings(Settings(env="test", credential_secret="c" * 40))
    assert again.open(box.seal("token")) == "token"
    with pytest.raises(SealedWithUnknownKey):
        SecretBox.from_settings(Settings(credential_secret="d" * 40)).open(box.seal("token"))


def test_production_refuses_to_start_without_a_keyring():
    with pytest.raises(ValidationError, match="WFM_SECRET_KEYS must be set in production"):
        Settings(env="production", jwt_secret="x" * 40)
    assert Settings(env="production", jwt_secret="x" * 40, secret_keys=KEY1).secret_keys


def test_a_malformed_key_is_refused_by_position_and_never_echoed():
    with pytest.raises(ValidationError, match="key 2 is not a Fernet key") as refused:
        Settings(secret_keys=f"{KEY1},not-a-key-at-all")
    assert "not-a-key-at-all" not in str(refused.value)
    assert KEY1 not in str(refused.value)
    with pytest.raises(ValueError, match="holds no key"):
        parse_keyring(" , ")
