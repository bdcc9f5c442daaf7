"""Step and transition definitions: the parts of a template that step handlers, options
and the template itself all use. A leaf of the engine: it imports no other part of a
template, so `template`, `options` and `steps` import it without a cycle."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from wfm_engine.durations import Duration
from wfm_engine.forms import FormValidator
from wfm_shared import limits

LOCALES = ("en", "fr", "nl")
STEP_ID_PATTERN = r"^[a-z][a-z0-9-]{0,62}$"
# the name a forEach item goes by in expressions (`as`)
ITEM_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,62}$"


class DefinitionModel(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Localized(DefinitionModel):
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


class Transition(DefinitionModel):
    # the next step; omitted (null): the workflow's steps end here
    to: str | None = None
    # CEL over {steps, variables, tenant, trigger}; no condition: always taken
    when: str | None = None
    # who may take this transition; empty: whoever may execute the step
    roles: list[str] = Field(default_factory=list)
    gates: list[str] = Field(default_factory=list)


class Sla(DefinitionModel):
    duration: Duration
    escalate_to: str | None = Field(default=None, alias="escalateTo")


# A retention period's bounds, in days: one day to a hundred years.
RETENTION_MIN_DAYS = 1
RETENTION_MAX_DAYS = 36500


class Retention(DefinitionModel):
    """How long a finished (completed or cancelled) workflow keeps its personal data and
    files; past it, the worker's retention sweep erases them. A tenant's retention policy
    overrides it; none at all: kept."""

    after_days: int = Field(
        alias="afterDays", ge=RETENTION_MIN_DAYS, le=RETENTION_MAX_DAYS, strict=True
    )


class Retry(DefinitionModel):
    max: int = Field(default=3, ge=0, le=20)
    backoff: Duration = "PT10S"


class ContinueAt(DefinitionModel):
    """`onFailure: {to: stepId}`: a failed step hands over to another step, the error in
    `variables.lastError`."""

    to: str


# `onFailure: pause`: a failed step waits for a person, who resumes it (the step runs again)
PAUSE_ON_FAILURE = "pause"
OnFailure = ContinueAt | Literal["pause"]


class ForEach(DefinitionModel):
    """`forEach`: the step runs once per item of the list `items` (a CEL expression over
    {steps, variables, tenant, trigger, config}), the item named `as` in its run; at most
    `max` items, else the step fails."""

    items: str = Field(min_length=1)
    as_: str = Field(default="item", alias="as", pattern=ITEM_NAME_PATTERN)
    max: int = Field(default=limits.FOR_EACH_DEFAULT_MAX, ge=1, le=limits.FOR_EACH_MAX_ITEMS)


class StepDefinition(DefinitionModel):
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
    # what happens when the step fails (a system step, after its retries): None, the
    # workflow fails; continue at another step; or pause for a person
    on_failure: OnFailure | None = Field(default=None, alias="onFailure")
    for_each: ForEach | None = Field(default=None, alias="forEach")

    _form: FormValidator | None = PrivateAttr(default=None)

    def form(self) -> FormValidator:
        if self._form is None:
            self._form = FormValidator(self.data_schema)
        return self._form
