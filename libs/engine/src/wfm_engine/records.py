"""The JSON form of the engine's small records (the parts of the state and the event
payloads), derived from their fields instead of written out for each.

A frozen dataclass deriving from `JsonRecord` is written (`as_json`) as an object with a
key per field, in the order of the fields: the field's name in camelCase (`to_step_id` ->
`toStepId`) unless `json_keys` names another. A value is converted by its field's type
hint:

- str, int, bool: as it is (read back with str(), int(), bool())
- datetime: its isoformat (read back with fromisoformat)
- a StrEnum member: its value
- a record (a JsonRecord, or anything else with as_json/from_json: StepState,
  WorkflowConfig): its JSON form
- Mapping[str, Any]: a copy; Mapping[str, record]: each value's JSON form
- tuple[str, ...]: a list; tuple[record, ...]: a list of their JSON forms
- X | None: None is null, or no key at all for a field named in `json_omit_none`

Read back (`from_json`), a key is required but where it may be missing: an `X | None`
reads a missing key or null (a record: also an empty object) as None, a Mapping[str, Any]
or a tuple reads it as empty, a field with a default as its default. What the rules do not
cover stays hand-written: the class overrides `as_json` or `from_json`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, fields
from datetime import datetime
from enum import Enum
from types import NoneType, UnionType
from typing import TYPE_CHECKING, Any, ClassVar, Self, Union, get_args, get_origin, get_type_hints

if TYPE_CHECKING:
    from dataclasses import Field

__all__ = ["JsonRecord"]

Convert = Callable[[Any], Any]


class JsonRecord:
    """A frozen dataclass's JSON form, from its fields and their type hints."""

    if TYPE_CHECKING:  # what makes a class a dataclass for `fields`
        __dataclass_fields__: ClassVar[dict[str, Field[Any]]]

    # the stored key of a field, where it is not the field's name in camelCase
    json_keys: ClassVar[Mapping[str, str]] = {}
    # the `X | None` fields written only when not None (a missing key reads as None)
    json_omit_none: ClassVar[frozenset[str]] = frozenset()

    def as_json(self) -> dict[str, Any]:
        value: dict[str, Any] = {}
        for part in _parts(type(self)):
            held = getattr(self, part.name)
            if held is None:
                if not part.omit_none:
                    value[part.key] = None
            else:
                value[part.key] = part.write(held)
        return value

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> Self:
        return cls(**{part.name: part.take(value) for part in _parts(cls)})


@dataclass(frozen=True)
class _Part:
    """How one field of a record is stored."""

    name: str
    key: str
    omit_none: bool
    write: Convert  # the field's value (not None) -> its JSON form
    read: Convert  # a stored value -> the field's value
    # what a missing key reads as (None: the key is required)
    missing: Callable[[], Any] | None
    # a record or a collection: an empty stored value reads as a missing one
    blank_is_missing: bool

    def take(self, value: Mapping[str, Any]) -> Any:
        if self.missing is None:
            return self.read(value[self.key])
        stored = value.get(self.key)
        absent = not stored if self.blank_is_missing else stored is None
        return self.missing() if absent else self.read(stored)


# each record class's parts, derived on its first use (its hints may name later classes)
_PARTS: dict[type[JsonRecord], tuple[_Part, ...]] = {}


def _parts(record: type[JsonRecord]) -> tuple[_Part, ...]:
    parts = _PARTS.get(record)
    if parts is None:
        parts = _PARTS[record] = _derive(record)
    return parts


def _derive(record: type[JsonRecord]) -> tuple[_Part, ...]:
    hints = get_type_hints(record)
    parts = []
    for each in fields(record):
        hint = hints[each.name]
        inner = _optional(hint)
        write, read, empty = _conversions(hint if inner is None else inner)
        missing: Callable[[], Any] | None = empty
        if inner is not None:
            missing = _none
        elif each.default is not MISSING:
            missing = _constant(each.default)
        elif each.default_factory is not MISSING:
            missing = each.default_factory
        parts.append(
            _Part(
                name=each.name,
                key=record.json_keys.get(each.name, _camel(each.name)),
                omit_none=each.name in record.json_omit_none,
                write=write,
                read=read,
                missing=missing,
                blank_is_missing=empty is not None or _is_record(inner or hint),
            )
        )
    return tuple(parts)


def _conversions(hint: Any) -> tuple[Convert, Convert, Callable[[], Any] | None]:
    """How a value of type `hint` is written and read, and what a missing one reads as
    (Mapping[str, Any] and tuples: empty; None: it is required)."""
    origin, args = get_origin(hint), get_args(hint)
    if hint in (str, int, bool):
        return _same, hint, None
    if hint is datetime:
        return _isoformat, _datetime, None
    if isinstance(hint, type) and issubclass(hint, Enum):
        return _enum_value, hint, None
    if _is_record(hint):
        return _record_json, hint.from_json, None
    if origin is Mapping and args[0] is str:
        item = args[1]
        if item is Any:
            return dict, dict, dict
        if _is_record(item):
            return (
                lambda held: {k: v.as_json() for k, v in held.items()},
                lambda stored: {k: item.from_json(v) for k, v in stored.items()},
                None,
            )
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = args[0]
        if item is str:
            return list, tuple, tuple
        if _is_record(item):
            return (
                lambda held: [v.as_json() for v in held],
                lambda stored: tuple(item.from_json(v) for v in stored),
                tuple,
            )
    raise TypeError(f"no JSON form for a field of type {hint!r}")


def _optional(hint: Any) -> Any | None:
    """X for `X | None`, else None."""
    if get_origin(hint) not in (Union, UnionType):
        return None
    kept = [each for each in get_args(hint) if each is not NoneType]
    if len(kept) != 1:
        raise TypeError(f"no JSON form for a field of type {hint!r}")
    return kept[0]


def _is_record(hint: Any) -> bool:
    return isinstance(hint, type) and hasattr(hint, "as_json") and hasattr(hint, "from_json")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


def _constant(value: Any) -> Callable[[], Any]:
    return lambda: value


def _none() -> None:
    return None


def _same(value: Any) -> Any:
    return value


def _isoformat(value: datetime) -> str:
    return value.isoformat()


def _datetime(value: Any) -> datetime:
    return datetime.fromisoformat(str(value))


def _enum_value(value: Enum) -> Any:
    return value.value


def _record_json(value: Any) -> Any:
    return value.as_json()
