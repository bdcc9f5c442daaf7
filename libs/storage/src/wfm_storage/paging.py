"""What the repositories' listings share: numbered statement arguments, the filters' SQL,
substring patterns, opaque cursors and keyset pages (count, then `first` rows after a
cursor)."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import asyncpg

from wfm_shared.errors import FieldError, ValidationFailed
from wfm_storage.postgres import Executor

T = TypeVar("T")


class Arguments:
    """Positional arguments of a statement, numbered as they are added."""

    def __init__(self, values: Iterable[object] = ()) -> None:
        self.values: list[object] = list(values)

    def __call__(self, value: object) -> str:
        self.values.append(value)
        return f"${len(self.values)}"


def equal_to(arg: Arguments, values: Mapping[str, object]) -> list[str]:
    """`column = value` for each value given: only those become SQL, so that the planner
    can use the matching index."""
    return [f"{column} = {arg(value)}" for column, value in values.items() if value is not None]


def like_pattern(text: str) -> str:
    """`text` anywhere, as a LIKE / ILIKE pattern, its own wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def encode_cursor(position: str) -> str:
    """A keyset position as clients hold it: opaque and URL-safe."""
    return base64.urlsafe_b64encode(position.encode()).decode("ascii")


def decode_cursor(value: str, parse: Callable[[str], T]) -> T:
    """The position `encode_cursor` gave, read by `parse`; anything `parse` cannot read is
    the client's error on `after`."""
    try:
        return parse(base64.urlsafe_b64decode(value.encode("ascii")).decode())
    except (ValueError, TypeError):  # binascii's and the codecs' errors are ValueErrors too
        raise ValidationFailed(
            "invalid cursor", [FieldError(("after",), "is not a cursor")]
        ) from None


@dataclass(frozen=True)
class Key:
    """A column of a keyset order, and the SQL a cursor's value is compared as (`{}`: the
    value's placeholder)."""

    column: str
    value: str = "{}"


@dataclass(frozen=True)
class Listing(Generic[T]):
    """A table's rows in one keyset order: every key ascending, or (`descending`) every
    key descending, so that one row comparison on the keys finds the rows after a cursor
    and the index on the keys serves both it and the ORDER BY."""

    source: str  # what FROM reads
    columns: str
    keys: tuple[Key, ...]
    row: Callable[[asyncpg.Record], T]
    descending: bool = False

    async def count(self, ex: Executor, conditions: Sequence[str], arg: Arguments) -> int:
        """How many rows meet every condition, every page together."""
        total: int = await ex.fetchval(
            f"SELECT count(*) FROM {self.source} WHERE {' AND '.join(conditions)}",  # noqa: S608 - the repositories' SQL; values are bound
            *arg.values,
        )
        return total

    async def page(
        self,
        ex: Executor,
        conditions: Sequence[str],
        arg: Arguments,
        *,
        first: int,
        after: Sequence[object] | None,
    ) -> tuple[list[T], bool]:
        """The first `first` rows meeting every condition after the cursor (its values in
        the keys' order), and whether more follow. `arg` is left as it was."""
        arg = Arguments(arg.values)
        matching = list(conditions)
        if after is not None:
            keys = ", ".join(key.column for key in self.keys)
            bound = ", ".join(
                key.value.format(arg(value)) for key, value in zip(self.keys, after, strict=True)
            )
            matching.append(f"({keys}) {'<' if self.descending else '>'} ({bound})")
        order = ", ".join(
            f"{key.column} DESC" if self.descending else key.column for key in self.keys
        )
        records = await ex.fetch(
            f"SELECT {self.columns} FROM {self.source} WHERE {' AND '.join(matching)} "  # noqa: S608 - the repositories' SQL; values are bound
            f"ORDER BY {order} LIMIT {arg(first + 1)}",
            *arg.values,
        )
        found = [self.row(record) for record in records]
        return found[:first], len(found) > first

    async def counted_page(
        self,
        ex: Executor,
        conditions: Sequence[str],
        arg: Arguments,
        *,
        first: int,
        after: Sequence[object] | None,
    ) -> tuple[list[T], bool, int]:
        """`page`, and how many rows meet every condition in all."""
        total = await self.count(ex, conditions, arg)
        rows, has_next = await self.page(ex, conditions, arg, first=first, after=after)
        return rows, has_next, total
