"""Transition conditions in CEL (cel-python): compiled once per template version, evaluated
over {steps, variables, tenant, trigger}. A condition that cannot be evaluated is an error,
never a silent false."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import celpy
import lark
from celpy import celtypes
from celpy.adapter import json_to_cel
from celpy.celparser import CELParseError
from celpy.evaluation import CELEvalError

from wfm_shared.errors import WfmError

_ENVIRONMENT = celpy.Environment()


class ConditionError(WfmError):
    """A condition of the template failed to evaluate for this workflow's data."""

    code = "CONDITION_FAILED"

    def __init__(self, step_id: str, expression: str, reason: str) -> None:
        super().__init__(f"condition {expression!r} of step {step_id!r} failed: {reason}")
        self.step_id = step_id
        self.expression = expression

    def extensions(self) -> dict[str, Any]:
        return {"code": self.code, "stepId": self.step_id, "expression": self.expression}


class Condition:
    """A compiled CEL expression."""

    def __init__(self, expression: str) -> None:
        self.expression = expression
        # raises CELParseError for a malformed expression
        self._program = _ENVIRONMENT.program(_ENVIRONMENT.compile(expression))

    def evaluate(self, step_id: str, activation: Mapping[str, Any]) -> bool:
        try:
            result = self._program.evaluate(
                {name: json_to_cel(value) for name, value in activation.items()}
            )
        except (CELEvalError, TypeError, ValueError, KeyError, ZeroDivisionError) as error:
            raise ConditionError(step_id, self.expression, _reason(error)) from None
        if not isinstance(result, celtypes.BoolType):
            raise ConditionError(
                step_id, self.expression, f"it gave {type(result).__name__}, not a boolean"
            )
        return bool(result)


def compile_problem(expression: str) -> str | None:
    """Why `expression` does not compile, with the column, or None."""
    try:
        Condition(expression)
    except CELParseError as error:
        return parse_reason(error)
    return None


# The parser's names of the tokens a template author is most often missing.
_TOKENS = {
    "LPAR": "'('",
    "RPAR": "')'",
    "LSQB": "'['",
    "RSQB": "']'",
    "LBRACE": "'{'",
    "RBRACE": "'}'",
    "COMMA": "','",
    "COLON": "':'",
    "DOT": "'.'",
    "IDENT": "a name",
    "INT_LIT": "a number",
    "FLOAT_LIT": "a number",
    "STRING_LIT": "a string",
}


def parse_reason(error: CELParseError) -> str:
    """The parser's reason in a template author's words: where, what it found, and what
    it expected there."""
    cause = error.__cause__ or error.__context__
    column = getattr(error, "column", None) or getattr(cause, "column", "?")
    if isinstance(cause, lark.exceptions.UnexpectedToken):
        token = cause.token
        found = (
            "the expression ends too early"
            if token.type == "$END"
            else f"unexpected {str(token)!r}"
        )
        expected = sorted(
            {_TOKENS.get(name, name.lower()) for name in cause.expected if not name.startswith("_")}
        )
        hint = f" (expected {', '.join(expected[:6])})" if expected else ""
        return f"at column {column}: {found}{hint}"
    if isinstance(cause, lark.exceptions.UnexpectedCharacters):
        return f"at column {column}: unexpected character {cause.char!r}"
    return f"at column {column}: {_reason(error)}"


def _reason(error: Exception) -> str:
    text = error.args[0] if error.args else str(error)
    return str(text).splitlines()[0][:300]
