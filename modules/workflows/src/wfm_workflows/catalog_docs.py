"""The README's table of each market role's onboarding steps, generated from the installed
catalog so that it cannot drift from the templates (a test compares the two)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from wfm_engine import WorkflowTemplate
from wfm_engine.template import StepDefinition

ONBOARDING_KEY = "contract-onboarding"
BEGIN = "<!-- role-steps:begin (generated: uv run wfm templates doc --readme README.md) -->"
END = "<!-- role-steps:end -->"


def _fields(step: StepDefinition) -> str:
    required = step.data_schema.get("required") or []
    return ", ".join(f"`{name}`" for name in required)


def _own(step: StepDefinition, base: WorkflowTemplate | None) -> bool:
    """Added or replaced by the role's overlay."""
    base_step = next((s for s in base.steps if s.id == step.id), None) if base else None
    return base_step is None or base_step.data_schema != step.data_schema


def _step(step: StepDefinition, template: WorkflowTemplate, base: WorkflowTemplate | None) -> str:
    name = f"**{step.id}**" if _own(step, base) else step.id
    notes = [] if step.type == "form" else [step.type]
    if step.roles:
        notes.append(" or ".join(step.roles))
    order = {s.id: i for i, s in enumerate(template.steps)}
    # a forward transition with a condition (a transition back is a correction loop)
    conditional = any(
        t.to == step.id and t.when and order[s.id] < order[step.id]
        for s in template.steps
        for t in (s.next or [])
    )
    if conditional or step.enabled_by or step.skipped_by:
        notes.append("on a condition")
    return name + (f" ({', '.join(notes)})" if notes else "")


def role_steps_markdown(templates: Sequence[WorkflowTemplate]) -> str:
    """One row per market role: its onboarding's steps in order (its own in bold, with the
    fields they require), what the submission checks, and who approves."""
    base = next((t for t in templates if t.key == ONBOARDING_KEY and t.market_role is None), None)
    roles = sorted(
        (t for t in templates if t.key == ONBOARDING_KEY and t.market_role is not None),
        key=lambda t: t.market_role or "",
    )
    lines = [
        BEGIN,
        "| role | steps, in order (the role's own in bold) | fields its own steps require | "
        "submission checks | approved by |",
        "|---|---|---|---|---|",
    ]
    for template in roles:
        steps = " → ".join(_step(s, template, base) for s in template.steps)
        own = [s for s in template.steps if _own(s, base)]
        fields = "; ".join(f"{s.id}: {_fields(s)}" for s in own if _fields(s)) or "—"
        checks = ", ".join(
            f"`{name}`" for name in [*template.submission.validators, *template.submission.gates]
        )
        approvers = ", ".join(template.submission.approval.roles)
        gates = template.submission.approval.gates
        if gates:
            approvers += " (" + ", ".join(f"`{g}`" for g in gates) + ")"
        lines.append(
            f"| {template.market_role} | {steps} | {fields} | {checks or '—'} | {approvers} |"
        )
    lines.append(END)
    return "\n".join(lines)


def replace_section(text: str, section: str) -> str:
    """`text` with its generated section replaced by `section`; ValueError without markers."""
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(text):
        raise ValueError("the file has no generated role-steps section")
    return pattern.sub(lambda _: section, text, count=1)
