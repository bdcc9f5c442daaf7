"""Problems with input at field paths, as a dry run answers them (validateWorkflow,
validateTemplate) instead of raising VALIDATION_FAILED."""

from __future__ import annotations

from collections.abc import Iterable

import strawberry

from wfm_shared.errors import FieldError


@strawberry.type(description="One problem with one part of the input")
class FieldProblem:
    path: list[str] = strawberry.field(
        description="Where it is, from the input's root (list indexes as numerals)"
    )
    message: str


def problems(errors: Iterable[FieldError]) -> list[FieldProblem]:
    return [FieldProblem(path=[str(p) for p in e.path], message=e.message) for e in errors]
