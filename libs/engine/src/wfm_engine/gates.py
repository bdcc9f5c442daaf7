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
class FileFacts:
    """What the gates know of an uploaded file (the service reads them for the gates: the
    engine does no I/O). `status`: pending, clean, infected or unscanned."""

    id: str
    tenant_id: str
    workflow_id: str
    step_id: str
    name: str
    content_type: str
    status: str
    deleted: bool = False


# A file whose bytes may stand as a document: scanned and found clean, or taken without a
# scanner (none configured).
ACCEPTABLE_FILE_STATUSES = frozenset({"clean", "unscanned"})


@dataclass(frozen=True)
class GateContext:
    check: GateCheck
    state: InstanceState
    principal: Principal
    # every completed step's data, with the data of the step being completed now
    steps: Mapping[str, Mapping[str, Any]]
    step_configs: Mapping[str, Mapping[str, Any]]
    tenant: Mapping[str, Any] = field(default_factory=dict)
    # the files the steps' data names (by id) that the principal may see
    files: Mapping[str, FileFacts] = field(default_factory=dict)


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
    the `documents` ([{type, ...}]) of that step's data. On a step that takes attachments
    (`config.attachments`), every document names an uploaded file (`fileId`) that must be
    one of this workflow's, not deleted, scanned clean (or taken unscanned), of a type the
    step allows."""
    missing: list[str] = []
    refused: list[str] = []
    for step_id, data in ctx.steps.items():
        config = ctx.step_configs.get(step_id, {})
        required = [str(kind) for kind in config.get("requiredDocuments", [])]
        documents = [d for d in data.get("documents") or [] if isinstance(d, Mapping)]
        named = {str(d.get("type")) for d in documents}
        missing += [f"{step_id}:{kind}" for kind in required if kind not in named]
        attachments = config.get("attachments")
        if not isinstance(attachments, Mapping):
            continue  # documents described, not uploaded: naming them is enough
        allowed = [str(t) for t in attachments.get("contentTypes", [])]
        for document in documents:
            problem = _file_refusal(ctx, str(document.get("type")), document.get("fileId"), allowed)
            if problem is not None:
                refused.append(f"{step_id}: {problem}")
    problems = ([f"missing documents: {', '.join(sorted(missing))}"] if missing else []) + refused
    if problems:
        return GateResult("allRequiredDocumentsPresent", False, "; ".join(problems))
    return GateResult("allRequiredDocumentsPresent", True)


def _file_refusal(ctx: GateContext, kind: str, file_id: object, allowed: list[str]) -> str | None:
    """Why the file a document names cannot stand as the document; None: it can."""
    facts = ctx.files.get(file_id) if isinstance(file_id, str) else None
    # another tenant's file, or another workflow's, reads exactly like one that never was
    if (
        facts is None
        or facts.deleted
        or facts.tenant_id != ctx.state.tenant_id
        or facts.workflow_id != ctx.state.id
    ):
        return f"the {kind} file was not uploaded to this workflow: upload it again"
    if facts.status == "pending":
        return f"the {kind} file is still being scanned for viruses: try again shortly"
    if facts.status not in ACCEPTABLE_FILE_STATUSES:
        return f"the {kind} file did not pass the virus scan: upload a clean copy"
    if facts.content_type not in allowed:
        return (
            f"the {kind} file is {facts.content_type}, which this step does not take "
            f"({', '.join(allowed)})"
        )
    return None
