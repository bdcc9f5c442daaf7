"""What a manual or webhook trigger takes: an input (a JSON object: `runTrigger`'s `input`, a
webhook's body), checked against the trigger's JSON Schema with the validator of step data
(Draft 2020-12 and the market's formats), and mapped into the new workflow's variables.

The mapping names each variable and the path of its value in the input, in dots:
`{"ean": "input.accessPoint.ean", "first": "input.points.0", "everything": "input"}`. A
number selects an item of a list. A path is data, never code: nothing is evaluated. A value
the input does not have gives null: the schema's `required` is where a trigger insists."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from wfm_engine.forms import FormValidator, schema_problems
from wfm_shared import limits
from wfm_shared.documents import json_depth, storage_problems
from wfm_shared.errors import FieldError, ValidationFailed

Path = tuple[str | int, ...]

INPUT_ROOT = "input"
# a variable is read in conditions as `variables.<name>`: a CEL identifier
VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
MAX_VARIABLES = 50
# an input schema is a definition, kept in PostgreSQL with the trigger
SCHEMA_MAX_BYTES = 64 * 1024
SCHEMA_MAX_DEPTH = limits.TEMPLATE_MAX_DEPTH


def input_path(path: str) -> tuple[str, ...] | None:
    """The segments after `input` of a mapping's path, or None when it is not one."""
    if not isinstance(path, str) or len(path) > 500:
        return None
    root, *segments = path.split(".")
    if root != INPUT_ROOT or len(segments) > limits.DATA_MAX_DEPTH:
        return None
    if any(not s or s != s.strip() or any(c.isspace() for c in s) for s in segments):
        return None
    return tuple(segments)


def _local_reference_problems(schema: Mapping[str, Any]) -> list[FieldError]:
    """A `$ref` must point inside the schema (`#`, `#/$defs/...`) and find what it names:
    nothing is fetched from elsewhere, and nothing fails to resolve when an input comes."""
    found: list[FieldError] = []
    todo: list[tuple[Path, Any]] = [(("inputSchema",), schema)]
    while todo:
        at, current = todo.pop()
        if isinstance(current, Mapping):
            for key, value in current.items():
                if key == "$ref" and not _resolves(schema, value):
                    found.append(
                        FieldError(
                            (*at, key),
                            "must point inside the schema (#/$defs/...) to something it holds",
                        )
                    )
                elif key in ("$dynamicRef", "$id") and at != ("inputSchema",):
                    found.append(FieldError((*at, key), "is not supported in an input schema"))
                else:
                    todo.append(((*at, key), value))
        elif isinstance(current, list):
            todo += [((*at, i), item) for i, item in enumerate(current)]
    return found


def _resolves(schema: Mapping[str, Any], reference: object) -> bool:
    if not isinstance(reference, str) or not reference.startswith("#"):
        return False
    pointer = reference[1:]
    if pointer == "":
        return True
    if not pointer.startswith("/"):
        return False
    current: Any = schema
    for raw in pointer[1:].split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(current, Mapping) and token in current:
            current = current[token]
        elif isinstance(current, list) and token.isdigit() and int(token) < len(current):
            current = current[int(token)]
        else:
            return False
    return isinstance(current, (Mapping, bool))


@dataclass(frozen=True)
class TriggerInput:
    """A trigger's input schema (None: any JSON object) and its variables' paths."""

    schema: Mapping[str, Any] | None = None
    variables: Mapping[str, str] = field(default_factory=dict)

    def problems(self) -> list[FieldError]:
        """Every problem of the definition at once, at `inputSchema` and `variables.<name>`."""
        return [*self._schema_problems(), *self._variable_problems()]

    def _schema_problems(self) -> list[FieldError]:
        schema = self.schema
        if schema is None:
            return []
        if not isinstance(schema, Mapping):
            return [FieldError(("inputSchema",), "must be a JSON Schema object")]
        if json_depth(schema, SCHEMA_MAX_DEPTH) > SCHEMA_MAX_DEPTH:
            return [
                FieldError(
                    ("inputSchema",),
                    f"nests deeper than {SCHEMA_MAX_DEPTH} levels of objects and arrays",
                )
            ]
        size = len(json.dumps(schema, default=str).encode("utf-8", "surrogatepass"))
        if size > SCHEMA_MAX_BYTES:
            return [
                FieldError(
                    ("inputSchema",), f"must be at most {SCHEMA_MAX_BYTES // 1024} KiB of JSON"
                )
            ]
        unstorable = storage_problems(schema, at=("inputSchema",), mongo_field_names=False)
        if unstorable:
            return unstorable
        invalid = [
            FieldError(("inputSchema",), f"is not a valid JSON Schema (Draft 2020-12): {reason}")
            for reason in schema_problems(schema)
        ]
        return invalid or _local_reference_problems(schema)

    def _variable_problems(self) -> list[FieldError]:
        variables = self.variables
        if not isinstance(variables, Mapping):
            return [FieldError(("variables",), "must be an object of variable names and paths")]
        found: list[FieldError] = []
        if len(variables) > MAX_VARIABLES:
            found.append(FieldError(("variables",), f"must name at most {MAX_VARIABLES}"))
        for name, path in variables.items():
            if not VARIABLE_NAME.fullmatch(name):
                found.append(
                    FieldError(
                        ("variables", name),
                        "a variable's name has letters, digits and _ (at most 64), "
                        "and does not start with a digit",
                    )
                )
            elif input_path(path) is None:
                found.append(
                    FieldError(
                        ("variables", name),
                        "must be a path into the input: input, or input.<field>(.<field>)*, "
                        "a number for an item of a list",
                    )
                )
        return found

    def variables_of(self, given: object, *, at: Path = ("input",)) -> dict[str, Any]:
        """The new workflow's variables for `given`, or VALIDATION_FAILED with every problem
        at its path under `at` (the input's name where it was given)."""
        if not isinstance(given, dict):
            raise ValidationFailed(
                "the input is not valid", [FieldError(at, "must be a JSON object")]
            )
        if len(json.dumps(given)) > limits.STEP_DATA_MAX_BYTES:
            raise ValidationFailed(
                "the input is too large",
                [FieldError(at, f"must be at most {limits.STEP_DATA_MAX_BYTES} bytes")],
            )
        unstorable = storage_problems(given, at=at)
        if unstorable:
            raise ValidationFailed("the input cannot be stored as given", unstorable)
        data = given
        if self.schema is not None:
            validator = FormValidator(self.schema)
            problems = [FieldError((*at, *p.path), p.message) for p in validator.errors(given)]
            if problems:
                raise ValidationFailed("the input does not match the trigger's schema", problems)
            data = validator.normalized(given)
        return {
            name: _select(data, input_path(path) or ()) for name, path in self.variables.items()
        }


def _select(data: Any, segments: tuple[str, ...]) -> Any:
    """The value at the path; None where the input has none."""
    current = data
    for segment in segments:
        if isinstance(current, Mapping) and segment in current:
            current = current[segment]
        elif isinstance(current, list) and segment.isdigit() and int(segment) < len(current):
            current = current[int(segment)]
        else:
            return None
    return current
