"""Translation between engine records and MongoDB documents (field names as in DESIGN.md).

The one place where events and instance states are written to and read from documents:
an event's typed payload is its `eventData` (`payload.as_json`, read back by
`payload_from_json`), a state's typed fields its `state.metadata` (`metadata_json`, read
back by `with_metadata`). Documents written by every earlier version read unchanged."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wfm_engine import Event, EventType, InstanceState, StepState, StepStatus, WorkflowStatus
from wfm_engine.events import payload_from_json


def event_id(instance_id: str, seq: int) -> str:
    return f"{instance_id}:{seq:08d}"


def event_to_document(event: Event) -> dict[str, Any]:
    return {
        "_id": event_id(event.instance_id, event.seq),
        "tenantId": event.tenant_id,
        "workflowInstanceId": event.instance_id,
        "seq": event.seq,
        "eventType": event.type.value,
        "stepId": event.step_id,
        "eventData": event.payload.as_json(),
        "performedBy": event.performed_by,
        "correlationId": event.correlation_id,
        "idempotencyKey": event.idempotency_key,
        "occurredAt": event.occurred_at,
    }


def document_to_event(doc: Mapping[str, Any]) -> Event:
    return Event(
        instance_id=doc["workflowInstanceId"],
        tenant_id=doc["tenantId"],
        seq=int(doc["seq"]),
        performed_by=doc["performedBy"],
        occurred_at=doc["occurredAt"],
        payload=payload_from_json(EventType(doc["eventType"]), doc.get("eventData") or {}),
        step_id=doc.get("stepId"),
        correlation_id=doc.get("correlationId"),
        idempotency_key=doc.get("idempotencyKey"),
    )


def state_to_document(state: InstanceState) -> dict[str, Any]:
    return {
        "_id": state.id,
        "tenantId": state.tenant_id,
        "templateId": state.template_id,
        "templateKey": state.template_key,
        "templateVersion": state.template_version,
        "marketRole": state.market_role,
        "status": state.status.value,
        "currentStepId": state.current_step_id,
        "state": {
            "stepStates": {
                step_id: {
                    "status": step.status.value,
                    "data": dict(step.data),
                    "completedAt": step.completed_at,
                    "completedBy": step.completed_by,
                }
                for step_id, step in state.step_states.items()
            },
            "variables": dict(state.variables),
            "metadata": state.metadata_json(),
        },
        "version": state.version,
        "recentEvents": [event_to_document(e) for e in state.recent_events],
        "createdBy": state.created_by,
        "createdAt": state.created_at,
        "updatedAt": state.updated_at,
    }


def document_to_state(doc: Mapping[str, Any]) -> InstanceState:
    inner = doc.get("state") or {}
    return InstanceState(
        id=doc["_id"],
        tenant_id=doc["tenantId"],
        template_id=doc["templateId"],
        template_key=doc["templateKey"],
        template_version=int(doc["templateVersion"]),
        market_role=doc["marketRole"],
        status=WorkflowStatus(doc["status"]),
        current_step_id=doc.get("currentStepId"),
        step_states={
            step_id: StepState(
                status=StepStatus(step["status"]),
                data=step.get("data") or {},
                completed_at=step.get("completedAt"),
                completed_by=step.get("completedBy"),
            )
            for step_id, step in (inner.get("stepStates") or {}).items()
        },
        variables=inner.get("variables") or {},
        version=int(doc["version"]),
        created_by=doc["createdBy"],
        created_at=doc["createdAt"],
        updated_at=doc["updatedAt"],
        recent_events=tuple(document_to_event(e) for e in doc.get("recentEvents") or ()),
    ).with_metadata(inner.get("metadata") or {})
