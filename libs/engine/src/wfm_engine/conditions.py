"""Transition conditions (and the items of a forEach) in CEL (cel-python): compiled once per
template version, evaluated over {steps, variables, tenant, trigger, config}. A condition
that cannot be evaluated is an error, never a silent false.

An expression is measured before it is compiled (its length, and how deep its brackets and
operators nest: the evaluator recurses once per level), so a template cannot carry one that
takes seconds to compile or overflows the stack when evaluated. The messages a template
author or a user sees say what went wrong in CEL's words, never the evaluator's own."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import celpy
import lark
from celpy import celtypes
from celpy.adapter import CELJSONEncoder, json_to_cel
from celpy.celparser import CELParseError

from wfm_shared import limits
from wfm_shared.errors import WfmError

if TYPE_CHECKING:
    from wfm_engine.state import InstanceState

_ENVIRONMENT = celpy.Environment()
# celpy's parser is one shared instance that remembers the text it parses
_COMPILING = threading.Lock()
# how much of an expression a message quotes
_QUOTED_CHARS = 120


def quoted(expression: str) -> str:
    """The expression as a message quotes it: shortened when long."""
    if len(expression) <= _QUOTED_CHARS:
        return repr(expression)
    return repr(expression[:_QUOTED_CHARS] + "…")


class ConditionError(WfmError):
    """A condition of the template failed to evaluate for this workflow's data."""

    code = "CONDITION_FAILED"

    def __init__(self, step_id: str, expression: str, reason: str) -> None:
        super().__init__(f"condition {quoted(expression)} of step {step_id!r} failed: {reason}")
        self.step_id = step_id
        self.expression = expression

    def extensions(self) -> dict[str, Any]:
        return {"code": self.code, "stepId": self.step_id, "expression": self.expression}


class ConditionRefused(ValueError):
    """An expression that is too long or too deeply nested to be compiled."""


def compile_expression(expression: str) -> tuple[lark.Tree[lark.Token], celpy.Runner]:
    """The parse tree and the program of a CEL expression (CELParseError when malformed);
    conditions and the expressions of actions (`wfm_engine.expressions`) compile here."""
    with _COMPILING:
        tree = _ENVIRONMENT.compile(expression)
        return tree, _ENVIRONMENT.program(tree)


class ExpressionFailed(Exception):
    """An expression could not be evaluated for this workflow's data; `reason` says why in
    a template author's words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def condition_activation(
    state: InstanceState,
    tenant: Mapping[str, Any],
    steps: Mapping[str, Mapping[str, Any]] | None = None,
    variables: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """What a CEL expression sees: {steps, variables, tenant, trigger, config}."""
    return {
        "steps": dict(steps if steps is not None else state.completed_data()),
        "variables": dict(variables if variables is not None else state.variables),
        "tenant": dict(tenant),
        "trigger": dict(state.trigger),
        "config": state.config.as_json(),
    }


# the names an expression's activation holds (an item's name must not hide one)
ACTIVATION_NAMES = frozenset({"steps", "variables", "tenant", "trigger", "config"})


class Expression:
    """A compiled CEL expression."""

    def __init__(self, expression: str) -> None:
        self.expression = expression
        problem = limit_problem(expression)
        if problem:
            raise ConditionRefused(problem)
        # raises CELParseError for a malformed expression
        _, self._program = compile_expression(expression)

    def _evaluate(self, activation: Mapping[str, Any]) -> Any:
        return self._program.evaluate(
            {name: json_to_cel(value) for name, value in activation.items()}
        )

    def list_value(self, activation: Mapping[str, Any]) -> list[Any]:
        """The expression's value, which must be a list, as JSON data (timestamps and
        durations as their text), or ExpressionFailed saying why not."""
        try:
            result = self._evaluate(activation)
        except Exception as error:
            raise ExpressionFailed(evaluation_reason(error)) from None
        if not isinstance(result, celtypes.ListType):
            raise ExpressionFailed(f"it gave {cel_type_name(result)}, not a list")
        listed: list[Any] = json.loads(CELJSONEncoder().encode(result))
        return listed


class Condition(Expression):
    """A compiled CEL expression that decides: it must give a boolean."""

    def evaluate(self, step_id: str, activation: Mapping[str, Any]) -> bool:
        try:
            result = self._evaluate(activation)
        # whatever goes wrong (RecursionError included) is this condition's failure
        except Exception as error:
            raise ConditionError(step_id, self.expression, evaluation_reason(error)) from None
        if not isinstance(result, celtypes.BoolType):
            raise ConditionError(
                step_id, self.expression, f"it gave {cel_type_name(result)}, not a boolean"
            )
        return bool(result)


# -- the limits --------------------------------------------------------------------------


def limit_problem(expression: str) -> str | None:
    """Why `expression` is too big to compile (a cheap check first), or None."""
    if len(expression) > limits.CONDITION_MAX_CHARS:
        return f"it is {len(expression)} characters long; at most {limits.CONDITION_MAX_CHARS}"
    depth = nesting(expression)
    if depth > limits.CONDITION_MAX_NESTING:
        return (
            f"it nests {depth} levels deep (brackets and operators); "
            f"at most {limits.CONDITION_MAX_NESTING}"
        )
    return None


@dataclass
class _Level:
    """One bracket of the scan: its `&&`/`||`/`?` chain, the other operators of the operand
    being read, the deepest operand so far, and the deepest bracket inside it."""

    logical: int = 0
    operators: int = 0
    deepest_operand: int = 0
    inner: int = 0
    best: int = 0

    def depth(self) -> int:
        return max(self.best, self.logical + self.deepest_operand + self.inner)

    def next_item(self) -> None:
        # a comma starts another argument or element: a sibling, not a deeper level
        self.best = self.depth()
        self.logical = self.operators = self.deepest_operand = self.inner = 0


_OPENERS, _CLOSERS = "([{", ")]}"
_LOGICAL = ("&&", "||")
_OPERATORS = ("==", "!=", "<=", ">=")
_SINGLE_OPERATORS = "<>+-*/%!."
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def nesting(expression: str) -> int:
    """How deep the evaluator will have to recurse, estimated from the text alone: each
    bracket is a level, and so is each operator of a chain (`a && b && c` nests as
    `(a && b) && c`). String literals are skipped. Linear in the length of the text."""
    stack = [_Level()]
    i, n = 0, len(expression)
    while i < n:
        char = expression[i]
        pair = expression[i : i + 2]
        level = stack[-1]
        if char in "'\"":
            i = _after_string(expression, i)
            continue
        if char in _OPENERS:
            stack.append(_Level())
        elif char in _CLOSERS:
            if len(stack) > 1:
                closed = stack.pop()
                stack[-1].inner = max(stack[-1].inner, closed.depth() + 1)
        elif char == ",":
            level.next_item()
        elif pair in _LOGICAL or char == "?":
            level.logical += 1
            level.operators = 0
            i += 2 if pair in _LOGICAL else 1
            continue
        elif pair in _OPERATORS:
            level.operators += 1
            level.deepest_operand = max(level.deepest_operand, level.operators)
            i += 2
            continue
        elif char in _SINGLE_OPERATORS and not _in_number(expression, i):
            level.operators += 1
            level.deepest_operand = max(level.deepest_operand, level.operators)
        elif char.isalpha() or char == "_":
            word = _WORD.match(expression, i)
            assert word is not None
            if word.group() == "in":
                level.operators += 1
                level.deepest_operand = max(level.deepest_operand, level.operators)
            i = word.end()
            continue
        i += 1
    while len(stack) > 1:  # unclosed brackets: the parser will say so; measure them anyway
        closed = stack.pop()
        stack[-1].inner = max(stack[-1].inner, closed.depth() + 1)
    return stack[0].depth()


def _after_string(expression: str, start: int) -> int:
    """The index after the string literal that starts at `start` (a quote)."""
    quote = expression[start]
    delimiter = quote * 3 if expression.startswith(quote * 3, start) else quote
    i = start + len(delimiter)
    while i < len(expression):
        if expression[i] == "\\":
            i += 2
            continue
        if expression.startswith(delimiter, i):
            return i + len(delimiter)
        i += 1
    return i


def _in_number(expression: str, i: int) -> bool:
    """A `.` between digits (`1.5`) is part of the number, not a field selection."""
    return (
        expression[i] == "."
        and 0 < i < len(expression) - 1
        and expression[i - 1].isdigit()
        and expression[i + 1].isdigit()
    )


# -- the messages --------------------------------------------------------------------------

_CEL_TYPE_NAMES: tuple[tuple[type, str], ...] = (
    (celtypes.BoolType, "a boolean"),
    (celtypes.IntType, "an int"),
    (celtypes.UintType, "a uint"),
    (celtypes.DoubleType, "a double"),
    (celtypes.StringType, "a string"),
    (celtypes.BytesType, "bytes"),
    (celtypes.ListType, "a list"),
    (celtypes.MapType, "a map"),
    (celtypes.NullType, "null"),
    (celtypes.TimestampType, "a timestamp"),
    (celtypes.DurationType, "a duration"),
)


def cel_type_name(value: object) -> str:
    """What a CEL value is, in CEL's words."""
    for kind, name in _CEL_TYPE_NAMES:
        if isinstance(value, kind):
            return name
    return "a value of another type"


_QUOTED_NAME = re.compile(r"'([^']{1,80})'")


def evaluation_reason(error: BaseException) -> str:
    """Why an evaluation failed, said for a template author: what kind of mistake, and the
    field or name involved; nothing of the evaluator (no class names, no data dump)."""
    if isinstance(error, RecursionError):
        return "it nests too deeply to be evaluated"
    if isinstance(error, ZeroDivisionError):
        return "division by zero"
    text = str(error.args[0] if error.args else error)
    name = _QUOTED_NAME.search(text)
    named = f" {name.group(0)}" if name else ""
    if text.startswith("no such member") or text.startswith("no such key"):
        return f"the data has no field{named}"
    if text.startswith("undeclared reference"):
        return f"unknown name{named}"
    if "divide by zero" in text or "division by zero" in text:
        return "division by zero"
    if "no matching overload" in text or text.startswith("no such overload"):
        return "an operator or function was given values of a type it does not take"
    if "does not support field selection" in text:
        return "a field was selected from a value that is not a map"
    if "overflow" in text or "invalid_argument" in text:
        return "a number is out of range or a value could not be converted"
    return "it cannot be evaluated with this workflow's data"


# -- parse errors (a template author's mistakes, reported when the template is checked) --------

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
            else f"unexpected {str(token)[:40]!r}"
        )
        expected = sorted(
            {_TOKENS.get(name, name.lower()) for name in cause.expected if not name.startswith("_")}
        )
        hint = f" (expected {', '.join(expected[:6])})" if expected else ""
        return f"at column {column}: {found}{hint}"
    if isinstance(cause, lark.exceptions.UnexpectedCharacters):
        return f"at column {column}: unexpected character {cause.char!r}"
    return f"at column {column}: the expression is not valid CEL"
