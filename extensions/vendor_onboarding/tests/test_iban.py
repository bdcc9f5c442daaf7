"""`ibanValid`: ISO 13616 check digits and the Belgian length."""

import pytest

from wfm_engine.validators import ValidationContext
from wfm_ext_vendor_onboarding.iban import iban_problem, iban_valid


@pytest.mark.parametrize(
    "iban",
    [
        "BE68539007547034",
        "be68 5390 0754 7034",  # printed form, lower case
        "BE71096123456769",
        "NL91ABNA0417164300",
        "DE89370400440532013000",
        "FR1420041010050500013M02606",
        "GB82WEST12345698765432",
    ],
)
def test_real_ibans_are_valid(iban):
    assert iban_problem(iban) is None


@pytest.mark.parametrize(
    ("iban", "message"),
    [
        ("BE68539007547035", "check digits"),  # last digit changed
        ("BE86539007547034", "check digits"),  # check digits swapped
        ("BE6853900754703", "16 characters"),  # one digit short
        ("BE685390075470344", "16 characters"),
        ("NL91ABNA04171643", "18 characters"),
        ("68539007547034BE", "is not an IBAN"),
        ("BE68-5390-0754-7034", "is not an IBAN"),
    ],
)
def test_wrong_ibans_say_why(iban, message):
    assert message in (iban_problem(iban) or "")


def test_the_validator_reports_the_iban_field():
    errors = list(iban_valid(ValidationContext(data={"iban": "BE68539007547035"})))
    assert [e.path for e in errors] == [("iban",)]
    assert list(iban_valid(ValidationContext(data={"iban": "BE68539007547034"}))) == []
