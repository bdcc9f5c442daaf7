"""The registries a running installation consults: named validators, quality gates, step
handlers and system-step runners. One value, built once (the built-ins, then what each
extension registers; see `wfm_workflows.extensions.load_catalog`) and passed to whatever
parses templates, decides, evaluates gates or runs system steps.

`BUILTIN_REGISTRIES` holds only the engine's own entries: the default of the pure functions
(`parse_template`, `decide`...), for unit tests that need no extension. Nothing adds to it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from wfm_engine.decide import Engine
from wfm_engine.gates import GATES, GateRegistry
from wfm_engine.overlay import apply_overlay
from wfm_engine.runners import SystemStepRunner, SystemStepRunnerRegistry
from wfm_engine.steps import STEP_HANDLERS, StepHandlerRegistry
from wfm_engine.template import CompileWatch, WorkflowTemplate, parse_template
from wfm_engine.validators import VALIDATORS, ValidatorRegistry


@dataclass(frozen=True)
class Registries:
    validators: ValidatorRegistry
    gates: GateRegistry
    handlers: StepHandlerRegistry
    runners: SystemStepRunnerRegistry

    @classmethod
    def builtin(cls) -> Registries:
        """Registries of their own holding the engine's built-ins, for extensions to add to."""
        return cls(
            VALIDATORS.copy(), GATES.copy(), STEP_HANDLERS.copy(), SystemStepRunnerRegistry()
        )

    @property
    def engine(self) -> Engine:
        """What `decide` consults."""
        return Engine(self.validators, self.handlers, frozenset(self.runners.types()))

    def with_runners(self, runners: Iterable[SystemStepRunner]) -> Registries:
        """The same registries, with `runners` added to a copy of the runner registry."""
        added = self.runners.copy()
        for runner in runners:
            added.register(runner)
        return Registries(self.validators, self.gates, self.handlers, added)

    def problems(self) -> list[str]:
        """What does not fit together: a runner needs a system step handler of its type."""
        return [
            f"the runner of step type {name!r} has no system step handler"
            for name in self.runners.types()
            if name not in self.handlers or not self.handlers.get(name).system
        ]

    def parse_template(
        self,
        definition: Mapping[str, Any],
        *,
        watch: CompileWatch | None = None,
        stored: bool = False,
    ) -> WorkflowTemplate:
        return parse_template(
            definition, self.validators, self.handlers, self.gates, watch=watch, stored=stored
        )

    def apply_overlay(
        self,
        base: WorkflowTemplate,
        overlay: Mapping[str, Any],
        *,
        watch: CompileWatch | None = None,
    ) -> WorkflowTemplate:
        return apply_overlay(
            base,
            overlay,
            watch=watch,
            validators=self.validators,
            handlers=self.handlers,
            gates=self.gates,
        )


BUILTIN_REGISTRIES = Registries(VALIDATORS, GATES, STEP_HANDLERS, SystemStepRunnerRegistry())
