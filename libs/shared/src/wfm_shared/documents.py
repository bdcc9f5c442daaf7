"""What a user's JSON may hold to be stored as given, checked before anything is written:
MongoDB field names (no leading `$`, no `.`, no NUL character), text that PostgreSQL's
jsonb and FerretDB keep (valid Unicode, no NUL character), a bounded nesting, and for
templates a bounded size. Every problem names its path inside the checked value."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from wfm_shared import limits
from wfm_shared.errors import FieldError, ValidationFailed

Path = tuple[str | int, ...]

# enough to show what is wrong without answering a huge input with a huger list
MAX_PROBLEMS = 50


def text_problem(text: str) -> str | None:
    """Why the databases cannot keep `text` as given, or None."""
    if "\x00" in text:
        return "must not contain the NUL character"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode text (it holds a lone surrogate)"
    return None


def storable_text(text: str) -> str:
    """`text` with what the databases cannot keep (NUL, lone surrogates) written as escapes:
    for messages that quote data, such as the reason a workflow failed."""
    if text_problem(text) is None:
        return text
    escaped = text.replace("\x00", "\\x00")
    return escaped.encode("utf-8", "backslashreplace").decode("utf-8")


def field_name_problem(name: str) -> str | None:
    """Why MongoDB cannot keep `name` as a field name (an operator, a path, a C string), or None."""
    if name.startswith("$"):
        return "a field name must not start with '$'"
    if "." in name:
        return "a field name must not contain '.'"
    if "\x00" in name:
        return "a field name must not contain the NUL character"
    problem = text_problem(name)
    return f"a field name {problem}" if problem else None


def storage_problems(
    value: Any,
    *,
    at: Path = (),
    max_depth: int = limits.DATA_MAX_DEPTH,
    mongo_field_names: bool = True,
) -> list[FieldError]:
    """Every key and text in `value` (at any depth) that the databases cannot store as
    given, and where it nests deeper than `max_depth` objects and arrays. Without
    `mongo_field_names` (documents kept in PostgreSQL only, such as templates, whose JSON
    Schemas use `$ref`), only the text is checked. Iterative: any depth is answered."""
    problems: list[FieldError] = []
    todo: list[tuple[Path, Any, int]] = [(at, value, 1)]
    while todo and len(problems) < MAX_PROBLEMS:
        path, current, depth = todo.pop()
        if isinstance(current, str):
            problem = text_problem(current)
            if problem:
                problems.append(FieldError(path, problem))
            continue
        if not isinstance(current, (Mapping, list, tuple)):
            continue
        if depth > max_depth:
            problems.append(
                FieldError(path, f"nests deeper than {max_depth} levels of objects and arrays")
            )
            continue
        if isinstance(current, Mapping):
            children: list[tuple[Path, Any, int]] = []
            for key, child in current.items():
                name = str(key)
                problem = field_name_problem(name) if mongo_field_names else text_problem(name)
                if problem:
                    problems.append(FieldError((*path, name), problem))
                    continue
                children.append(((*path, name), child, depth + 1))
            todo += reversed(children)
        else:
            todo += reversed([((*path, i), child, depth + 1) for i, child in enumerate(current)])
    return sorted(problems[:MAX_PROBLEMS], key=lambda p: [str(part) for part in p.path])


def step_data_object(data: object) -> dict[str, Any]:
    """`data` as a step's data (executeStep's, a draft's): a JSON object of at most
    STEP_DATA_MAX_BYTES, else VALIDATION_FAILED on `data`. (Its keys, text and nesting are
    `storage_problems`'.)"""
    if not isinstance(data, dict):
        raise ValidationFailed(
            "step data must be an object", [FieldError(("data",), "must be a JSON object")]
        )
    if len(json.dumps(data)) > limits.STEP_DATA_MAX_BYTES:
        raise ValidationFailed(
            "step data is too large",
            [FieldError(("data",), f"must be at most {limits.STEP_DATA_MAX_BYTES} bytes")],
        )
    return data


def json_depth(value: Any, limit: int) -> int:
    """How deep objects and arrays nest in `value`, counted up to `limit + 1` (iterative)."""
    deepest = 0
    todo: list[tuple[Any, int]] = [(value, 1)]
    while todo:
        current, depth = todo.pop()
        if isinstance(current, Mapping):
            children: Any = current.values()
        elif isinstance(current, (list, tuple)):
            children = current
        else:
            continue
        deepest = max(deepest, depth)
        if depth > limit:
            return deepest
        todo += [(child, depth + 1) for child in children]
    return deepest


def template_shape_problems(
    definition: Any,
    *,
    max_depth: int = limits.TEMPLATE_MAX_DEPTH,
    max_bytes: int = limits.TEMPLATE_MAX_BYTES,
) -> list[FieldError]:
    """A template definition's nesting and size, checked before it is parsed or compiled."""
    depth = json_depth(definition, max_depth)
    if depth > max_depth:
        return [
            FieldError(
                (),
                f"the template nests deeper than {max_depth} levels of objects and arrays",
            )
        ]
    size = len(
        json.dumps(definition, ensure_ascii=False, default=str).encode("utf-8", "surrogatepass")
    )
    if size > max_bytes:
        return [
            FieldError(
                (),
                f"the template is {size // 1024} KiB of JSON; at most {max_bytes // 1024} KiB",
            )
        ]
    return storage_problems(definition, max_depth=max_depth, mongo_field_names=False)
