import pytest

from wfm_engine.checks import is_belgian_enterprise_number, is_belgian_vat_number, is_ean18, is_eic


@pytest.mark.parametrize(
    "value",
    ["BE0477472701", "BE 0403.170.701", "be0203201340", "0417.497.106", "BE0456789034"],
)
def test_valid_belgian_vat_numbers(value):
    assert is_belgian_vat_number(value)


@pytest.mark.parametrize(
    "value",
    ["BE0477472702", "BE2477472701", "NL0477472701", "BE047747270", "", "BE04774727O1"],
)
def test_invalid_belgian_vat_numbers(value):
    assert not is_belgian_vat_number(value)


def test_enterprise_number_accepts_the_old_nine_digit_form():
    assert is_belgian_enterprise_number("477472701")


@pytest.mark.parametrize(
    "value", ["541449889999999990", "541449200000000014", "541449011000000016"]
)
def test_valid_ean18(value):
    assert is_ean18(value)


@pytest.mark.parametrize("value", ["541449889999999991", "54144988999999999", "54144988999999999X"])
def test_invalid_ean18(value):
    assert not is_ean18(value)


@pytest.mark.parametrize(
    "value", ["10YBE----------2", "10YFR-RTE------C", "10YNL----------L", "10X1001A1001A094"]
)
def test_valid_eic_codes_of_real_parties(value):
    assert is_eic(value)


@pytest.mark.parametrize(
    "value", ["10YBE----------3", "10YBE---------2", "1OYBE----------2", "10YBE----------"]
)
def test_invalid_eic_codes(value):
    assert not is_eic(value)


def test_identifiers_normalise_to_their_stored_spelling():
    from wfm_engine.checks import (
        is_belgian_vat_number,
        normalize_belgian_vat,
        normalize_ean18,
        normalize_eic,
        normalize_enterprise_number,
    )

    assert normalize_belgian_vat("BE 0456.789.034") == "BE0456789034"
    assert normalize_belgian_vat("be0456789034") == "BE0456789034"
    assert is_belgian_vat_number("BE 0456.789.034")  # the README's and the messages' example
    assert normalize_enterprise_number("456.789.034") == "0456789034"
    assert normalize_ean18(" 541449 8899 9999 9990 ") == "541449889999999990"
    assert normalize_eic(" 10xbe-elia-----q\t") == "10XBE-ELIA-----Q"
