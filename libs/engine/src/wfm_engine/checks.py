"""Domain checks on identifiers of the Belgian and European energy market."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s.\-/]")


def normalize_belgian_vat(value: str) -> str:
    """`BE 0123.456.749` -> `BE0123456749`; anything else is returned stripped and upper-cased."""
    compact = _SEPARATORS.sub("", value).upper()
    if compact.isdigit() and len(compact) in (9, 10):
        compact = "BE" + compact.zfill(10)
    return compact


def normalize_enterprise_number(value: str) -> str:
    """`0456.789.034` or `456 789 034` -> `0456789034` (ten digits)."""
    compact = _SEPARATORS.sub("", value)
    return compact.zfill(10) if compact.isdigit() and len(compact) == 9 else compact


def normalize_ean18(value: str) -> str:
    """Without the blanks an EAN-18 is often written with."""
    return "".join(value.split())


def normalize_eic(value: str) -> str:
    return value.strip().upper()


def is_belgian_enterprise_number(value: str) -> bool:
    """Ten digits, starting with 0 or 1, whose last two are 97 - (first eight mod 97)."""
    digits = _SEPARATORS.sub("", value)
    if len(digits) == 9:
        digits = "0" + digits
    if len(digits) != 10 or not digits.isdigit() or digits[0] not in "01":
        return False
    return 97 - int(digits[:8]) % 97 == int(digits[8:])


def is_belgian_vat_number(value: str) -> bool:
    """A VAT number is `BE` followed by a valid enterprise number."""
    compact = normalize_belgian_vat(value)
    return compact.startswith("BE") and is_belgian_enterprise_number(compact[2:])


def gs1_check_digit(body: str) -> int:
    """GS1 mod-10: weights 3,1,3,... from the rightmost digit of the body."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def is_ean18(value: str) -> bool:
    """EAN-18 / GSRN of an access or delivery point: 18 digits with a GS1 check digit."""
    digits = normalize_ean18(value)
    return (
        len(digits) == 18 and digits.isdigit() and gs1_check_digit(digits[:17]) == int(digits[17])
    )


_EIC_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-"
_EIC_SHAPE = re.compile(r"^[0-9]{2}[A-Z0-9][A-Z0-9\-]{12}[A-Z0-9]$")


def eic_check_character(first15: str) -> str:
    """ENTSO-E EIC check character: weights 16..2 over the first 15 characters, mod 37."""
    total = sum(_EIC_ALPHABET.index(c) * (16 - i) for i, c in enumerate(first15))
    return _EIC_ALPHABET[36 - (total - 1) % 37]


def is_eic(value: str) -> bool:
    code = normalize_eic(value)
    if not _EIC_SHAPE.match(code):
        return False
    return eic_check_character(code[:15]) == code[15]
