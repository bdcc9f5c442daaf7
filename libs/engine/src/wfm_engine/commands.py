"""Commands: what a user (or the system) asks of a workflow instance."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from wfm_shared.principal import Principal


class WorkflowAction(StrEnum):
    START = "START"
    EXECUTE_STEP = "EXECUTE_STEP"
    SUBMIT = "SUBMIT"
    APPROVE = "APPROVE"
    REJECT = "REJECT"


@dataclass(frozen=True)
class CreateWorkflow:
    instance_id: str
    tenant_id: str
    market_role: str
    template_id: str


@dataclass(frozen=True)
class StartWorkflow:
    expected_version: int | None = None


@dataclass(frozen=True)
class ExecuteStep:
    step_id: str
    data: Mapping[str, Any]
    expected_version: int | None = None


@dataclass(frozen=True)
class SubmitWorkflow:
    expected_version: int | None = None


@dataclass(frozen=True)
class ApproveWorkflow:
    comment: str | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class RejectWorkflow:
    reason: str
    to_step_id: str | None = None
    expected_version: int | None = None


InstanceCommand = StartWorkflow | ExecuteStep | SubmitWorkflow | ApproveWorkflow | RejectWorkflow
Command = CreateWorkflow | InstanceCommand


@dataclass(frozen=True)
class DecisionContext:
    """Everything a decision may depend on besides the state, passed in so `decide` stays pure."""

    principal: Principal
    now: datetime
    tenant: Mapping[str, Any] = field(default_factory=dict)
    correlation_id: str | None = None
    idempotency_key: str | None = None
