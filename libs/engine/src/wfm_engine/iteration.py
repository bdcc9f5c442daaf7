"""`forEach`: a system step carried out once per item of a list, each item's result kept in
the log as it is done (STEP_ITERATION_COMPLETED) and the step completed with every result in
order (`{results: [...]}`). Pure: which item comes next, and what the step completes with;
the worker runs the items, one job each (see `wfm_workflows.automation`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wfm_engine.conditions import ExpressionFailed, condition_activation
from wfm_engine.definitions import StepDefinition
from wfm_engine.state import InstanceState
from wfm_engine.steps import StepCompletion, StepHandler
from wfm_engine.template import WorkflowTemplate
from wfm_shared.errors import FieldError


@dataclass(frozen=True)
class Iteration:
    """One item of a forEach step: the run of the step for it."""

    index: int  # from 0
    item: Any
    name: str  # what the item is called in the step's expressions (`forEach.as`)
    count: int  # how many items there are

    @property
    def last(self) -> bool:
        return self.index == self.count - 1


def done_results(state: InstanceState, step_id: str) -> tuple[Mapping[str, Any], ...]:
    """The results of the items of `step_id` done so far (in this run of the step)."""
    progress = state.iteration
    return progress.results if progress is not None and progress.step_id == step_id else ()


def items_of(
    state: InstanceState,
    template: WorkflowTemplate,
    step: StepDefinition,
    tenant: Mapping[str, Any],
) -> list[Any]:
    """The items `step` runs over for this workflow, or ExpressionFailed saying why it
    cannot (the expression fails, gives no list, or more items than its `max`)."""
    for_each = step.for_each
    assert for_each is not None, f"step {step.id!r} has no forEach"
    try:
        items = template.items_expression(step.id).list_value(condition_activation(state, tenant))
    except ExpressionFailed as failed:
        raise ExpressionFailed(f"the items of forEach cannot be listed: {failed.reason}") from None
    if len(items) > for_each.max:
        raise ExpressionFailed(
            f"forEach gave {len(items)} items; the step allows at most {for_each.max}"
        )
    return items


def next_iteration(
    state: InstanceState,
    template: WorkflowTemplate,
    step: StepDefinition,
    tenant: Mapping[str, Any],
) -> Iteration | None:
    """The item of `step` to carry out now, or None when every item is done (or there are
    none): the step completes. ExpressionFailed when the items cannot be listed."""
    assert step.for_each is not None, f"step {step.id!r} has no forEach"
    items = items_of(state, template, step, tenant)
    index = len(done_results(state, step.id))
    if index >= len(items):
        return None
    return Iteration(index, items[index], step.for_each.as_, len(items))


def complete_each(
    step: StepDefinition, handler: StepHandler, data: Mapping[str, Any]
) -> tuple[StepCompletion | None, list[FieldError]]:
    """What a forEach step completes with: `{results: [...]}`, each item's result checked
    and completed by the step's handler, in order; each variable its responseMapping sets
    is the list of the items' values. Or the problems, at their paths."""
    results = data.get("results")
    if not isinstance(results, list) or not all(isinstance(r, Mapping) for r in results):
        return None, [FieldError(("results",), "must be the list of the items' results")]
    problems = [
        FieldError(("results", index, *problem.path), problem.message)
        for index, result in enumerate(results)
        for problem in handler.input_problems(step, result)
    ]
    if problems:
        return None, problems
    completions = [handler.complete(step, result) for result in results]
    names = dict.fromkeys(name for c in completions for name in c.variables)
    variables = {name: [c.variables.get(name) for c in completions] for name in names}
    return StepCompletion({"results": [dict(c.data) for c in completions]}, variables), []


def result_problems(
    step: StepDefinition, handler: StepHandler, data: Mapping[str, Any]
) -> list[FieldError]:
    """What is wrong with the data a step completes with: a forEach's `{results}` checked
    item by item, another step's by its handler."""
    if step.for_each is None:
        return handler.input_problems(step, data)
    return complete_each(step, handler, data)[1]
