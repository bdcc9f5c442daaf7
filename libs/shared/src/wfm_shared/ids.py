"""Identifiers: UUIDs everywhere, parsed strictly at the edges."""

from __future__ import annotations

import uuid

from wfm_shared.errors import FieldError, ValidationFailed


def new_id() -> uuid.UUID:
    return uuid.uuid4()


def parse_id(value: str, field: str = "id") -> uuid.UUID:
    """Parse a client-supplied id; a malformed one is bad input, not a missing row."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ValidationFailed(
            f"{field} is not a valid id", [FieldError((field,), "must be a UUID")]
        ) from None
