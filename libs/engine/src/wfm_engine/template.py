"""The workflow template model: steps, their data schemas and the submission rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr
from pydantic import ValidationError as PydanticValidationError

from wfm_engine.forms import FormValidator, schema_problems
from wfm_engine.status import MARKET_ROLES
from wfm_engine.validators import VALIDATORS, ValidatorRegistry
from wfm_shared.errors import FieldError, ValidationFailed
from wfm_shared.principal import ROLES

LOCALES = ("en", "fr", "nl")
STEP_TYPES = ("form",)
KEY_PATTERN = r"^[a-z][a-z0-9-]{1,62}$"
STEP_ID_PATTERN = r"^[a-z][a-z0-9-]{0,62}$"


class Localized(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    en: str = Field(min_length=1)
    fr: str = Field(min_length=1)
    nl: str = Field(min_length=1)

    def get(self, locale: str) -> str:
        return str(getattr(self, locale if locale in LOCALES else "en"))


class Transition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    to: str


class StepDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str = Field(pattern=STEP_ID_PATTERN)
    type: str
    title: Localized
    description: Localized | None = None
    config: dict[str, Any] = Field(default_factory=dict)
    data_schema: dict[str, Any] = Field(default_factory=lambda: {"type": "object"}, alias="schema")
    validators: list[str] = Field(default_factory=list)
    # Who may execute the step; empty means the tenant's users and market operations.
    roles: list[str] = Field(default_factory=list)
    # None: the next step in the list (the last one ends the workflow); []: ends here.
    next: list[Transition] | None = None

    _form: FormValidator | None = PrivateAttr(default=None)

    def form(self) -> FormValidator:
        if self._form is None:
            self._form = FormValidator(self.data_schema)
        return self._form


class Approval(BaseModel):
    model_config = ConfigDict(extra="forbid")

    roles: list[str] = Field(default_factory=lambda: ["market_ops"], min_length=1)


class Submission(BaseModel):
    model_config = ConfigDict(extra="forbid")

    validators: list[str] = Field(default_factory=list)
    approval: Approval = Field(default_factory=Approval)


class WorkflowTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    key: str = Field(pattern=KEY_PATTERN)
    version: int = Field(ge=1)
    name: Localized
    description: Localized | None = None
    market_role: str | None = Field(default=None, alias="marketRole")
    extends: str | None = None
    # Completing this workflow grants the participant its market role (onboarding).
    grants_market_role: bool = Field(default=False, alias="grantsMarketRole")
    steps: list[StepDefinition] = Field(min_length=1)
    submission: Submission = Field(default_factory=Submission)

    _by_id: dict[str, StepDefinition] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        self._by_id = {step.id: step for step in self.steps}

    def step(self, step_id: str) -> StepDefinition:
        return self._by_id[step_id]

    def has_step(self, step_id: str) -> bool:
        return step_id in self._by_id

    @property
    def first_step(self) -> StepDefinition:
        return self.steps[0]

    def successor(self, step_id: str) -> str | None:
        """The step after `step_id`, or None when the workflow's steps are done."""
        step = self.step(step_id)
        if step.next is not None:
            return step.next[0].to if step.next else None
        index = self.steps.index(step)
        return self.steps[index + 1].id if index + 1 < len(self.steps) else None

    def definition(self) -> dict[str, Any]:
        """The JSON form stored in the database and exported to files."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


def template_problems(
    template: WorkflowTemplate, validators: ValidatorRegistry = VALIDATORS
) -> list[FieldError]:
    """Every structural problem of a parsed template, each with its path."""
    problems: list[FieldError] = []
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
        if step.type not in STEP_TYPES:
            problems.append(FieldError((*at, "type"), f"unknown step type {step.type!r}"))
        problems.extend(
            FieldError((*at, "schema"), f"invalid JSON Schema: {message}")
            for message in schema_problems(step.data_schema)
        )
        for v_index, name in enumerate(step.validators):
            if name not in validators:
                problems.append(
                    FieldError((*at, "validators", v_index), f"unknown validator {name!r}")
                )
        for r_index, role in enumerate(step.roles):
            if role not in ROLES:
                problems.append(FieldError((*at, "roles", r_index), f"unknown role {role!r}"))
        for t_index, transition in enumerate(step.next or []):
            if not template.has_step(transition.to):
                problems.append(
                    FieldError((*at, "next", t_index, "to"), f"no step {transition.to!r} to go to")
                )
    for v_index, name in enumerate(template.submission.validators):
        if name not in validators:
            problems.append(
                FieldError(("submission", "validators", v_index), f"unknown validator {name!r}")
            )
    for r_index, role in enumerate(template.submission.approval.roles):
        if role not in ROLES:
            problems.append(
                FieldError(("submission", "approval", "roles", r_index), f"unknown role {role!r}")
            )
    return problems


class TemplateInvalid(ValidationFailed):
    """A template that cannot be used; `errors` lists every problem at once."""


def parse_template(
    definition: Mapping[str, Any], validators: ValidatorRegistry = VALIDATORS
) -> WorkflowTemplate:
    try:
        template = WorkflowTemplate.model_validate(definition)
    except PydanticValidationError as error:
        raise TemplateInvalid(
            "template is invalid",
            [FieldError(tuple(e["loc"]), e["msg"]) for e in error.errors()],
        ) from None
    problems = template_problems(template, validators)
    if problems:
        raise TemplateInvalid(f"template {template.key} v{template.version} is invalid", problems)
    return template
