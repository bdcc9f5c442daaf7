"""The workflow template model: steps, the graph between them, and the submission rules."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from celpy.celparser import CELParseError
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator
from pydantic import ValidationError as PydanticValidationError

from wfm_engine.conditions import (
    Condition,
    ConditionError,
    ConditionRefused,
    limit_problem,
    parse_reason,
    quoted,
)
from wfm_engine.durations import Deadline, parse_duration
from wfm_engine.forms import FormValidator, schema_problems
from wfm_engine.gates import GATES, GateRegistry
from wfm_engine.options import TemplateOptions, WorkflowConfig, option_problems
from wfm_engine.status import MARKET_ROLES
from wfm_engine.steps import STEP_HANDLERS, StepHandlerRegistry
from wfm_engine.validators import VALIDATORS, ValidatorRegistry
from wfm_shared.documents import template_shape_problems
from wfm_shared.errors import FieldError, ValidationFailed
from wfm_shared.principal import ROLES

LOCALES = ("en", "fr", "nl")
_STEP_REFERENCE = re.compile(r"steps\.([A-Za-z_][A-Za-z0-9_]*)|steps\[\s*['\"]([^'\"]+)['\"]\s*\]")
KEY_PATTERN = r"^[a-z][a-z0-9-]{1,62}$"
STEP_ID_PATTERN = r"^[a-z][a-z0-9-]{0,62}$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Localized(_Model):
    """A text in English, French and Dutch. A missing language is a template problem
    (reported with the others, see `template_problems`), not a parse error."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    en: str | None = Field(default=None, min_length=1)
    fr: str | None = Field(default=None, min_length=1)
    nl: str | None = Field(default=None, min_length=1)

    def get(self, locale: str) -> str:
        text = getattr(self, locale if locale in LOCALES else "en") or self.en or self.fr or self.nl
        return str(text or "")

    def missing(self) -> list[str]:
        return [locale for locale in LOCALES if not getattr(self, locale)]


class Transition(_Model):
    # the next step; omitted (null): the workflow's steps end here
    to: str | None = None
    # CEL over {steps, variables, tenant, trigger}; no condition: always taken
    when: str | None = None
    # who may take this transition; empty: whoever may execute the step
    roles: list[str] = Field(default_factory=list)
    gates: list[str] = Field(default_factory=list)


class Sla(_Model):
    duration: str
    escalate_to: str | None = Field(default=None, alias="escalateTo")

    @field_validator("duration")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_duration(value)
        return value


class Retry(_Model):
    max: int = Field(default=3, ge=0, le=20)
    backoff: str = "PT10S"

    @field_validator("backoff")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_duration(value)
        return value


class StepDefinition(_Model):
    id: str = Field(pattern=STEP_ID_PATTERN)
    type: str
    title: Localized
    description: Localized | None = None
    config: dict[str, Any] = Field(default_factory=dict)
    data_schema: dict[str, Any] = Field(default_factory=lambda: {"type": "object"}, alias="schema")
    validators: list[str] = Field(default_factory=list)
    # who may execute the step; empty: the tenant's users and market operations
    # (for system steps: market operations, i.e. the worker or an operator's override)
    roles: list[str] = Field(default_factory=list)
    # None: the next step in the list (the last one ends the workflow); []: ends here
    next: list[Transition] | None = None
    compensation: dict[str, Any] | None = None
    sla: Sla | None = None
    retry: Retry | None = None
    # optional steps: only with this flag on / left out when this flag is on
    enabled_by: str | None = Field(default=None, alias="enabledBy")
    skipped_by: str | None = Field(default=None, alias="skippedBy")

    _form: FormValidator | None = PrivateAttr(default=None)

    def form(self) -> FormValidator:
        if self._form is None:
            self._form = FormValidator(self.data_schema)
        return self._form


class Approval(_Model):
    roles: list[str] = Field(default_factory=lambda: ["market_ops"], min_length=1)
    gates: list[str] = Field(default_factory=list)
    deadline: Deadline | None = None


class Submission(_Model):
    validators: list[str] = Field(default_factory=list)
    gates: list[str] = Field(default_factory=list)
    approval: Approval = Field(default_factory=Approval)


class WorkflowTemplate(_Model):
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

    _by_id: dict[str, StepDefinition] = PrivateAttr(default_factory=dict)
    _conditions: dict[tuple[str, int], Condition] = PrivateAttr(default_factory=dict)

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
    problems += _graph_problems(template)
    problems += _translation_problems(template)
    problems += option_problems(template)
    names(("submission", "validators"), template.submission.validators, validators, "validator")
    names(("submission", "gates"), template.submission.gates, gates, "gate")
    names(("submission", "approval", "roles"), template.submission.approval.roles, ROLES, "role")
    names(("submission", "approval", "gates"), template.submission.approval.gates, gates, "gate")
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
