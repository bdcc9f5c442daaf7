"""The state of one step of an instance (a leaf: events and the instance state use it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from wfm_engine.status import StepStatus


@dataclass(frozen=True)
class StepState:
    status: StepStatus
    data: Mapping[str, Any] = field(default_factory=dict)
    completed_at: datetime | None = None
    completed_by: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "data": dict(self.data),
            "completedAt": self.completed_at.isoformat() if self.completed_at else None,
            "completedBy": self.completed_by,
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> StepState:
        completed = value.get("completedAt")
        return cls(
            status=StepStatus(value["status"]),
            data=dict(value.get("data") or {}),
            completed_at=datetime.fromisoformat(completed) if completed else None,
            completed_by=value.get("completedBy"),
        )
