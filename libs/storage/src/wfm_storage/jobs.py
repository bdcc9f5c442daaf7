"""The jobs the command path leaves for the worker (a transactional outbox): their names,
payloads and dedupe keys. Enqueued in the transaction that projects the events."""

from __future__ import annotations

DISPATCH_EVENT = "dispatch_event"  # webhooks, notifications, event triggers, API access
RUN_SYSTEM_STEP = "run_system_step"  # a system step with a runner became current
TIMER_FIRED = "timer_fired"  # an SLA, an approval deadline or a delay is due
DELIVER_WEBHOOK = "deliver_webhook"
PROVISION_API_ACCESS = "provision_api_access"
# a market role or its tenant changed status: its API credential revoked or restored
SYNC_API_ACCESS = "sync_api_access"
START_TRIGGERED = "start_triggered_workflow"
SEND_COMPENSATION = "send_compensation"  # the compensating request a rollback recorded
JOB_HELD = "job_held"  # tell market operations (and a tenant's admins) of a job given up on
SCAN_FILE = "scan_file"  # an uploaded file waits for the virus scanner (wfm_documents.files)


def event_key(instance_id: str, seq: int) -> str:
    return f"event:{instance_id}:{seq}"


def step_key(instance_id: str, activation_seq: int) -> str:
    return f"step:{instance_id}:{activation_seq}"


def item_key(instance_id: str, activation_seq: int, index: int) -> str:
    """The run of item `index` of a forEach step (item 0 is the activation's own run)."""
    return f"{step_key(instance_id, activation_seq)}:item:{index}"


def resumed_key(instance_id: str, activation_seq: int, resumed_seq: int) -> str:
    """The run of a system step again after the workflow was resumed (event `resumed_seq`)."""
    return f"{step_key(instance_id, activation_seq)}:resumed:{resumed_seq}"


def compensation_key(instance_id: str, seq: int) -> str:
    return f"compensation:{instance_id}:{seq}"


def compensation_prefix(instance_id: str) -> str:
    return f"compensation:{instance_id}:"


def delivery_key(delivery_id: str) -> str:
    return f"delivery:{delivery_id}"


def timer_key(timer_id: int) -> str:
    return f"timer:{timer_id}"


def firing_key(trigger_id: str, fire_key: str) -> str:
    return f"trigger:{trigger_id}:{fire_key}"


def held_key(job_id: int, times_retried: int) -> str:
    """One per holding of a job: retried by market operations and held again, a new one."""
    return f"held:{job_id}:{times_retried}"


def api_access_key(tenant_id: str, market_role: str) -> str:
    return f"api-access:{tenant_id}:{market_role}"


def scan_key(file_id: str) -> str:
    return f"scan-file:{file_id}"


PLATFORM_EVENT = "platform_event"  # tenant.created: event triggers of the tenant
