"""Per-tenant configuration of a template: feature flags that switch optional steps on or
off, and settings (SLAs, retries, step configuration) overridable within the bounds the
template declares. Resolution: tenant -> market role -> the template's defaults."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from wfm_engine.definitions import StepDefinition
from wfm_engine.durations import parse_duration
from wfm_shared.documents import text_problem
from wfm_shared.errors import FieldError

NAME_PATTERN = r"^[a-z][a-zA-Z0-9_]{0,62}$"
SETTING_TARGETS = ("sla.duration", "retry.max", "retry.backoff")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class FlagOption(_Model):
    default: bool = False
    description: dict[str, str] | None = None


class SettingOption(_Model):
    # steps.<step id>.sla.duration | steps.<id>.retry.max | steps.<id>.retry.backoff
    # | steps.<id>.config.<key>
    target: str
    type: Literal["duration", "integer", "number", "string"]
    default: Any
    min: Any = None
    max: Any = None
    choices: list[str] | None = None
    description: dict[str, str] | None = None


class TemplateOptions(_Model):
    flags: dict[str, FlagOption] = Field(default_factory=dict)
    settings: dict[str, SettingOption] = Field(default_factory=dict)


class Configurable(Protocol):
    """What has options: a template (checked against its steps in `template_problems`)."""

    @property
    def options(self) -> TemplateOptions: ...


def value_problem(option: SettingOption, value: Any) -> str | None:
    """Why `value` is not acceptable for `option`, or None."""
    if option.type == "duration":
        if not isinstance(value, str):
            return "must be an ISO 8601 duration such as PT4H"
        try:
            given = parse_duration(value)
        except ValueError as error:
            return str(error)
        if option.min is not None and given < parse_duration(option.min):
            return f"must be at least {option.min}"
        if option.max is not None and given > parse_duration(option.max):
            return f"must be at most {option.max}"
        return None
    if option.type in ("integer", "number"):
        wanted = (int,) if option.type == "integer" else (int, float)
        if isinstance(value, bool) or not isinstance(value, wanted):
            return f"must be {'an integer' if option.type == 'integer' else 'a number'}"
        if option.min is not None and value < option.min:
            return f"must be at least {option.min}"
        if option.max is not None and value > option.max:
            return f"must be at most {option.max}"
        return None
    if not isinstance(value, str):
        return "must be a string"
    unstorable = text_problem(value)
    if unstorable:
        return unstorable
    if option.choices is not None and value not in option.choices:
        return f"must be one of {', '.join(option.choices)}"
    return None


@dataclass(frozen=True)
class WorkflowConfig:
    """The flags and settings an instance runs with (pinned when it is created)."""

    flags: Mapping[str, bool] = field(default_factory=dict)
    settings: Mapping[str, Any] = field(default_factory=dict)
    # where each value came from: default, marketRole or tenant
    sources: Mapping[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"flags": dict(self.flags), "settings": dict(self.settings)}

    @classmethod
    def from_json(cls, value: Mapping[str, Any] | None) -> WorkflowConfig:
        value = value or {}
        return cls(flags=dict(value.get("flags") or {}), settings=dict(value.get("settings") or {}))


def layer_problems(template: Configurable, layer: Mapping[str, Any]) -> list[FieldError]:
    """Why a configuration layer ({flags, settings}) does not fit the template's options."""
    problems: list[FieldError] = []
    unknown = set(layer) - {"flags", "settings"}
    problems += [FieldError((key,), "is not flags or settings") for key in sorted(unknown)]
    flags = layer.get("flags") or {}
    settings = layer.get("settings") or {}
    if not isinstance(flags, Mapping) or not isinstance(settings, Mapping):
        return [*problems, FieldError((), "flags and settings must be objects")]
    for name, value in flags.items():
        if name not in template.options.flags:
            problems.append(FieldError(("flags", name), f"the template has no flag {name!r}"))
        elif not isinstance(value, bool):
            problems.append(FieldError(("flags", name), "must be true or false"))
    for name, value in settings.items():
        option = template.options.settings.get(name)
        if option is None:
            problems.append(FieldError(("settings", name), f"the template has no setting {name!r}"))
            continue
        problem = value_problem(option, value)
        if problem:
            problems.append(FieldError(("settings", name), problem))
    return problems


def resolve_config(
    template: Configurable, layers: Sequence[tuple[str, Mapping[str, Any]]]
) -> WorkflowConfig:
    """Defaults, then each (source, layer) in order; a value the template no longer accepts
    (a newer version changed its options) is ignored."""
    flags = {name: option.default for name, option in template.options.flags.items()}
    settings = {name: option.default for name, option in template.options.settings.items()}
    sources = {f"flags.{n}": "default" for n in flags} | {
        f"settings.{n}": "default" for n in settings
    }
    for source, layer in layers:
        for name, value in (layer.get("flags") or {}).items():
            if name in flags and isinstance(value, bool):
                flags[name] = value
                sources[f"flags.{name}"] = source
        for name, value in (layer.get("settings") or {}).items():
            option = template.options.settings.get(name)
            if option is not None and value_problem(option, value) is None:
                settings[name] = value
                sources[f"settings.{name}"] = source
    return WorkflowConfig(flags, settings, sources)


def step_enabled(step: StepDefinition, flags: Mapping[str, bool]) -> bool:
    if step.enabled_by is not None and not flags.get(step.enabled_by, False):
        return False
    return not (step.skipped_by is not None and flags.get(step.skipped_by, False))
