"""Quality gates: checks a transition must pass, evaluated by the service (they may be
asynchronous) on what `decide` says the command would do. Extensions register more."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from wfm_engine.state import InstanceState
from wfm_shared.principal import Principal


@dataclass(frozen=True)
class GateCheck:
    """A gate to pass before the decided events may be appended."""

    gate: str
    action: str
    step_id: str | None = None  # the step being left (transition gates)
    target: str | None = None  # the step or status the workflow moves to


@dataclass(frozen=True)
class GateContext:
    check: GateCheck
    state: InstanceState
    principal: Principal
    # every completed step's data, with the data of the step being completed now
    steps: Mapping[str, Mapping[str, Any]]
    step_configs: Mapping[str, Mapping[str, Any]]
    tenant: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GateResult:
    gate: str
    passed: bool
    reason: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"gate": self.gate, "passed": self.passed, "reason": self.reason}


Gate = Callable[[GateContext], Awaitable[GateResult]]


class GateRegistry:
    def __init__(self) -> None:
        self._gates: dict[str, Gate] = {}

    def copy(self) -> GateRegistry:
        """A registry of its own with the same entries (extensions add to the copy)."""
        copied = GateRegistry()
        copied._gates = dict(self._gates)
        return copied

    def register(self, name: str) -> Callable[[Gate], Gate]:
        def add(gate: Gate) -> Gate:
            if name in self._gates:
                raise ValueError(f"gate {name!r} is already registered")
            self._gates[name] = gate
            return gate

        return add

    def unregister(self, name: str) -> None:
        self._gates.pop(name, None)

    def __contains__(self, name: object) -> bool:
        return name in self._gates

    def names(self) -> list[str]:
        return sorted(self._gates)

    async def evaluate(self, context: GateContext) -> GateResult:
        result = await self._gates[context.check.gate](context)
        return result


GATES = GateRegistry()


@GATES.register("fourEyes")
async def four_eyes(ctx: GateContext) -> GateResult:
    """The person deciding is neither the one who submitted the workflow nor the one who
    completed the step being decided on."""
    actor = str(ctx.principal.user_id)
    submission = ctx.state.submission
    others = {submission.by if submission else None}
    path = ctx.state.path
    index = ctx.state.last_index(ctx.check.step_id) if ctx.check.step_id else None
    if ctx.check.step_id is not None and ctx.check.step_id not in path:
        # the step being decided now: the one before it in the path prepared it
        if path:
            others.add(ctx.state.step(path[-1]).completed_by)
    elif index is not None and index > 0:
        others.add(ctx.state.step(path[index - 1]).completed_by)
    elif path:
        others.add(ctx.state.step(path[-1]).completed_by)
    if actor in others:
        return GateResult("fourEyes", False, "the same person cannot both prepare and approve")
    return GateResult("fourEyes", True)


@GATES.register("allRequiredDocumentsPresent")
async def all_required_documents_present(ctx: GateContext) -> GateResult:
    """Every document type a completed step requires (`config.requiredDocuments`) is among
    the `documents` ([{type, name, ...}]) of that step's data."""
    missing: list[str] = []
    for step_id, data in ctx.steps.items():
        required = ctx.step_configs.get(step_id, {}).get("requiredDocuments", [])
        present = {
            str(doc.get("type")) for doc in data.get("documents") or [] if isinstance(doc, Mapping)
        }
        missing += [f"{step_id}:{kind}" for kind in required if kind not in present]
    if missing:
        return GateResult(
            "allRequiredDocumentsPresent", False, f"missing documents: {', '.join(sorted(missing))}"
        )
    return GateResult("allRequiredDocumentsPresent", True)
