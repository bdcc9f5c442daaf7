"""Extensions: plug-ins found through the entry-point group `wfm.extensions`.

An extension is a callable `register(context: ExtensionContext) -> None` that adds step
handlers, system-step runners, validators, gates, templates and overlays. The market roles
are one (built in), the example in `extensions/` another. `load_catalog()` runs every
extension once per process, each adding to the same fresh `Registries` (the engine's
built-ins first), and returns the catalog: those registries and the templates the
extensions provide, with this module's base templates first. Nothing here changes a
module-level registry: the registries are a value the composition root passes on."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import metadata, resources
from typing import Any

import yaml

from wfm_engine import (
    GateRegistry,
    Registries,
    StepHandlerRegistry,
    SystemStepRunnerRegistry,
    TemplateInvalid,
    WorkflowTemplate,
)
from wfm_engine.validators import ValidatorRegistry
from wfm_shared.errors import FieldError

ENTRY_POINT_GROUP = "wfm.extensions"


class ExtensionError(RuntimeError):
    """An extension could not be loaded, or what it provides is invalid."""


@dataclass
class TemplateSource:
    origin: str  # "wfm_workflows:templates/contract-onboarding.yaml", "extension vendor-onboarding"
    definition: dict[str, Any]

    @property
    def is_overlay(self) -> bool:
        return "overlay" in self.definition


@dataclass
class ExtensionContext:
    """What `register` receives."""

    name: str
    validators: ValidatorRegistry = field(default_factory=ValidatorRegistry)
    gates: GateRegistry = field(default_factory=GateRegistry)
    step_handlers: StepHandlerRegistry = field(default_factory=StepHandlerRegistry)
    # a system step type needs a handler (system = True) and a runner of the same type
    step_runners: SystemStepRunnerRegistry = field(default_factory=SystemStepRunnerRegistry)
    sources: list[TemplateSource] = field(default_factory=list)

    @classmethod
    def adding_to(cls, name: str, registries: Registries) -> ExtensionContext:
        return cls(
            name, registries.validators, registries.gates, registries.handlers, registries.runners
        )

    def add_template(self, definition: Mapping[str, Any], origin: str | None = None) -> None:
        """A template, or an overlay (a definition with an `overlay` section)."""
        self.sources.append(TemplateSource(origin or f"extension {self.name}", dict(definition)))

    def add_templates_from(self, package: str, folder: str = "templates") -> None:
        """Every .yaml / .yml / .json file of a folder inside `package`."""
        root = resources.files(package) / folder
        for entry in sorted(root.iterdir(), key=lambda e: e.name):
            if entry.name.endswith((".yaml", ".yml", ".json")):
                loaded = yaml.safe_load(entry.read_text(encoding="utf-8"))
                if not isinstance(loaded, Mapping):
                    raise ExtensionError(
                        f"{package}:{folder}/{entry.name} is not a template document"
                    )
                self.add_template(loaded, f"{package}:{folder}/{entry.name}")


@dataclass
class Catalog:
    extensions: list[str]
    sources: list[TemplateSource]
    registries: Registries

    def templates(self) -> list[WorkflowTemplate]:
        """Every template, overlays resolved against the base they extend; all problems of
        all sources are reported together."""
        problems: list[FieldError] = []
        bases: dict[str, WorkflowTemplate] = {}
        result: list[WorkflowTemplate] = []
        for source in (s for s in self.sources if not s.is_overlay):
            try:
                template = self.registries.parse_template(source.definition)
            except TemplateInvalid as invalid:
                problems += [
                    FieldError((source.origin, *e.path), e.message) for e in invalid.errors
                ]
                continue
            result.append(template)
            if template.market_role is None and (
                template.key not in bases or bases[template.key].version < template.version
            ):
                bases[template.key] = template
        for source in (s for s in self.sources if s.is_overlay):
            base = bases.get(str(source.definition.get("extends")))
            if base is None:
                problems.append(
                    FieldError(
                        (source.origin, "extends"),
                        f"no base template {source.definition.get('extends')!r}",
                    )
                )
                continue
            try:
                result.append(self.registries.apply_overlay(base, source.definition))
            except TemplateInvalid as invalid:
                problems += [
                    FieldError((source.origin, *e.path), e.message) for e in invalid.errors
                ]
        if problems:
            raise TemplateInvalid("the template catalog is invalid", problems)
        return result


def _base_sources() -> list[TemplateSource]:
    context = ExtensionContext("wfm_workflows")
    context.add_templates_from("wfm_workflows", "templates")
    return context.sources


@functools.cache
def load_catalog() -> Catalog:
    """Run every installed extension (once per process) and collect what they provide."""
    sources = _base_sources()
    registries = Registries.builtin()
    names: list[str] = []
    for entry_point in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        context = ExtensionContext.adding_to(entry_point.name, registries)
        try:
            register: Callable[[ExtensionContext], None] = entry_point.load()
            register(context)
        except Exception as error:
            raise ExtensionError(
                f"extension {entry_point.name!r} failed to load: {error}"
            ) from error
        names.append(entry_point.name)
        sources += context.sources
    problems = registries.problems()
    if problems:
        raise ExtensionError("; ".join(problems))
    return Catalog(names, sources, registries)
