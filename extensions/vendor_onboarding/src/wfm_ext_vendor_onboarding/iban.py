"""The `ibanValid` validator: ISO 13616 IBANs for the vendor's bank account."""

from __future__ import annotations

import re
from collections.abc import Iterable

from wfm_engine.validators import ValidationContext
from wfm_shared.errors import FieldError

# Lengths of the countries the operator's vendors bank in; others: 15 to 34 characters.
IBAN_LENGTHS = {"BE": 16, "NL": 18, "LU": 20, "DE": 22, "FR": 27, "IE": 22, "GB": 22, "CH": 21}
_SHAPE = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")


def normalize_iban(value: str) -> str:
    """`be68 5390 0754 7034` -> `BE68539007547034`."""
    return re.sub(r"\s", "", value).upper()


def iban_problem(value: str) -> str | None:
    """Why `value` is not a valid IBAN, or None."""
    iban = normalize_iban(value)
    if not _SHAPE.match(iban):
        return "is not an IBAN: country code, 2 check digits, then letters and digits"
    expected = IBAN_LENGTHS.get(iban[:2])
    if expected is not None and len(iban) != expected:
        return f"an IBAN of {iban[:2]} has {expected} characters, not {len(iban)}"
    # ISO 13616: the first four characters move to the end, letters become 10..35
    number = "".join(str(int(c, 36)) for c in iban[4:] + iban[:4])
    if int(number) % 97 != 1:
        return "has wrong check digits (ISO 13616 mod-97)"
    return None


def iban_valid(ctx: ValidationContext) -> Iterable[FieldError]:
    value = ctx.data.get("iban")
    if isinstance(value, str):
        problem = iban_problem(value)
        if problem:
            yield FieldError(("iban",), problem)
