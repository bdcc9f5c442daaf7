"""The workflow template model: steps, the graph between them, and the submission rules."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from celpy.celparser import CELParseError
from pydantic import Field, PrivateAttr
from pydantic import ValidationError as PydanticValidationError

from wfm_engine.conditions import (
    ACTIVATION_NAMES,
    Condition,
    ConditionError,
    ConditionRefused,
    Expression,
    ExpressionFailed,
    limit_problem,
    parse_reason,
    quoted,
)
from wfm_engine.definitions import (
    LOCALES,
    STEP_ID_PATTERN,
    ContinueAt,
    DefinitionModel,
    ForEach,
    Localized,
    Retention,
    Retry,
    Sla,
    StepDefinition,
    Transition,
)
from wfm_engine.durations import Deadline, parse_duration
from wfm_engine.expressions import ActionExpressions, action_problems
from wfm_engine.forms import schema_problems
from wfm_engine.gates import GATES, GateRegistry
from wfm_engine.options import (
    NAME_PATTERN,
    SETTING_TARGETS,
    TemplateOptions,
    WorkflowConfig,
    value_problem,
)
from wfm_engine.status import MARKET_ROLES
from wfm_engine.steps import STEP_HANDLERS, StepHandlerRegistry
from wfm_engine.validators import VALIDATORS, ValidatorRegistry
from wfm_shared.authorization import Permission, roles_with
from wfm_shared.documents import template_shape_problems
from wfm_shared.errors import FieldError, ValidationFailed
from wfm_shared.principal import ROLES

_STEP_REFERENCE = re.compile(r"steps\.([A-Za-z_][A-Za-z0-9_]*)|steps\[\s*['\"]([^'\"]+)['\"]\s*\]")
KEY_PATTERN = r"^[a-z][a-z0-9-]{1,62}$"

__all__ = [
    "LOCALES",
    "STEP_ID_PATTERN",
    "Approval",
    "CheckStopped",
    "CompileWatch",
    "ContinueAt",
    "ForEach",
    "Localized",
    "Retention",
    "Retry",
    "Sla",
    "StepDefinition",
    "Submission",
    "TemplateInvalid",
    "Transition",
    "WorkflowTemplate",
    "parse_template",
    "template_problems",
]


class Approval(DefinitionModel):
    # who approves unless the template says: the roles holding workflows.approve
    roles: list[str] = Field(
        default_factory=lambda: list(roles_with(Permission.WORKFLOWS_APPROVE)), min_length=1
    )
    gates: list[str] = Field(default_factory=list)
    deadline: Deadline | None = None


class Submission(DefinitionModel):
    validators: list[str] = Field(default_factory=list)
    gates: list[str] = Field(default_factory=list)
    approval: Approval = Field(default_factory=Approval)


class WorkflowTemplate(DefinitionModel):
    key: str = Field(pattern=KEY_PATTERN)
    version: int = Field(ge=1)
    name: Localized
    description: Localized | None = None
    market_role: str | None = Field(default=None, alias="marketRole")
    extends: str | None = None
    # completing this workflow grants the participant its market role (onboarding)
    grants_market_role: bool = Field(default=False, alias="grantsMarketRole")
    steps: list[StepDefinition] = Field(min_length=1)
    submission: Submission = Field(default_factory=Submission)
    options: TemplateOptions = Field(default_factory=TemplateOptions)
    # how long its finished workflows keep personal data (None: kept, unless a tenant's
    # retention policy says otherwise)
    retention: Retention | None = None

    _by_id: dict[str, StepDefinition] = PrivateAttr(default_factory=dict)
    _conditions: dict[tuple[str, int], Condition] = PrivateAttr(default_factory=dict)
    _items: dict[str, Expression] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        self._by_id = {step.id: step for step in self.steps}

    def step(self, step_id: str) -> StepDefinition:
        return self._by_id[step_id]

    def has_step(self, step_id: str) -> bool:
        return step_id in self._by_id

    @property
    def first_step(self) -> StepDefinition:
        return self.steps[0]

    def transitions(self, step_id: str) -> list[Transition]:
        """Where the workflow may go after `step_id`; empty when it ends there."""
        step = self.step(step_id)
        if step.next is not None:
            return list(step.next)
        index = self.steps.index(step)
        return [Transition(to=self.steps[index + 1].id)] if index + 1 < len(self.steps) else []

    def successor(self, step_id: str) -> str | None:
        """The step after `step_id` when no condition decides, for display and plain lists."""
        options = self.transitions(step_id)
        return options[0].to if options else None

    def next_step_ids(self, step_id: str) -> list[str]:
        return [t.to for t in self.transitions(step_id) if t.to is not None]

    def condition(self, step_id: str, index: int) -> Condition | None:
        """The compiled condition of a transition, compiled once per template version
        (`parse_template` compiles them all, so a parsed template never compiles here)."""
        transition = self.transitions(step_id)[index]
        if transition.when is None:
            return None
        key = (step_id, index)
        if key not in self._conditions:
            self._conditions[key] = Condition(transition.when)
        return self._conditions[key]

    def usable_condition(self, step_id: str, index: int) -> Condition | None:
        """`condition`, for evaluation: one that cannot be compiled (a template that was
        never checked) fails as a condition, CONDITION_FAILED, not as a crash."""
        try:
            return self.condition(step_id, index)
        except (ConditionRefused, CELParseError, RecursionError) as error:
            when = self.transitions(step_id)[index].when or ""
            reason = str(error) if isinstance(error, ConditionRefused) else "it does not compile"
            raise ConditionError(step_id, when, reason) from None

    def failure_target(self, step_id: str) -> str | None:
        """The step a failure of `step_id` continues at (`onFailure: {to}`), if any."""
        on_failure = self.step(step_id).on_failure
        return on_failure.to if isinstance(on_failure, ContinueAt) else None

    def items_expression(self, step_id: str) -> Expression:
        """The compiled `forEach.items` of a step that has one, compiled once per template
        version; ExpressionFailed when it cannot be compiled (a template never checked, or
        stored before a limit existed)."""
        for_each = self.step(step_id).for_each
        assert for_each is not None, f"step {step_id!r} has no forEach"
        if step_id not in self._items:
            self._items[step_id] = compile_items(for_each.items)
        return self._items[step_id]

    def definition(self) -> dict[str, Any]:
        """The JSON form stored in the database and exported to files."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)

    def configured(self, config: WorkflowConfig) -> WorkflowTemplate:
        """This template with an instance's settings applied to their targets (flags act at
        run time: see `decide.enter`)."""
        if not config.settings:
            return self
        definition = self.definition()
        steps = {step["id"]: step for step in definition["steps"]}
        for name, value in config.settings.items():
            option = self.options.settings.get(name)
            parts = option.target.split(".", 3) if option else []
            if option is None or len(parts) < 3 or parts[1] not in steps:
                continue
            step, section = steps[parts[1]], parts[2]
            if section == "sla" and len(parts) == 4:
                step.setdefault("sla", {"duration": value})[parts[3]] = value
            elif section == "retry" and len(parts) == 4:
                step.setdefault("retry", {})[parts[3]] = value
            elif section == "config" and len(parts) == 4:
                step.setdefault("config", {})[parts[3]] = value
        configured = WorkflowTemplate.model_validate(definition)
        # settings change SLAs, retries and step configuration, never a condition
        configured._conditions = self._conditions
        configured._items = self._items
        return configured

    def reachable(self) -> set[str]:
        seen: set[str] = set()
        todo = [self.first_step.id]
        while todo:
            current = todo.pop()
            if current in seen or not self.has_step(current):
                continue
            seen.add(current)
            todo += self.next_step_ids(current)
            # a step a failure continues at is reached that way
            target = self.failure_target(current)
            if target is not None:
                todo.append(target)
        return seen

    def can_end(self) -> set[str]:
        """The steps from which the end of the workflow can be reached."""
        ending = {
            s.id
            for s in self.steps
            if any(t.to is None for t in self.transitions(s.id)) or not self.transitions(s.id)
        }
        changed = True
        while changed:
            changed = False
            for step in self.steps:
                if step.id not in ending and any(t in ending for t in self.next_step_ids(step.id)):
                    ending.add(step.id)
                    changed = True
        return ending


def compile_items(text: str) -> Expression:
    """A forEach's items compiled, or ExpressionFailed saying why they cannot be."""
    try:
        return Expression(text)
    except ConditionRefused as refused:
        raise ExpressionFailed(str(refused)) from None
    except CELParseError as error:
        raise ExpressionFailed(f"they do not compile: {parse_reason(error)}") from None
    except RecursionError:
        raise ExpressionFailed("they nest too deeply to be compiled") from None


class CheckStopped(Exception):
    """The caller stopped waiting for this check (see `CompileWatch`)."""


class CompileWatch:
    """Where the check of a template is, for a caller that waits for it in another thread
    with a time limit. A thread cannot be killed: once the caller has given up (`stop`),
    the check stops by itself before the next condition it would compile."""

    def __init__(self) -> None:
        self.step_id: str | None = None
        self.index = 0
        self.path: tuple[str | int, ...] = ()
        self._stopped = False

    def stop(self) -> None:
        self._stopped = True

    def compiling(self, path: tuple[str | int, ...], step_id: str, index: int) -> None:
        if self._stopped:
            raise CheckStopped
        self.path, self.step_id, self.index = path, step_id, index

    def too_slow(self) -> TemplateInvalid:
        """The refusal of a template whose check ran out of time."""
        if self.step_id is None:
            return TemplateInvalid(
                "the template takes too long to check",
                [FieldError((), "the template takes too long to check")],
            )
        message = (
            f"the condition of step {self.step_id!r}, transition {self.index} "
            "takes too long to compile"
        )
        return TemplateInvalid(
            "the condition takes too long to compile", [FieldError(self.path, message)]
        )


def _target_step(target: str) -> tuple[str | None, str]:
    parts = target.split(".", 2)
    if len(parts) != 3 or parts[0] != "steps":
        return None, target
    return parts[1], parts[2]


def option_problems(template: WorkflowTemplate) -> list[FieldError]:
    problems: list[FieldError] = [
        FieldError(("options", "flags", name), "is not a valid flag name")
        for name in template.options.flags
        if not re.match(NAME_PATTERN, name)
    ]
    for name, setting in template.options.settings.items():
        at = ("options", "settings", name)
        if not re.match(NAME_PATTERN, name):
            problems.append(FieldError(at, "is not a valid setting name"))
        step_id, rest = _target_step(setting.target)
        if step_id is None or not template.has_step(step_id):
            problems.append(
                FieldError(
                    (*at, "target"), f"{setting.target!r} names no step (steps.<id>.<field>)"
                )
            )
        elif rest not in SETTING_TARGETS and not rest.startswith("config."):
            problems.append(
                FieldError(
                    (*at, "target"),
                    f"can set {', '.join(SETTING_TARGETS)} or config.<key>, not {rest!r}",
                )
            )
        for bound in ("min", "max"):
            limit = getattr(setting, bound)
            if limit is not None and setting.type == "duration":
                try:
                    parse_duration(limit)
                except ValueError as error:
                    problems.append(FieldError((*at, bound), str(error)))
        problem = value_problem(setting, setting.default)
        if problem:
            problems.append(FieldError((*at, "default"), problem))
    for index, step in enumerate(template.steps):
        for key in ("enabled_by", "skipped_by"):
            flag = getattr(step, key)
            alias = "enabledBy" if key == "enabled_by" else "skippedBy"
            if flag is None:
                continue
            if flag not in template.options.flags:
                problems.append(FieldError(("steps", index, alias), f"unknown flag {flag!r}"))
            transitions = template.transitions(step.id)
            if transitions and all(t.when is not None for t in transitions):
                problems.append(
                    FieldError(
                        ("steps", index, "next"),
                        f"optional step {step.id!r} needs a transition without a condition to go on when it is off",
                    )
                )
    return problems


def template_problems(
    template: WorkflowTemplate,
    validators: ValidatorRegistry = VALIDATORS,
    handlers: StepHandlerRegistry = STEP_HANDLERS,
    gates: GateRegistry = GATES,
    watch: CompileWatch | None = None,
    *,
    stored: bool = False,
) -> list[FieldError]:
    """Every structural problem of a parsed template, each with its path. Its conditions
    are measured, then compiled (and kept: compiled once per template version). For a
    `stored` template, a condition past the limits is left uncompiled instead: evaluating
    it fails (CONDITION_FAILED), the rest of the template stays usable."""
    problems: list[FieldError] = []

    def names(at: tuple[str | int, ...], values: list[str], known: Any, kind: str) -> None:
        for index, name in enumerate(values):
            if name not in known:
                problems.append(FieldError((*at, index), f"unknown {kind} {name!r}"))

    if template.market_role is not None and template.market_role not in MARKET_ROLES:
        problems.append(
            FieldError(("marketRole",), f"unknown market role {template.market_role!r}")
        )
    seen: set[str] = set()
    for index, step in enumerate(template.steps):
        at: tuple[str | int, ...] = ("steps", index)
        if step.id in seen:
            problems.append(FieldError((*at, "id"), f"duplicate step id {step.id!r}"))
        seen.add(step.id)
        if step.type not in handlers:
            problems.append(FieldError((*at, "type"), f"unknown step type {step.type!r}"))
        else:
            problems += [
                FieldError((*at, *p.path), p.message)
                for p in handlers.get(step.type).config_problems(step)
            ]
        problems += [
            FieldError((*at, "schema"), f"invalid JSON Schema: {message}")
            for message in schema_problems(step.data_schema)
        ]
        names((*at, "validators"), step.validators, validators, "validator")
        names((*at, "roles"), step.roles, ROLES, "role")
        if step.sla and step.sla.escalate_to and step.sla.escalate_to not in ROLES:
            problems.append(
                FieldError((*at, "sla", "escalateTo"), f"unknown role {step.sla.escalate_to!r}")
            )
        for t_index, transition in enumerate(step.next or []):
            t_at = (*at, "next", t_index)
            if transition.to is not None and not template.has_step(transition.to):
                problems.append(FieldError((*t_at, "to"), f"no step {transition.to!r} to go to"))
            if transition.when is not None:
                if watch is not None:
                    watch.compiling((*t_at, "when"), step.id, t_index)
                problems += [
                    FieldError((*t_at, "when"), message)
                    for message in _condition_problems(
                        template, step, t_index, transition.when, stored
                    )
                ]
            names((*t_at, "roles"), transition.roles, ROLES, "role")
            names((*t_at, "gates"), transition.gates, gates, "gate")
        problems += _failure_problems(template, step, at, handlers)
        if step.for_each is not None:
            problems += _for_each_problems(template, step, step.for_each, at, handlers, stored)
    if not stored:  # a stored template's expressions fail when rendered, as its conditions
        problems += action_problems(template.steps, lambda t: _expressions(handlers, t))
    problems += _graph_problems(template)
    problems += _translation_problems(template)
    problems += option_problems(template)
    names(("submission", "validators"), template.submission.validators, validators, "validator")
    names(("submission", "gates"), template.submission.gates, gates, "gate")
    names(("submission", "approval", "roles"), template.submission.approval.roles, ROLES, "role")
    names(("submission", "approval", "gates"), template.submission.approval.gates, gates, "gate")
    return problems


def _expressions(handlers: StepHandlerRegistry, step_type: str) -> ActionExpressions | None:
    """Where a step type takes `{{ ... }}` expressions (an extension's handler may say)."""
    if step_type not in handlers:
        return None
    found = getattr(handlers.get(step_type), "expressions", None)
    return found if isinstance(found, ActionExpressions) else None


def _failure_problems(
    template: WorkflowTemplate,
    step: StepDefinition,
    at: tuple[str | int, ...],
    handlers: StepHandlerRegistry,
) -> list[FieldError]:
    """`onFailure`: only a step the platform carries out can fail; `to` names another step."""
    if step.on_failure is None:
        return []
    if step.type in handlers and not handlers.get(step.type).system:
        return [
            FieldError(
                (*at, "onFailure"),
                f"a {step.type} step is done by a person and cannot fail: only system steps "
                "take onFailure",
            )
        ]
    if not isinstance(step.on_failure, ContinueAt):
        return []
    target = step.on_failure.to
    if not template.has_step(target):
        return [FieldError((*at, "onFailure", "to"), f"no step {target!r} to go to")]
    if target == step.id:
        return [
            FieldError(
                (*at, "onFailure", "to"),
                f"step {step.id!r} cannot continue at itself when it fails: retry it "
                "(retry.max), or pause for a person (onFailure: pause)",
            )
        ]
    return []


# the step types whose runners carry out a forEach (one run per item)
FOR_EACH_STEP_TYPES = frozenset({"api_call", "webhook"})


def _for_each_problems(
    template: WorkflowTemplate,
    step: StepDefinition,
    for_each: ForEach,
    at: tuple[str | int, ...],
    handlers: StepHandlerRegistry,
    stored: bool,
) -> list[FieldError]:
    """`forEach`: on a step type that runs once per item, an item name that hides nothing,
    and items that compile (measured first, like conditions)."""
    here = (*at, "forEach")
    problems: list[FieldError] = []
    if step.type not in FOR_EACH_STEP_TYPES:
        problems.append(
            FieldError(
                here,
                f"a {step.type} step cannot run once per item: forEach is for "
                f"{', '.join(sorted(FOR_EACH_STEP_TYPES))} steps",
            )
        )
    if for_each.as_ in ACTIVATION_NAMES:
        problems.append(
            FieldError(
                (*here, "as"),
                f"{for_each.as_!r} would hide the {for_each.as_} of expressions: name the item "
                "otherwise",
            )
        )
    limit = limit_problem(for_each.items)
    if limit:
        if not stored:
            problems.append(FieldError((*here, "items"), f"the items are refused: {limit}"))
        return problems
    problems += [
        FieldError((*here, "items"), f"the items refer to unknown step {name!r}")
        for ref in sorted(set(_STEP_REFERENCE.findall(for_each.items)) - {""})
        if not template.has_step(name := ref[0] or ref[1])
    ]
    try:
        if template.has_step(step.id) and template.step(step.id) is step:
            template.items_expression(step.id)  # compiled once, kept by the template
        else:
            compile_items(for_each.items)
    except ExpressionFailed as failed:
        problems.append(FieldError((*here, "items"), f"the items cannot be used: {failed.reason}"))
    return problems


def _condition_problems(
    template: WorkflowTemplate, step: StepDefinition, index: int, expression: str, stored: bool
) -> list[str]:
    """Why a transition's condition cannot be used: measured first (past the limits, a
    stored template keeps it uncompiled, to fail when evaluated), then compiled and kept
    by the template (unless the step's id is a duplicate, reported elsewhere)."""
    limit = limit_problem(expression)
    if limit:
        if stored:
            return []
        return [f"the condition of step {step.id!r}, transition {index} is refused: {limit}"]
    problems = [
        f"condition of step {step.id!r} refers to unknown step {name!r}"
        for ref in sorted(set(_STEP_REFERENCE.findall(expression)) - {""})
        if not template.has_step(name := ref[0] or ref[1])
    ]
    try:
        if template.has_step(step.id) and template.step(step.id) is step:
            template.condition(step.id, index)
        else:
            Condition(expression)
    except CELParseError as error:
        reason = parse_reason(error)
    except RecursionError:
        reason = "it nests too deeply to be compiled"
    else:
        return problems
    return [
        *problems,
        f"condition {quoted(expression)} of step {step.id!r} does not compile: {reason}",
    ]


def _graph_problems(template: WorkflowTemplate) -> list[FieldError]:
    if any(
        t.to is not None and not template.has_step(t.to)
        for s in template.steps
        for t in (s.next or [])
    ) or len({s.id for s in template.steps}) != len(template.steps):
        return []  # reported above; the graph cannot be walked
    reachable, ending = template.reachable(), template.can_end()
    problems: list[FieldError] = []
    for index, step in enumerate(template.steps):
        if step.id not in reachable:
            problems.append(
                FieldError(
                    ("steps", index), f"step {step.id!r} cannot be reached from the first step"
                )
            )
        elif step.id not in ending:
            problems.append(
                FieldError(
                    ("steps", index, "next"),
                    f"step {step.id!r} never leads to the end of the workflow (a cycle with no way out)",
                )
            )
    return problems


def _translation_problems(template: WorkflowTemplate) -> list[FieldError]:
    texts: list[tuple[tuple[str | int, ...], Localized | None]] = [
        (("name",), template.name),
        (("description",), template.description),
    ]
    for index, step in enumerate(template.steps):
        texts += [
            (("steps", index, "title"), step.title),
            (("steps", index, "description"), step.description),
        ]
    return [
        FieldError((*at, locale), "translation missing")
        for at, text in texts
        if text is not None
        for locale in text.missing()
    ]


class TemplateInvalid(ValidationFailed):
    """A template that cannot be used; `errors` lists every problem at once."""


def parse_template(
    definition: Mapping[str, Any],
    validators: ValidatorRegistry = VALIDATORS,
    handlers: StepHandlerRegistry = STEP_HANDLERS,
    gates: GateRegistry = GATES,
    *,
    watch: CompileWatch | None = None,
    stored: bool = False,
) -> WorkflowTemplate:
    """A usable template, or TemplateInvalid with every problem. Its nesting and size are
    checked before anything is parsed, each condition's length and nesting before it is
    compiled (see `wfm_shared.settings.Settings`). A template read back from the database
    (`stored`, published before a limit existed) keeps a condition past the limits
    uncompiled: evaluating it answers CONDITION_FAILED, it never stalls or crashes."""
    shape = template_shape_problems(definition)
    if shape:
        raise TemplateInvalid("the template is too large or too deeply nested", shape)
    try:
        template = WorkflowTemplate.model_validate(definition)
    except PydanticValidationError as error:
        raise TemplateInvalid(
            "template is invalid",
            [FieldError(tuple(e["loc"]), e["msg"]) for e in error.errors()],
        ) from None
    problems = template_problems(template, validators, handlers, gates, watch, stored=stored)
    if problems:
        raise TemplateInvalid(f"template {template.key} v{template.version} is invalid", problems)
    return template
