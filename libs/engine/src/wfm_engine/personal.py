"""Which values of a step's data are personal, and whose.

Personal are the values of properties a step's JSON Schema marks `personal: true` (under
`properties` and `items`, and the subschemas of `allOf`, `anyOf` and `oneOf`), and, built in,
the `name`, `email` and `phone` of the objects under a property named `contacts` (the objects
themselves, or the items of an array), wherever such a property is in the data, declared or
not. A value marked personal is personal as a whole (an object or array with it).

A personal value belongs to the person whose e-mail address the object holding it has (its
`email`, a contact's own address): that person is its data subject. A value in an object
without an address belongs to its workflow's pseudo-subject."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from wfm_engine.events import Event, StepCompletedData, WorkflowRolledBackData
from wfm_engine.state import InstanceState
from wfm_engine.step_state import StepState
from wfm_shared.personal_data import ERASED, is_token, subject_id_for, workflow_subject_id

CONTACTS = "contacts"
CONTACT_FIELDS = ("name", "email", "phone")
EMAIL = "email"
COMBINATIONS = ("allOf", "anyOf", "oneOf")


@dataclass(frozen=True)
class FieldPlan:
    """Where the personal values of a JSON value are: the value itself, some of its
    properties (an object), or its items (an array)."""

    personal: bool = False
    properties: Mapping[str, FieldPlan] = field(default_factory=dict)
    items: FieldPlan | None = None

    @property
    def empty(self) -> bool:
        return not self.personal and not self.properties and self.items is None

    def merged(self, other: FieldPlan) -> FieldPlan:
        if self.empty:
            return other
        if other.empty:
            return self
        names = dict.fromkeys([*self.properties, *other.properties])
        properties = {
            name: self.properties.get(name, NOTHING).merged(other.properties.get(name, NOTHING))
            for name in names
        }
        items = (self.items or NOTHING).merged(other.items or NOTHING)
        return FieldPlan(
            self.personal or other.personal, properties, None if items.empty else items
        )


NOTHING = FieldPlan()
PERSONAL = FieldPlan(personal=True)
_CONTACT = FieldPlan(properties={name: PERSONAL for name in CONTACT_FIELDS})
# a `contacts` property: one contact object, or an array of them
CONTACTS_PLAN = FieldPlan(properties=_CONTACT.properties, items=_CONTACT)


def schema_plan(schema: Mapping[str, Any]) -> FieldPlan:
    """The personal values a step's JSON Schema declares (`personal: true`)."""
    if schema.get("personal") is True:
        return PERSONAL
    plan = NOTHING
    properties = schema.get("properties")
    if isinstance(properties, Mapping):
        found = {
            str(name): schema_plan(sub)
            for name, sub in properties.items()
            if isinstance(sub, Mapping)
        }
        found = {name: sub for name, sub in found.items() if not sub.empty}
        if found:
            plan = FieldPlan(properties=found)
    items = schema.get("items")
    if isinstance(items, Mapping):
        item_plan = schema_plan(items)
        if not item_plan.empty:
            plan = plan.merged(FieldPlan(items=item_plan))
    for combination in COMBINATIONS:
        for sub in schema.get(combination) or ():
            if isinstance(sub, Mapping):
                plan = plan.merged(schema_plan(sub))
    return plan


def definition_plans(definition: Mapping[str, Any]) -> dict[str, FieldPlan]:
    """Each step's plan, by step id, from a template's stored definition (its JSON form)."""
    plans: dict[str, FieldPlan] = {}
    for step in definition.get("steps") or ():
        if not isinstance(step, Mapping) or not isinstance(step.get("id"), str):
            continue
        schema = step.get("schema")
        plan = schema_plan(schema) if isinstance(schema, Mapping) else NOTHING
        if not plan.empty:
            plans[step["id"]] = plan
    return plans


@dataclass(frozen=True)
class PersonalValue:
    """One personal value at `path` in the data, and the e-mail address of the object that
    holds it (None: it names none)."""

    path: tuple[str | int, ...]
    value: Any
    email: str | None

    def subject_id(self, tenant_id: uuid.UUID | str, instance_id: str) -> uuid.UUID:
        """Its data subject: the person of the e-mail address, else the workflow's own."""
        if self.email is None:
            return workflow_subject_id(tenant_id, instance_id)
        return subject_id_for(tenant_id, self.email)


def holder_email(value: Mapping[str, Any]) -> str | None:
    """The e-mail address an object names, if it holds one in plaintext."""
    email = value.get(EMAIL)
    if not isinstance(email, str) or not email.strip() or email == ERASED or is_token(email):
        return None
    return email


def replace_personal(
    data: Any, plan: FieldPlan, replacement: Callable[[PersonalValue], Any]
) -> Any:
    """`data` with every personal value (not null) replaced by `replacement(value)`; the rest
    as it is (copied: `data` is not changed)."""
    return _walk(data, plan, (), None, replacement)


def personal_values(data: Any, plan: FieldPlan) -> list[PersonalValue]:
    """Every personal value (not null) of `data`, in the order of the data."""
    found: list[PersonalValue] = []

    def keep(value: PersonalValue) -> Any:
        found.append(value)
        return value.value

    _walk(data, plan, (), None, keep)
    return found


def _walk(
    value: Any,
    plan: FieldPlan,
    path: tuple[str | int, ...],
    email: str | None,
    replacement: Callable[[PersonalValue], Any],
) -> Any:
    if plan.personal:
        return value if value is None else replacement(PersonalValue(path, value, email))
    if isinstance(value, Mapping):
        holder = holder_email(value)
        copied: dict[str, Any] = {}
        for name, item in value.items():
            child = plan.properties.get(name, NOTHING)
            if name == CONTACTS:
                child = child.merged(CONTACTS_PLAN)
            copied[name] = _walk(item, child, (*path, name), holder, replacement)
        return copied
    if isinstance(value, list):
        child = plan.items or NOTHING
        return [
            _walk(item, child, (*path, index), email, replacement)
            for index, item in enumerate(value)
        ]
    return value


def tokens_in(value: Any) -> Iterable[str]:
    """Every token anywhere in a JSON value."""
    if isinstance(value, str):
        if is_token(value):
            yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from tokens_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from tokens_in(item)


def replace_tokens(value: Any, replacement: Callable[[str], Any]) -> Any:
    """`value` with every token replaced by `replacement(token)` (copied where one is)."""
    if isinstance(value, str):
        return replacement(value) if is_token(value) else value
    if isinstance(value, Mapping):
        return {name: replace_tokens(item, replacement) for name, item in value.items()}
    if isinstance(value, list | tuple):
        return [replace_tokens(item, replacement) for item in value]
    return value


# -- where step data is: events and instance states ------------------------------------------

# (step id, that step's data) -> the data to keep in its place
StepDataChange = Callable[[str, Mapping[str, Any]], Mapping[str, Any]]


def carries_step_data(event: Event) -> bool:
    """Whether an event holds the data of steps: a step's completion, a rollback's snapshot."""
    return isinstance(event.payload, StepCompletedData | WorkflowRolledBackData)


def with_event_step_data(event: Event, change: StepDataChange) -> Event:
    """`event` with the data of every step it holds changed (the same event when none is)."""
    payload = event.payload
    if isinstance(payload, StepCompletedData) and event.step_id:
        data = change(event.step_id, payload.data)
        if data is payload.data:
            return event
        return replace(event, payload=replace(payload, data=data))
    if isinstance(payload, WorkflowRolledBackData):
        snapshot = payload.snapshot
        steps = _with_steps_data(snapshot.step_states, change)
        if steps is snapshot.step_states:
            return event
        return replace(
            event, payload=replace(payload, snapshot=replace(snapshot, step_states=steps))
        )
    return event


def with_state_step_data(state: InstanceState, change: StepDataChange) -> InstanceState:
    """`state` with the data of its steps (and of the steps its latest events hold)
    changed (the same state when none is)."""
    steps = _with_steps_data(state.step_states, change)
    recent = tuple(with_event_step_data(e, change) for e in state.recent_events)
    if steps is state.step_states and all(
        a is b for a, b in zip(recent, state.recent_events, strict=True)
    ):
        return state
    return replace(state, step_states=steps, recent_events=recent)


def _with_steps_data(
    steps: Mapping[str, StepState], change: StepDataChange
) -> Mapping[str, StepState]:
    changed = {step_id: change(step_id, step.data) for step_id, step in steps.items()}
    if all(changed[step_id] is step.data for step_id, step in steps.items()):
        return steps
    return {
        step_id: step if changed[step_id] is step.data else replace(step, data=changed[step_id])
        for step_id, step in steps.items()
    }
