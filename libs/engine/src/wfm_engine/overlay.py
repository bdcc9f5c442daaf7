"""Overlays: a template derived from another by adding, replacing, removing and updating
steps, validators, gates and options. The result is an ordinary template, validated like
any other; market roles, tenants and extensions all use the same mechanism.

    key: contract-onboarding         # key of the result (a market role's variant keeps it)
    version: 1
    marketRole: BRP
    extends: contract-onboarding     # the base template's key
    name: {en, fr, nl}               # optional, else the base's
    overlay:
      steps:
        - add: {id: financial-guarantee, type: form, ...}
          after: contacts            # or before: <id>; neither: at the end
        - replace: {id: portfolio, ...}
        - remove: technical-review
        - update: {id: contacts, validators: {add: [eicCodeValid]}, config: {...}, roles: [...], next: [...]}
      submission: {validators: {add: [...], remove: [...]}, gates: {add: [...]}, approval: {roles: [...], gates: {add: [...]}}}
      options: {flags: {...}, settings: {...}}
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from wfm_engine.gates import GATES, GateRegistry
from wfm_engine.steps import STEP_HANDLERS, StepHandlerRegistry
from wfm_engine.template import CompileWatch, TemplateInvalid, WorkflowTemplate, parse_template
from wfm_engine.validators import VALIDATORS, ValidatorRegistry
from wfm_shared.authorization import Permission, roles_with
from wfm_shared.documents import template_shape_problems
from wfm_shared.errors import FieldError

OVERLAY_KEYS = {
    "key",
    "version",
    "marketRole",
    "extends",
    "name",
    "description",
    "grantsMarketRole",
    "retention",
    "overlay",
}
UPDATABLE = {
    "title",
    "description",
    "config",
    "schema",
    "validators",
    "roles",
    "next",
    "sla",
    "retry",
    "compensation",
    "enabledBy",
    "skippedBy",
}


def _edit_list(
    current: list[str], change: Any, at: tuple[str | int, ...], problems: list[FieldError]
) -> list[str]:
    """`{add: [...], remove: [...]}` on a list of names; a plain list replaces it."""
    if isinstance(change, list):
        return [str(v) for v in change]
    if not isinstance(change, Mapping) or set(change) - {"add", "remove"}:
        problems.append(FieldError(at, "must be a list, or {add: [...], remove: [...]}"))
        return current
    result = [v for v in current if v not in set(change.get("remove") or [])]
    for name in change.get("remove") or []:
        if name not in current:
            problems.append(FieldError((*at, "remove"), f"{name!r} is not there to remove"))
    return result + [v for v in change.get("add") or [] if v not in result]


def _index(steps: list[dict[str, Any]], step_id: Any) -> int | None:
    return next((i for i, s in enumerate(steps) if s.get("id") == step_id), None)


def _apply_steps(steps: list[dict[str, Any]], operations: Any, problems: list[FieldError]) -> None:
    if not isinstance(operations, list):
        problems.append(FieldError(("overlay", "steps"), "must be a list of operations"))
        return
    for n, operation in enumerate(operations):
        at: tuple[str | int, ...] = ("overlay", "steps", n)
        kinds = [
            k
            for k in ("add", "replace", "remove", "update")
            if isinstance(operation, Mapping) and k in operation
        ]
        if len(kinds) != 1:
            problems.append(FieldError(at, "must be exactly one of add, replace, remove, update"))
            continue
        kind = kinds[0]
        body = operation[kind]
        if kind == "remove":
            index = _index(steps, body)
            if index is None:
                problems.append(FieldError((*at, "remove"), f"no step {body!r} to remove"))
            else:
                del steps[index]
            continue
        if not isinstance(body, Mapping) or "id" not in body:
            problems.append(FieldError((*at, kind), "must be a step with an id"))
            continue
        index = _index(steps, body["id"])
        if kind == "add":
            if index is not None:
                problems.append(
                    FieldError(
                        (*at, "add", "id"),
                        f"step {body['id']!r} exists already; replace or update it",
                    )
                )
                continue
            position = len(steps)
            for anchor, offset in (("after", 1), ("before", 0)):
                if anchor in operation:
                    found = _index(steps, operation[anchor])
                    if found is None:
                        problems.append(FieldError((*at, anchor), f"no step {operation[anchor]!r}"))
                    else:
                        position = found + offset
            steps.insert(position, copy.deepcopy(dict(body)))
        elif index is None:
            problems.append(FieldError((*at, kind, "id"), f"no step {body['id']!r} to {kind}"))
        elif kind == "replace":
            steps[index] = copy.deepcopy(dict(body))
        else:
            step = steps[index]
            for field, value in body.items():
                if field == "id":
                    continue
                if field not in UPDATABLE:
                    problems.append(FieldError((*at, "update", field), f"cannot update {field!r}"))
                elif field in ("validators", "roles"):
                    step[field] = _edit_list(
                        list(step.get(field) or []), value, (*at, "update", field), problems
                    )
                elif field == "config" and isinstance(value, Mapping):
                    step["config"] = {**(step.get("config") or {}), **value}
                else:
                    step[field] = copy.deepcopy(value)


def _apply_submission(submission: dict[str, Any], change: Any, problems: list[FieldError]) -> None:
    at: tuple[str | int, ...] = ("overlay", "submission")
    if not isinstance(change, Mapping):
        problems.append(FieldError(at, "must be an object"))
        return
    for name in ("validators", "gates"):
        if name in change:
            submission[name] = _edit_list(
                list(submission.get(name) or []), change[name], (*at, name), problems
            )
    approval = change.get("approval")
    if approval is not None:
        target = submission.setdefault("approval", {})
        if "roles" in approval:
            target["roles"] = _edit_list(
                list(target.get("roles") or roles_with(Permission.WORKFLOWS_APPROVE)),
                approval["roles"],
                (*at, "approval", "roles"),
                problems,
            )
        if "gates" in approval:
            target["gates"] = _edit_list(
                list(target.get("gates") or []),
                approval["gates"],
                (*at, "approval", "gates"),
                problems,
            )


def apply_overlay(
    base: WorkflowTemplate,
    overlay: Mapping[str, Any],
    *,
    watch: CompileWatch | None = None,
    validators: ValidatorRegistry = VALIDATORS,
    handlers: StepHandlerRegistry = STEP_HANDLERS,
    gates: GateRegistry = GATES,
) -> WorkflowTemplate:
    """The template `overlay` makes of `base`; every problem of either kind at once."""
    shape = template_shape_problems(overlay)
    if shape:
        raise TemplateInvalid("the overlay is too large or too deeply nested", shape)
    problems = [
        FieldError((key,), "is not an overlay field") for key in sorted(set(overlay) - OVERLAY_KEYS)
    ]
    if overlay.get("extends") != base.key:
        problems.append(FieldError(("extends",), f"must name the base template {base.key!r}"))
    definition = base.definition()
    definition["key"] = overlay.get("key", base.key)
    definition["version"] = overlay.get("version", 1)
    definition["extends"] = f"{base.key}@{base.version}"
    for field in ("name", "description", "marketRole", "grantsMarketRole", "retention"):
        if field in overlay:
            definition[field] = copy.deepcopy(overlay[field])
    changes = overlay.get("overlay") or {}
    if not isinstance(changes, Mapping):
        problems.append(FieldError(("overlay",), "must be an object"))
        changes = {}
    for key in sorted(set(changes) - {"steps", "submission", "options"}):
        problems.append(FieldError(("overlay", key), "is not steps, submission or options"))
    if "steps" in changes:
        _apply_steps(definition["steps"], changes["steps"], problems)
    if "submission" in changes:
        _apply_submission(definition.setdefault("submission", {}), changes["submission"], problems)
    if "options" in changes:
        options = definition.setdefault("options", {})
        for kind in ("flags", "settings"):
            options[kind] = {**(options.get(kind) or {}), **(changes["options"].get(kind) or {})}
    try:
        result = parse_template(definition, validators, handlers, gates, watch=watch)
    except TemplateInvalid as invalid:
        problems += [FieldError(("result", *e.path), e.message) for e in invalid.errors]
        result = None
    if problems or result is None:
        raise TemplateInvalid(
            f"overlay {definition['key']} ({overlay.get('marketRole', 'no role')}) is invalid",
            problems,
        )
    return result
