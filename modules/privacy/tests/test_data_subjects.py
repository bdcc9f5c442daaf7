"""What a data subject's keys say of them, and what a subject's export discloses: their own
values only, another person's as [other subject], an erased one's as [erased]."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from wfm_privacy.erasure import reason_problems
from wfm_privacy.export import Disclosure
from wfm_privacy.subjects import DataSubject, email_problems
from wfm_shared.personal_data import (
    ERASED,
    OTHER_SUBJECT,
    SubjectCipher,
    new_key,
    subject_id_for,
)
from wfm_storage.repositories.subject_keys import SubjectKey

TENANT = uuid.uuid4()
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def key(subject, instance, *, erased_at=None) -> SubjectKey:
    return SubjectKey(
        id=uuid.uuid4(),
        tenant_id=TENANT,
        subject_id=subject,
        instance_id=instance,
        sealed_key=None if erased_at else b"sealed",
        created_at=NOW,
        erased_at=erased_at,
        erasure_reason="on request" if erased_at else None,
    )


def test_a_subject_is_erased_once_every_key_of_it_is():
    subject, first, second = uuid.uuid4(), str(uuid.uuid4()), str(uuid.uuid4())
    earlier, later = NOW, NOW + timedelta(hours=1)
    held = DataSubject(
        subject, TENANT, (key(subject, first, erased_at=earlier), key(subject, second))
    )
    assert held.erased_at is None
    assert held.instance_ids == [first, second]
    gone = DataSubject(
        subject,
        TENANT,
        (key(subject, first, erased_at=earlier), key(subject, second, erased_at=later)),
    )
    assert gone.erased_at == later
    # named again in the same workflow after an erasure: one workflow, held again
    again = DataSubject(
        subject, TENANT, (key(subject, first, erased_at=earlier), key(subject, first))
    )
    assert again.instance_ids == [first]
    assert again.erased_at is None


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501, "on request\x00", "\ud800"])
def test_an_erasure_needs_a_reason_of_1_to_500_characters(reason):
    [problem] = reason_problems(reason)
    assert problem.path == ("reason",)


def test_a_reason_of_500_characters_is_enough():
    assert reason_problems("x" * 500) == []


@pytest.mark.parametrize("email", ["", "nobody", "a" * 250 + "@b.example", "a@b\x00.example"])
def test_a_subject_is_looked_up_by_an_e_mail_address(email):
    assert [p.path for p in email_problems(email)] == [("email",)]


def test_an_export_discloses_the_subjects_own_values_only():
    marc, lea = "marc@example.test", "lea@example.test"
    own, erased, other = (SubjectCipher(uuid.uuid4(), new_key()) for _ in range(3))
    disclosure = Disclosure(
        {own.key_id: own, erased.key_id: None}, TENANT, subject_id_for(TENANT, marc)
    )
    data = {
        "contacts": [
            {"name": other.seal("Lea Peeters"), "email": other.seal(lea), "role": "primary"},
            {"name": own.seal("Marc Dubois"), "email": own.seal(marc.upper())},
            {"name": erased.seal("Marc D."), "email": erased.seal(marc)},
        ]
    }
    assert disclosure.names(data)
    assert not disclosure.names({"contacts": [data["contacts"][0]]})
    assert disclosure.shown(data) == {
        "contacts": [
            {"name": OTHER_SUBJECT, "email": OTHER_SUBJECT, "role": "primary"},
            {"name": "Marc Dubois", "email": marc.upper()},
            {"name": ERASED, "email": ERASED},
        ]
    }
    assert list(disclosure.emails) == [marc]  # found among their values (lower case)
