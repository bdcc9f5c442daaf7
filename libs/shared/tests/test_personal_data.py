"""Personal values as tokens: sealed under a subject's key, opened by that key alone; subjects
named per tenant by e-mail address, whatever its case or surrounding spaces."""

import uuid

import pytest

from wfm_shared.personal_data import (
    SubjectCipher,
    TokenUnreadable,
    is_token,
    new_key,
    open_key,
    seal_key,
    subject_id_for,
    token_key_id,
    workflow_subject_id,
)
from wfm_shared.sealing import SecretBox

TENANT = uuid.UUID("2b1f0c8e-3a57-4d6e-9f10-8c2d4e6a1b3c")
OTHER_TENANT = uuid.UUID("7d3e2a1c-5b4f-4e8d-a9c0-1f2e3d4c5b6a")


def cipher() -> SubjectCipher:
    return SubjectCipher(uuid.uuid4(), new_key())


@pytest.mark.parametrize("value", ["Lea Peeters", "", 42, 2.5, True, ["a", 1], {"nested": [None]}])
def test_a_value_sealed_under_a_key_opens_as_it_was(value):
    key = cipher()
    token = key.seal(value)
    assert is_token(token)
    assert token.startswith(f"wfm:pd:1:{key.key_id}:")
    assert token_key_id(token) == key.key_id
    assert key.open(token) == value


def test_the_same_value_sealed_twice_reads_differently_in_storage():
    key = cipher()
    assert key.seal("lea@example.test") != key.seal("lea@example.test")


def test_no_other_key_opens_a_token():
    key, other = cipher(), cipher()
    token = key.seal("lea@example.test")
    with pytest.raises(TokenUnreadable):
        other.open(token)
    # the same material under another id: the key id is part of what is authenticated
    renamed = SubjectCipher(other.key_id, key.key)
    with pytest.raises(TokenUnreadable):
        renamed.open(token.replace(str(key.key_id), str(other.key_id)))


def test_an_altered_token_does_not_open():
    key = cipher()
    token = key.seal("lea@example.test")
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(TokenUnreadable):
        key.open(tampered)


@pytest.mark.parametrize(
    "text", ["plain", "wfm:pd:1:", "wfm:pd:1:not-a-uuid:abc", f"wfm:pd:1:{uuid.uuid4()}"]
)
def test_text_that_is_not_a_well_formed_token_names_no_key(text):
    assert token_key_id(text) is None


def test_a_subject_is_named_by_tenant_and_e_mail_address_in_any_case():
    assert subject_id_for(TENANT, "Lea@Example.TEST ") == subject_id_for(TENANT, "lea@example.test")
    assert subject_id_for(str(TENANT), "lea@example.test") == subject_id_for(
        TENANT, "lea@example.test"
    )
    assert subject_id_for(TENANT, "lea@example.test") != subject_id_for(
        OTHER_TENANT, "lea@example.test"
    )
    assert subject_id_for(TENANT, "lea@example.test") != subject_id_for(TENANT, "marc@example.test")


def test_a_workflow_has_a_pseudo_subject_of_its_own():
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    assert workflow_subject_id(TENANT, a) == workflow_subject_id(TENANT, a)
    assert workflow_subject_id(TENANT, a) != workflow_subject_id(TENANT, b)


def test_key_material_is_kept_sealed_under_the_keyring_and_opens_after_rotation():
    old, new = SecretBox.generate_key().encode(), SecretBox.generate_key().encode()
    material = new_key()
    sealed = seal_key(SecretBox([old]), material)
    assert material not in sealed
    rotated = SecretBox([new, old])
    assert open_key(rotated, sealed) == material
    resealed = rotated.reseal(sealed.decode()).encode()
    assert open_key(SecretBox([new]), resealed) == material
