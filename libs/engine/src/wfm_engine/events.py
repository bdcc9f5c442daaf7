"""Events: small immutable records of what happened to a workflow instance."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class EventType(StrEnum):
    WORKFLOW_CREATED = "WORKFLOW_CREATED"
    WORKFLOW_STARTED = "WORKFLOW_STARTED"
    STEP_COMPLETED = "STEP_COMPLETED"
    WORKFLOW_PAUSED = "WORKFLOW_PAUSED"
    WORKFLOW_RESUMED = "WORKFLOW_RESUMED"
    WORKFLOW_SUBMITTED = "WORKFLOW_SUBMITTED"
    WORKFLOW_APPROVED = "WORKFLOW_APPROVED"
    WORKFLOW_REJECTED = "WORKFLOW_REJECTED"
    STEP_COMPENSATED = "STEP_COMPENSATED"
    WORKFLOW_ROLLED_BACK = "WORKFLOW_ROLLED_BACK"
    WORKFLOW_FAILED = "WORKFLOW_FAILED"
    WORKFLOW_CANCELLED = "WORKFLOW_CANCELLED"
    GATE_FAILED = "GATE_FAILED"
    STEP_SLA_BREACHED = "STEP_SLA_BREACHED"


@dataclass(frozen=True)
class Event:
    """One entry of an instance's append-only log; `seq` counts from 1 without gaps."""

    instance_id: str
    tenant_id: str
    seq: int
    type: EventType
    performed_by: str
    occurred_at: datetime
    step_id: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    correlation_id: str | None = None
    idempotency_key: str | None = None


TENANT_CREATED = "tenant.created"


def public_event_name(event_type: EventType) -> str:
    """The name subscribers and triggers use: WORKFLOW_APPROVED -> workflow.approved,
    STEP_COMPLETED -> workflow.step_completed."""
    return "workflow." + event_type.value.removeprefix("WORKFLOW_").lower()


# Every event the platform itself publishes (webhook steps of templates may send others).
PUBLIC_EVENT_NAMES: tuple[str, ...] = (*(public_event_name(t) for t in EventType), TENANT_CREATED)
