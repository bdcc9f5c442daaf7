"""The workflow domain: pure functions and data, no I/O."""

from wfm_engine.commands import (
    ApproveWorkflow,
    Command,
    CreateWorkflow,
    DecisionContext,
    ExecuteStep,
    InstanceCommand,
    RejectWorkflow,
    StartWorkflow,
    SubmitWorkflow,
    WorkflowAction,
)
from wfm_engine.decide import decide
from wfm_engine.events import Event, EventType
from wfm_engine.evolve import CorruptEventLog, evolve, fold
from wfm_engine.policy import allowed_actions
from wfm_engine.state import InstanceState, StepState
from wfm_engine.status import MARKET_ROLES, MarketRole, StepStatus, WorkflowStatus
from wfm_engine.template import StepDefinition, TemplateInvalid, WorkflowTemplate, parse_template

__all__ = [
    "MARKET_ROLES",
    "ApproveWorkflow",
    "Command",
    "CorruptEventLog",
    "CreateWorkflow",
    "DecisionContext",
    "Event",
    "EventType",
    "ExecuteStep",
    "InstanceCommand",
    "InstanceState",
    "MarketRole",
    "RejectWorkflow",
    "StartWorkflow",
    "StepDefinition",
    "StepState",
    "StepStatus",
    "SubmitWorkflow",
    "TemplateInvalid",
    "WorkflowAction",
    "WorkflowStatus",
    "WorkflowTemplate",
    "allowed_actions",
    "decide",
    "evolve",
    "fold",
    "parse_template",
]
