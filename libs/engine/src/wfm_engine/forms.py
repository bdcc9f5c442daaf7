"""Form data checked against a step's JSON Schema, with the market's identifier formats."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError

from wfm_engine.checks import (
    is_belgian_enterprise_number,
    is_belgian_vat_number,
    is_ean18,
    is_eic,
    normalize_belgian_vat,
    normalize_ean18,
    normalize_eic,
    normalize_enterprise_number,
)
from wfm_shared.errors import FieldError

FORMAT_CHECKER = FormatChecker()

FORMAT_MESSAGES = {
    "be-vat": (
        "is not a valid Belgian VAT number: BE and the 10 digits of the enterprise number, "
        "with its mod-97 check (spaces, dots and dashes are allowed, e.g. BE 0456.789.034)"
    ),
    "be-enterprise-number": (
        "is not a valid Belgian enterprise number: 10 digits starting with 0 or 1, with "
        "their mod-97 check (e.g. 0456.789.034)"
    ),
    "ean18": "is not a valid EAN-18 (GSRN) code: 18 digits with a GS1 check digit",
    "eic": "is not a valid ENTSO-E EIC code: 16 characters with a check character",
    "file-id": "is not the id of an uploaded file (a UUID, as POST /files answers it)",
}
# A string naming an uploaded file (`POST /files` answers its id).
FILE_ID_FORMAT = "file-id"

# How a value of each format is stored: one spelling per identifier, whatever was typed.
FORMAT_NORMALIZERS = {
    "be-vat": normalize_belgian_vat,
    "be-enterprise-number": normalize_enterprise_number,
    "ean18": normalize_ean18,
    "eic": normalize_eic,
}


def normalized(schema: Mapping[str, Any], value: Any) -> Any:
    """`value` with every string of a known format (under `properties` and `items`) in its
    stored spelling; everything else as it is."""
    if isinstance(value, str):
        normalize = FORMAT_NORMALIZERS.get(str(schema.get("format", "")))
        return normalize(value) if normalize else value
    if isinstance(value, dict):
        properties = schema.get("properties") or {}
        return {
            k: normalized(properties[k], v) if isinstance(properties.get(k), Mapping) else v
            for k, v in value.items()
        }
    if isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        return [normalized(schema["items"], item) for item in value]
    return value


def values_of_format(schema: Mapping[str, Any], value: Any, format_name: str) -> Iterator[str]:
    """Every string in `value` that `schema` gives the format `format_name` (under
    `properties` and `items`, as `normalized` walks them)."""
    if isinstance(value, str):
        if schema.get("format") == format_name:
            yield value
    elif isinstance(value, dict):
        properties = schema.get("properties") or {}
        for key, item in value.items():
            if isinstance(properties.get(key), Mapping):
                yield from values_of_format(properties[key], item, format_name)
    elif isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for item in value:
            yield from values_of_format(schema["items"], item, format_name)


def is_file_id(value: str) -> bool:
    """A UUID in its canonical spelling (lower case, with hyphens), as file ids are given."""
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def _string_check(check: Any) -> Any:
    def run(value: object) -> bool:
        return not isinstance(value, str) or bool(check(value))

    return run


FORMAT_CHECKER.checks("be-vat")(_string_check(is_belgian_vat_number))
FORMAT_CHECKER.checks("be-enterprise-number")(_string_check(is_belgian_enterprise_number))
FORMAT_CHECKER.checks("ean18")(_string_check(is_ean18))
FORMAT_CHECKER.checks("eic")(_string_check(is_eic))
FORMAT_CHECKER.checks(FILE_ID_FORMAT)(_string_check(is_file_id))


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
        self._schema = schema
        self._validator = Draft202012Validator(schema, format_checker=FORMAT_CHECKER)

    def normalized(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """The data as it is stored: identifiers in one spelling (`BE0456789034`)."""
        return dict(normalized(self._schema, dict(data)))

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
