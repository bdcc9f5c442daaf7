"""The workflow template model: steps, the graph between them, and the submission rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator
from pydantic import ValidationError as PydanticValidationError

from wfm_engine.conditions import Condition, compile_problem
from wfm_engine.durations import parse_duration
from wfm_engine.forms import FormValidator, schema_problems
from wfm_engine.gates import GATES, GateRegistry
from wfm_engine.status import MARKET_ROLES
from wfm_engine.steps import STEP_HANDLERS, StepHandlerRegistry
from wfm_engine.validators import VALIDATORS, ValidatorRegistry
from wfm_shared.errors import FieldError, ValidationFailed
from wfm_shared.principal import ROLES

LOCALES = ("en", "fr", "nl")
KEY_PATTERN = r"^[a-z][a-z0-9-]{1,62}$"
STEP_ID_PATTERN = r"^[a-z][a-z0-9-]{0,62}$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Localized(_Model):
    model_config = ConfigDict(extra="forbid", frozen=True)

    en: str = Field(min_length=1)
    fr: str = Field(min_length=1)
    nl: str = Field(min_length=1)

    def get(self, locale: str) -> str:
        return str(getattr(self, locale if locale in LOCALES else "en"))


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

    _form: FormValidator | None = PrivateAttr(default=None)

    def form(self) -> FormValidator:
        if self._form is None:
            self._form = FormValidator(self.data_schema)
        return self._form


class Approval(_Model):
    roles: list[str] = Field(default_factory=lambda: ["market_ops"], min_length=1)
    gates: list[str] = Field(default_factory=list)


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
        """The compiled condition of a transition, compiled once per template version."""
        transition = self.transitions(step_id)[index]
        if transition.when is None:
            return None
        key = (step_id, index)
        if key not in self._conditions:
            self._conditions[key] = Condition(transition.when)
        return self._conditions[key]

    def definition(self) -> dict[str, Any]:
        """The JSON form stored in the database and exported to files."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


def template_problems(
    template: WorkflowTemplate,
    validators: ValidatorRegistry = VALIDATORS,
    handlers: StepHandlerRegistry = STEP_HANDLERS,
    gates: GateRegistry = GATES,
) -> list[FieldError]:
    """Every structural problem of a parsed template, each with its path."""
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
                problem = compile_problem(transition.when)
                if problem:
                    problems.append(
                        FieldError(
                            (*t_at, "when"),
                            f"condition {transition.when!r} of step {step.id!r} does not compile: {problem}",
                        )
                    )
            names((*t_at, "roles"), transition.roles, ROLES, "role")
            names((*t_at, "gates"), transition.gates, gates, "gate")
    names(("submission", "validators"), template.submission.validators, validators, "validator")
    names(("submission", "gates"), template.submission.gates, gates, "gate")
    names(("submission", "approval", "roles"), template.submission.approval.roles, ROLES, "role")
    names(("submission", "approval", "gates"), template.submission.approval.gates, gates, "gate")
    return problems


class TemplateInvalid(ValidationFailed):
    """A template that cannot be used; `errors` lists every problem at once."""


def parse_template(
    definition: Mapping[str, Any],
    validators: ValidatorRegistry = VALIDATORS,
    handlers: StepHandlerRegistry = STEP_HANDLERS,
    gates: GateRegistry = GATES,
) -> WorkflowTemplate:
    try:
        template = WorkflowTemplate.model_validate(definition)
    except PydanticValidationError as error:
        raise TemplateInvalid(
            "template is invalid",
            [FieldError(tuple(e["loc"]), e["msg"]) for e in error.errors()],
        ) from None
    problems = template_problems(template, validators, handlers, gates)
    if problems:
        raise TemplateInvalid(f"template {template.key} v{template.version} is invalid", problems)
    return template
