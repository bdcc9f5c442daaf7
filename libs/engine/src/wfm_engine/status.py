"""Workflow and step statuses, and the market roles."""

from __future__ import annotations

from enum import StrEnum


class WorkflowStatus(StrEnum):
    DRAFT = "DRAFT"
    IN_PROGRESS = "IN_PROGRESS"
    PAUSED = "PAUSED"
    AWAITING_VALIDATION = "AWAITING_VALIDATION"
    SUBMITTED = "SUBMITTED"
    COMPLETED = "COMPLETED"
    ROLLED_BACK = "ROLLED_BACK"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


TERMINAL_STATUSES = frozenset({WorkflowStatus.COMPLETED, WorkflowStatus.CANCELLED})


class StepStatus(StrEnum):
    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    COMPENSATED = "COMPENSATED"
    # the step failed (a system step); its onFailure went on elsewhere or paused the workflow
    FAILED = "FAILED"
    # never stored: how a pending step the workflow went past is shown (`shown_step_statuses`)
    SKIPPED = "SKIPPED"


class MarketRole(StrEnum):
    """Roles a participant can hold in the market the operator runs."""

    BRP = "BRP"  # balance responsible party
    BSP = "BSP"  # balancing service provider
    GU = "GU"  # grid user
    ACH = "ACH"  # access contract holder
    CRM = "CRM"  # capacity remuneration mechanism provider
    ESP = "ESP"  # energy service provider
    DSO = "DSO"  # distribution system operator


MARKET_ROLES = tuple(role.value for role in MarketRole)
