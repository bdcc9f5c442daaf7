"""The state of one workflow instance: what folding its events produces."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from wfm_engine.status import StepStatus, WorkflowStatus


@dataclass(frozen=True)
class StepState:
    status: StepStatus
    data: Mapping[str, Any] = field(default_factory=dict)
    completed_at: datetime | None = None
    completed_by: str | None = None


@dataclass(frozen=True)
class InstanceState:
    id: str
    tenant_id: str
    template_id: str
    template_key: str
    template_version: int
    market_role: str
    status: WorkflowStatus
    current_step_id: str | None
    step_states: Mapping[str, StepState]
    variables: Mapping[str, Any]
    metadata: Mapping[str, Any]
    version: int
    created_by: str
    created_at: datetime
    updated_at: datetime

    def step(self, step_id: str) -> StepState:
        return self.step_states.get(step_id, StepState(StepStatus.PENDING))
