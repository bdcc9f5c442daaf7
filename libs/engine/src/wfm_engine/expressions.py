"""Expressions in actions: CEL inside `{{ ... }}` placeholders in the strings of a system step's
configuration (an api_call's url, header and query values and body, a notification's texts, a
webhook's payload), over {steps, variables, tenant, trigger, config, secrets}: what a
condition sees and the tenant's secrets the step names; in a `forEach` step, its item too
(`item`, or the name its `as` gives).

Checked with the rest of the template (`action_problems`): every placeholder compiles, within
the limits of a condition; it names only those roots; a secret only as `secrets.NAME` (so the
worker knows, before rendering, which secrets to open: `secret_names`), and only where the
handler lets secrets in; a url holds placeholders in its path and query only (its scheme and
host are fixed, so the outgoing-URL policy judges them when the template is published, and the
rendered url again at the call). Rendered by the worker for each run (`render_config`): a
string that is exactly one placeholder keeps the expression's JSON type where the field holds
JSON (a body, a payload); anywhere else the value becomes text (percent-encoded in a url)."""

from __future__ import annotations

import functools
import json
import logging
import math
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote, unquote

import celpy
import lark
from celpy import celtypes
from celpy.adapter import json_to_cel
from celpy.celparser import CELParseError

from wfm_engine.conditions import (
    ConditionRefused,
    _after_string,
    compile_expression,
    evaluation_reason,
    limit_problem,
    parse_reason,
    quoted,
)
from wfm_engine.definitions import StepDefinition
from wfm_shared import limits
from wfm_shared.errors import FieldError

# celpy logs each activation it evaluates with at DEBUG — a step's secrets among it: never,
# whatever level the process logs at
logging.getLogger("celpy").setLevel(logging.WARNING)

OPEN, CLOSE = "{{", "}}"
# what an expression may name (and a forEach step's item); `config` is the instance's
# configuration, as conditions see it
ROOTS = ("steps", "variables", "tenant", "trigger", "config", "secrets")
SECRETS = "secrets"
# the macros that bind a variable of their own: `list.exists(p, p > 1)`
_MACROS = frozenset({"all", "exists", "exists_one", "map", "filter"})
_SECRET_NAME = re.compile(limits.SECRET_NAME_PATTERN)
# what a url must spell out before its first placeholder: the scheme, the host, and the start
# of the path or the query
_FIXED_ORIGIN = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/?#{}]+[/?]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# How a templated field is rendered: `json` keeps the type of a lone placeholder; `text` makes
# text of every value; `header` too, refusing control characters (they would end the header);
# `url` percent-encodes each value for its place in the path or the query.
FieldKind = Literal["json", "text", "header", "url"]
Path = tuple[str | int, ...]


@dataclass(frozen=True)
class ActionExpressions:
    """Which fields of a step type's `config` take placeholders, each rendered as its kind,
    and whether they may name the tenant's secrets (a step whose output is stored as sent, a
    notification or a webhook message, may not)."""

    fields: Mapping[str, FieldKind]
    secrets: bool = False


# -- placeholders in a string -------------------------------------------------------------


@dataclass(frozen=True)
class Placeholder:
    expression: str  # between the braces, without the blanks around it
    start: int  # where its `{{` is in the string


class PlaceholderMalformed(ValueError):
    """A `{{` without its `}}`, or with nothing in between."""


def split_text(text: str) -> list[str | Placeholder]:
    """`text` as its literal pieces and its placeholders, in order. A `}}` inside a string
    literal or closing a map literal of the expression does not end the placeholder."""
    pieces: list[str | Placeholder] = []
    position = 0
    while (start := text.find(OPEN, position)) >= 0:
        if start > position:
            pieces.append(text[position:start])
        end = _closing(text, start + len(OPEN))
        if end < 0:
            raise PlaceholderMalformed(f"the placeholder at character {start} has no closing }}}}")
        expression = text[start + len(OPEN) : end].strip()
        if not expression:
            raise PlaceholderMalformed(f"the placeholder at character {start} is empty")
        pieces.append(Placeholder(expression, start))
        position = end + len(CLOSE)
    if position < len(text):
        pieces.append(text[position:])
    return pieces


def _closing(text: str, i: int) -> int:
    """Where the `}}` that closes a placeholder begins (-1: nowhere)."""
    depth = 0
    while i < len(text):
        char = text[i]
        if char in "'\"":
            i = _after_string(text, i)
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            if depth == 0 and text.startswith(CLOSE, i):
                return i
            depth = max(0, depth - 1)
        i += 1
    return -1


def _strings(value: Any, at: Path) -> Iterator[tuple[Path, str, bool]]:
    """Every string in a JSON value with its path; the bool says it is an object's key."""
    if isinstance(value, str):
        yield at, value, False
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield (*at, str(key)), str(key), True
            yield from _strings(item, (*at, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*at, index))


# -- what an expression names ---------------------------------------------------------------


@dataclass(frozen=True)
class Analysis:
    """A compiled expression, and what it names."""

    program: celpy.Runner
    roots: frozenset[str]
    secrets: frozenset[str]
    steps: frozenset[str]
    problems: tuple[str, ...]  # names it may not use as it does


class _Names:
    def __init__(self) -> None:
        self.roots: set[str] = set()
        self.secrets: set[str] = set()
        self.steps: set[str] = set()
        self.problems: list[str] = []

    def walk(self, node: Any, bound: frozenset[str]) -> None:
        if not isinstance(node, lark.Tree):
            return
        kind, children = node.data, node.children
        if kind == "member_dot":
            target, name = children
            root = _bare_name(target)
            if root is not None and root not in bound:
                self.root(root)
                if root == SECRETS:
                    self.secret(str(name))
                elif root == "steps":
                    self.steps.add(str(name))
                return
        elif kind == "member_index":
            target, index = children
            root = _bare_name(target)
            if root is not None and root not in bound:
                if root == SECRETS:
                    self.problems.append("a secret is named as secrets.NAME, not by index")
                    self.roots.add(root)
                    return
                if root == "steps" and isinstance(step := _string_literal(index), str):
                    self.steps.add(step)
        elif kind == "member_dot_arg":
            target, method, arguments = (*children, None)[:3]
            items = arguments.children if isinstance(arguments, lark.Tree) else []
            variable = _bare_name(items[0]) if items and str(method) in _MACROS else None
            if variable is not None:
                self.walk(target, bound)
                for item in items[1:]:
                    self.walk(item, bound | {variable})
                return
        elif kind == "ident":
            name = str(children[0])
            if name not in bound:
                self.root(name)
                if name == SECRETS:
                    self.problems.append("a secret is named as secrets.NAME")
            return
        elif kind == "dot_ident":
            self.root(str(children[0]))
            return
        elif kind in ("ident_arg", "dot_ident_arg"):
            children = children[1:]  # the function's name is no value
        for child in children:
            self.walk(child, bound)

    def root(self, name: str) -> None:
        self.roots.add(name)

    def secret(self, name: str) -> None:
        if _SECRET_NAME.fullmatch(name):
            self.secrets.add(name)
        else:
            self.problems.append(f"no secret can be called {name!r}")


def _bare_name(node: Any) -> str | None:
    """The name that `node` is, when it is nothing but a name (`p`, `(p)` is not)."""
    while isinstance(node, lark.Tree):
        if node.data == "ident":
            return str(node.children[0])
        trees = [c for c in node.children if c is not None]
        if len(trees) != 1 or node.data in ("paren_expr", "member_dot", "member_index"):
            return None
        node = trees[0]
    return None


def _string_literal(node: Any) -> str | None:
    """The text of `node` when it is nothing but a plain string literal."""
    while isinstance(node, lark.Tree):
        trees = [c for c in node.children if c is not None]
        if len(trees) != 1:
            return None
        node = trees[0]
    if isinstance(node, lark.Token) and node.type == "STRING_LIT":
        text = str(node)
        for quote_ in ('"""', "'''", '"', "'"):
            if len(text) >= 2 * len(quote_) and text.startswith(quote_) and text.endswith(quote_):
                return text[len(quote_) : -len(quote_)]
    return None


@functools.lru_cache(maxsize=4096)
def analysed(expression: str) -> Analysis:
    """`expression` compiled and what it names, once per process for each text.
    ConditionRefused past the limits; CELParseError when it is not CEL."""
    problem = limit_problem(expression)
    if problem:
        raise ConditionRefused(problem)
    tree, program = compile_expression(expression)
    names = _Names()
    names.walk(tree, frozenset())
    return Analysis(
        program=program,
        roots=frozenset(names.roots),
        secrets=frozenset(names.secrets),
        steps=frozenset(names.steps),
        problems=tuple(names.problems),
    )


# -- the check, with the template's ------------------------------------------------------------


def action_problems(
    steps: Sequence[StepDefinition],
    expressions_of: Callable[[str], ActionExpressions | None],
) -> list[FieldError]:
    """Every problem of the placeholders in the steps' configurations, at its path; and a
    placeholder where none is read (a field that takes none, an object's key, a compensation,
    which is recorded and sent as written), which would be sent as written."""
    problems: list[FieldError] = []
    step_ids = {step.id for step in steps}
    counted = 0
    for index, step in enumerate(steps):
        expressions = expressions_of(step.type)
        if expressions is None:
            continue
        at: Path = ("steps", index)
        for path, text, is_key in _strings(step.config, (*at, "config")):
            if OPEN not in text:
                continue
            field = path[len(at) + 1]
            kind = expressions.fields.get(str(field))
            if kind is None or is_key:
                where = "an object's key" if is_key else f"{field!r}"
                problems.append(
                    FieldError(
                        path, f"{where} takes no {{{{ }}}} expressions ({_takers(expressions)} do)"
                    )
                )
                continue
            roots = (*ROOTS, step.for_each.as_) if step.for_each else ROOTS
            found, counted = _text_problems(text, kind, expressions, roots, step_ids, counted)
            problems += [FieldError(path, message) for message in found]
        for path, text, _ in _strings(step.compensation or {}, (*at, "compensation")):
            if OPEN in text:
                problems.append(
                    FieldError(
                        path,
                        "a compensation is recorded and sent as written: it takes no {{ }} expressions",
                    )
                )
    return problems


def _takers(expressions: ActionExpressions) -> str:
    names = list(expressions.fields)
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]


def _text_problems(
    text: str,
    kind: FieldKind,
    expressions: ActionExpressions,
    roots: Sequence[str],
    step_ids: Collection[str],
    counted: int,
) -> tuple[list[str], int]:
    try:
        pieces = split_text(text)
    except PlaceholderMalformed as malformed:
        return [str(malformed)], counted
    problems: list[str] = []
    placeholders = [p for p in pieces if isinstance(p, Placeholder)]
    if kind == "url":
        problems += _url_problems(pieces)
    for placeholder in placeholders:
        counted += 1
        if counted > limits.ACTION_PLACEHOLDERS_MAX:
            problems.append(
                f"a template holds at most {limits.ACTION_PLACEHOLDERS_MAX} {{{{ }}}} placeholders"
            )
            break
        problems += _expression_problems(placeholder.expression, expressions, roots, step_ids)
    return problems, counted


def _url_problems(pieces: list[str | Placeholder]) -> list[str]:
    """Why these placeholders may not stand where they do in a url (none: they may)."""
    first = next(i for i, piece in enumerate(pieces) if isinstance(piece, Placeholder))
    if not _FIXED_ORIGIN.match("".join(str(piece) for piece in pieces[:first])):
        return [_FIXED_URL]
    in_fragment = False
    for piece in pieces:
        if isinstance(piece, Placeholder):
            if in_fragment:
                return [_NO_FRAGMENT]
        elif "#" in piece:
            in_fragment = True
    return []


_FIXED_URL = (
    "a placeholder may stand in the url's path and query only: its scheme and host are "
    "written out (https://host/...)"
)
_NO_FRAGMENT = "a placeholder may not stand in the url's fragment (it is never sent)"


def _expression_problems(
    expression: str,
    expressions: ActionExpressions,
    roots: Sequence[str],
    step_ids: Collection[str],
) -> list[str]:
    try:
        analysis = analysed(expression)
    except ConditionRefused as refused:
        return [f"the expression {quoted(expression)} is refused: {refused}"]
    except CELParseError as error:
        return [f"the expression {quoted(expression)} does not compile: {parse_reason(error)}"]
    except RecursionError:
        return [f"the expression {quoted(expression)} nests too deeply to be compiled"]
    problems = [f"the expression {quoted(expression)}: {p}" for p in analysis.problems]
    problems += [
        f"the expression {quoted(expression)} names {name!r}: expressions name "
        + ", ".join(roots[:-1])
        + f" or {roots[-1]}"
        + ("" if len(roots) > len(ROOTS) else " (and a forEach step its item)")
        for name in sorted(analysis.roots - set(roots))
    ]
    problems += [
        f"the expression {quoted(expression)} refers to unknown step {name!r}"
        for name in sorted(analysis.steps - set(step_ids))
    ]
    if SECRETS in analysis.roots and not expressions.secrets:
        problems.append(
            f"the expression {quoted(expression)} names a secret: only a step "
            "that sends a request may (what this step sends is stored as sent)"
        )
    return problems


def secret_names(config: Mapping[str, Any], expressions: ActionExpressions) -> frozenset[str]:
    """The secrets a step's configuration names (`secrets.NAME`): those the worker opens for
    it, and no other. None where the step type lets no secret in."""
    if not expressions.secrets:
        return frozenset()
    names: set[str] = set()
    for field in expressions.fields:
        for _, text, is_key in _strings(config.get(field), (field,)):
            if is_key or OPEN not in text:
                continue
            try:
                pieces = split_text(text)
            except PlaceholderMalformed:
                continue
            for piece in pieces:
                if isinstance(piece, Placeholder):
                    try:
                        names |= analysed(piece.expression).secrets
                    except (ConditionRefused, CELParseError, RecursionError):
                        continue  # rendering says so
    return frozenset(names)


# -- rendering ------------------------------------------------------------------------------------


class RenderingFailed(Exception):
    """A placeholder of the configuration could not be rendered with this run's data."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{'.'.join(map(str, path))}: {reason}")
        self.path = path
        self.reason = str(self)


# how a literal piece of a text is written out (a notification's `{path}` placeholders)
LiteralWriter = Callable[[Path, str], str]


def render_config(
    config: Mapping[str, Any],
    expressions: ActionExpressions,
    context: Mapping[str, Any],
    *,
    literal: LiteralWriter | None = None,
) -> dict[str, Any]:
    """`config` with the placeholders of its templated fields rendered over `context`
    (`literal`, if given, writes out the literal pieces of `text` fields). RenderingFailed
    names the first one that cannot be, and why."""
    renderer = _Renderer({name: json_to_cel(value) for name, value in context.items()}, literal)
    rendered = dict(config)
    for field, kind in expressions.fields.items():
        if field in config:
            rendered[field] = renderer.value(config[field], kind, ("config", field))
    return rendered


class _Renderer:
    def __init__(self, activation: Mapping[str, Any], literal: LiteralWriter | None) -> None:
        self._activation = activation
        self._literal = literal

    def value(self, value: Any, kind: FieldKind, at: Path) -> Any:
        if isinstance(value, Mapping):
            return {key: self.value(item, kind, (*at, key)) for key, item in value.items()}
        if isinstance(value, list):
            return [self.value(item, kind, (*at, i)) for i, item in enumerate(value)]
        if not isinstance(value, str):
            return value
        if OPEN not in value:
            return self._literal(at, value) if self._literal and kind == "text" else value
        try:
            pieces = split_text(value)
        except PlaceholderMalformed as malformed:
            raise RenderingFailed(at, str(malformed)) from None
        if kind == "json" and len(pieces) == 1 and isinstance(pieces[0], Placeholder):
            return self.evaluate(pieces[0], at)
        if kind == "url":
            return self.url(pieces, at)
        text = "".join(
            as_text(self.evaluate(piece, at))
            if isinstance(piece, Placeholder)
            else (self._literal(at, piece) if self._literal and kind == "text" else piece)
            for piece in pieces
        )
        if kind == "header" and _CONTROL.search(text):
            raise RenderingFailed(
                at, "the rendered header holds a control character (a line break?)"
            )
        return text

    def url(self, pieces: list[str | Placeholder], at: Path) -> str:
        """The url with each value percent-encoded (a `/`, `?`, `&` or `#` in a value is data,
        never structure); a value that makes a path segment `.` or `..` is refused."""
        # checked when the template was; again for one stored before the check existed
        for problem in _url_problems(pieces):
            raise RenderingFailed(at, problem)
        written: list[str] = []
        segment, filled, in_path = "", False, True

        def end_segment() -> None:
            if filled and unquote(segment) in (".", ".."):
                raise RenderingFailed(at, "a value of the url's path may not make it '.' or '..'")

        for piece in pieces:
            if isinstance(piece, Placeholder):
                value = quote(as_text(self.evaluate(piece, at)), safe="")
                if in_path:
                    segment, filled = segment + value, True
                written.append(value)
                continue
            for char in piece:
                if not in_path:
                    break
                if char in "?#":
                    end_segment()
                    in_path = False
                elif char == "/":
                    end_segment()
                    segment, filled = "", False
                else:
                    segment += char
            written.append(piece)
        if in_path:
            end_segment()
        return "".join(written)

    def evaluate(self, placeholder: Placeholder, at: Path) -> Any:
        expression = placeholder.expression
        try:
            program = analysed(expression).program
        except (ConditionRefused, CELParseError, RecursionError):
            raise RenderingFailed(
                at, f"the expression {quoted(expression)} does not compile"
            ) from None
        try:
            result = program.evaluate(dict(self._activation))
        # whatever goes wrong (RecursionError included) is this expression's failure
        except Exception as error:
            reason = evaluation_reason(error)
            raise RenderingFailed(
                at, f"the expression {quoted(expression)} failed: {reason}"
            ) from None
        try:
            return json_value(result)
        except ValueError as error:
            raise RenderingFailed(at, f"the expression {quoted(expression)} gave {error}") from None


def json_value(value: Any) -> Any:
    """A CEL value as JSON: timestamps and durations as CEL writes them (`2024-05-01T08:00:00Z`,
    `3600s`); ValueError for what JSON cannot hold (bytes, a number that is not finite)."""
    if value is None or isinstance(value, celtypes.NullType):
        return None
    if isinstance(value, celtypes.BoolType):
        return bool(value)
    if isinstance(value, celtypes.IntType | celtypes.UintType):
        return int(value)
    if isinstance(value, celtypes.DoubleType):
        if not math.isfinite(value):
            raise ValueError("a number that is not finite")
        return float(value)
    if isinstance(value, celtypes.StringType):
        return str(value)
    if isinstance(value, celtypes.BytesType):
        raise ValueError("bytes (convert them with string())")
    if isinstance(value, celtypes.TimestampType | celtypes.DurationType):
        return str(celtypes.StringType(value))  # type: ignore[arg-type]  # CEL's string()
    if isinstance(value, celtypes.ListType):
        return [json_value(item) for item in value]
    if isinstance(value, celtypes.MapType):
        return {as_text(json_value(key)): json_value(item) for key, item in value.items()}
    raise ValueError("a value of no JSON type")


def as_text(value: Any) -> str:
    """A JSON value as text: a string as itself, null as nothing, the rest as JSON writes it."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
