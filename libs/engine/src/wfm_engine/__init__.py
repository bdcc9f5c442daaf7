"""The workflow domain: pure functions and data, no I/O."""

from wfm_engine.commands import (
    ApproveWorkflow,
    AssignWork,
    CancelWorkflow,
    Command,
    CompensateStep,
    CompensationFailure,
    CreateWorkflow,
    DecisionContext,
    ExecuteStep,
    FailWorkflow,
    FinishRollback,
    InstanceCommand,
    PauseWorkflow,
    RecordSlaBreach,
    RejectWorkflow,
    ReleaseWork,
    ResumeWorkflow,
    StartWorkflow,
    SubmitWorkflow,
    WorkflowAction,
)
from wfm_engine.conditions import ConditionError
from wfm_engine.decide import Decision, Engine, GateFailed, decide, gate_failure, rollback_plan
from wfm_engine.events import Event, EventType
from wfm_engine.evolve import CorruptEventLog, catch_up, evolve, fold
from wfm_engine.gates import GATES, GateCheck, GateContext, GateRegistry, GateResult
from wfm_engine.options import TemplateOptions, WorkflowConfig, layer_problems, resolve_config
from wfm_engine.overlay import apply_overlay
from wfm_engine.policy import AssignedToAnother, allowed_actions, shown_step_statuses
from wfm_engine.registries import BUILTIN_REGISTRIES, Registries
from wfm_engine.replay import rebuild
from wfm_engine.report import StepReport, ValidationReport, validation_report
from wfm_engine.runners import (
    StepRunOutcome,
    SystemStepRun,
    SystemStepRunner,
    SystemStepRunnerRegistry,
)
from wfm_engine.state import InstanceState, StepState
from wfm_engine.status import MARKET_ROLES, MarketRole, StepStatus, WorkflowStatus
from wfm_engine.steps import STEP_HANDLERS, CompensationFailed, StepHandler, StepHandlerRegistry
from wfm_engine.template import (
    CheckStopped,
    CompileWatch,
    StepDefinition,
    TemplateInvalid,
    WorkflowTemplate,
    parse_template,
)
from wfm_engine.work import WorkItem, WorkKind, may_act, waiting_work

__all__ = [
    "BUILTIN_REGISTRIES",
    "GATES",
    "MARKET_ROLES",
    "STEP_HANDLERS",
    "ApproveWorkflow",
    "AssignWork",
    "AssignedToAnother",
    "CancelWorkflow",
    "CheckStopped",
    "Command",
    "CompensateStep",
    "CompensationFailed",
    "CompensationFailure",
    "CompileWatch",
    "ConditionError",
    "CorruptEventLog",
    "CreateWorkflow",
    "Decision",
    "DecisionContext",
    "Engine",
    "Event",
    "EventType",
    "ExecuteStep",
    "FailWorkflow",
    "FinishRollback",
    "GateCheck",
    "GateContext",
    "GateFailed",
    "GateRegistry",
    "GateResult",
    "InstanceCommand",
    "InstanceState",
    "MarketRole",
    "PauseWorkflow",
    "RecordSlaBreach",
    "Registries",
    "RejectWorkflow",
    "ReleaseWork",
    "ResumeWorkflow",
    "StartWorkflow",
    "StepDefinition",
    "StepHandler",
    "StepHandlerRegistry",
    "StepReport",
    "StepRunOutcome",
    "StepState",
    "StepStatus",
    "SubmitWorkflow",
    "SystemStepRun",
    "SystemStepRunner",
    "SystemStepRunnerRegistry",
    "TemplateInvalid",
    "TemplateOptions",
    "ValidationReport",
    "WorkItem",
    "WorkKind",
    "WorkflowAction",
    "WorkflowConfig",
    "WorkflowStatus",
    "WorkflowTemplate",
    "allowed_actions",
    "apply_overlay",
    "catch_up",
    "decide",
    "evolve",
    "fold",
    "gate_failure",
    "layer_problems",
    "may_act",
    "parse_template",
    "rebuild",
    "resolve_config",
    "rollback_plan",
    "shown_step_statuses",
    "validation_report",
    "waiting_work",
]
