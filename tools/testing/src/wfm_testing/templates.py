"""Builders of template definitions for tests: the smallest valid pieces, every text in
English, French and Dutch.

    template([form_step("apply"), step("register", "api_call", config={...})])
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any


def text(en: str, fr: str | None = None, nl: str | None = None) -> dict[str, str]:
    """A text in the three languages; French and Dutch default to the English, marked."""
    return {"en": en, "fr": fr or f"{en} (fr)", "nl": nl or f"{en} (nl)"}


def same_text(value: str) -> dict[str, str]:
    """The same words in the three languages (an id used as a title)."""
    return {"en": value, "fr": value, "nl": value}


def step(step_id: str, step_type: str = "form", **fields: Any) -> dict[str, Any]:
    """A step of `step_type` titled with its id; `fields` add or replace any other field."""
    return {"id": step_id, "type": step_type, "title": same_text(step_id), **fields}


def form_step(step_id: str, **fields: Any) -> dict[str, Any]:
    return step(step_id, "form", **fields)


def contacts_step(step_id: str = "contacts", **fields: Any) -> dict[str, Any]:
    """A form step of a `contacts` list (name, e-mail, phone, role): the built-in personal
    fields, sealed per person."""
    person = {
        "type": "object",
        "required": ["name", "email", "role"],
        "properties": {
            "name": {"type": "string"},
            "email": {"type": "string"},
            "phone": {"type": "string"},
            "role": {"type": "string"},
        },
    }
    schema = {
        "type": "object",
        "required": ["contacts"],
        "properties": {"contacts": {"type": "array", "items": person}},
    }
    return form_step(step_id, schema=schema, **fields)


def unique_key(prefix: str = "t") -> str:
    """A template key no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def template(
    steps: Iterable[dict[str, Any]],
    *,
    key: str | None = None,
    version: int = 1,
    name: str = "Test template",
    **fields: Any,
) -> dict[str, Any]:
    """A template definition of `steps` (a unique key unless given)."""
    return {
        "key": key or unique_key(),
        "version": version,
        "name": text(name),
        "steps": list(steps),
        **fields,
    }
