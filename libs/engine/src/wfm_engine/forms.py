"""Form data checked against a step's JSON Schema, with the market's identifier formats."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError

from wfm_engine.checks import is_belgian_enterprise_number, is_belgian_vat_number, is_ean18, is_eic
from wfm_shared.errors import FieldError

FORMAT_CHECKER = FormatChecker()

FORMAT_MESSAGES = {
    "be-vat": "is not a valid Belgian VAT number (BE + 10 digits, mod-97 check)",
    "be-enterprise-number": "is not a valid Belgian enterprise number (mod-97 check)",
    "ean18": "is not a valid EAN-18 (GSRN) code: 18 digits with a GS1 check digit",
    "eic": "is not a valid ENTSO-E EIC code (16 characters with a check character)",
}


def _string_check(check: Any) -> Any:
    def run(value: object) -> bool:
        return not isinstance(value, str) or bool(check(value))

    return run


FORMAT_CHECKER.checks("be-vat")(_string_check(is_belgian_vat_number))
FORMAT_CHECKER.checks("be-enterprise-number")(_string_check(is_belgian_enterprise_number))
FORMAT_CHECKER.checks("ean18")(_string_check(is_ean18))
FORMAT_CHECKER.checks("eic")(_string_check(is_eic))


def schema_problems(schema: Mapping[str, Any]) -> list[str]:
    """Why a JSON Schema is not a valid Draft 2020-12 schema (empty when it is)."""
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        return [error.message]
    return []


class FormValidator:
    """A compiled JSON Schema; compile once per template step, run on every submission."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self._validator = Draft202012Validator(schema, format_checker=FORMAT_CHECKER)

    def errors(self, data: Any) -> list[FieldError]:
        found: dict[tuple[tuple[str | int, ...], str], None] = {}
        for error in self._validator.iter_errors(data):
            path: tuple[str | int, ...] = tuple(error.absolute_path)
            if error.validator == "required":
                missing = [
                    name
                    for name in error.validator_value
                    if isinstance(error.instance, dict) and name not in error.instance
                ]
                for name in missing:
                    found[((*path, name), "is required")] = None
                continue
            if error.validator == "additionalProperties" and isinstance(error.instance, dict):
                schema = error.schema if isinstance(error.schema, dict) else {}
                declared = schema.get("properties", {})
                for name in error.instance:
                    if name not in declared:
                        found[((*path, name), "is not an allowed field")] = None
                continue
            if error.validator == "format" and error.validator_value in FORMAT_MESSAGES:
                message = FORMAT_MESSAGES[str(error.validator_value)]
            else:
                message = error.message
            found[(path, message)] = None
        return sorted(
            (FieldError(path, message) for path, message in found),
            key=lambda e: ([str(p) for p in e.path], e.message),
        )
