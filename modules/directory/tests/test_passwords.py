"""The password policy (applied when a password is set, never at login): long enough, not a
common password, not the e-mail address, not longer than bcrypt hashes whole."""

import pytest

from wfm_directory.passwords import (
    MIN_PASSWORD_LENGTH,
    check_new_password,
    common_passwords,
    password_problem,
)
from wfm_shared.errors import ValidationFailed

EMAIL = "jan.peeters@flanders-flex.example"


def test_the_minimum_length_is_twelve_characters():
    assert MIN_PASSWORD_LENGTH == 12
    assert password_problem("elevenchars", email=None) == "must be at least 12 characters"
    assert password_problem("twelve chars", email=None) is None


def test_the_list_is_zxcvbns_thirty_thousand_common_passwords():
    assert len(common_passwords()) >= 29_000
    assert "password" in common_passwords()


@pytest.mark.parametrize("password", ["qwertyuiop12", "QWERTYUIOP12", "1qaz2wsx3edc"])
def test_a_common_password_is_refused_whatever_its_case(password):
    assert password_problem(password, email=None) == "is one of the most common passwords"


@pytest.mark.parametrize("password", [EMAIL, EMAIL.upper(), " jan.peeters@flanders-flex.example "])
def test_the_e_mail_address_is_refused(password):
    assert password_problem(password, email=EMAIL) == "must not be your e-mail address"


def test_the_local_part_of_the_address_is_refused_too():
    email = "verylongname@example.test"
    assert password_problem("VeryLongName", email=email) == "must not be your e-mail address"


def test_what_bcrypt_would_cut_short_is_refused():
    assert password_problem("é" * 40, email=None) == "must be at most 72 bytes in UTF-8"


def test_a_long_uncommon_password_is_accepted():
    assert password_problem("violet tractors sing at dawn", email=EMAIL) is None


def test_a_refusal_is_a_validation_failure_naming_the_field_and_the_reason():
    with pytest.raises(ValidationFailed) as refused:
        check_new_password("short", email=EMAIL, field="newPassword")
    assert [(e.path, e.message) for e in refused.value.errors] == [
        (("newPassword",), "must be at least 12 characters")
    ]
