"""Scalars, enums and pagination shared by the schema modules."""

from __future__ import annotations

import uuid
from enum import Enum
from typing import Any, TypeAlias

import strawberry
from strawberry.scalars import JSON
from strawberry.types.field import StrawberryField

from wfm_api.context import RequestContext
from wfm_engine import MarketRole as EngineMarketRole
from wfm_engine import StepStatus as EngineStepStatus
from wfm_engine import WorkflowAction as EngineWorkflowAction
from wfm_engine import WorkflowStatus as EngineWorkflowStatus
from wfm_shared.errors import FieldError, ValidationFailed
from wfm_shared.ids import parse_id

Info: TypeAlias = strawberry.Info[RequestContext, None]

# strawberry.enum registers the GraphQL definition on the engine's class itself, so the
# schema's names are aliases of those classes (and stay usable as types)
strawberry.enum(EngineMarketRole, name="MarketRole", description="A role in the market")
strawberry.enum(EngineWorkflowStatus, name="WorkflowStatus")
strawberry.enum(EngineStepStatus, name="StepStatus")
strawberry.enum(
    EngineWorkflowAction, name="WorkflowAction", description="What the asking user may do now"
)
MarketRole: TypeAlias = EngineMarketRole
WorkflowStatus: TypeAlias = EngineWorkflowStatus
StepStatus: TypeAlias = EngineStepStatus
WorkflowAction: TypeAlias = EngineWorkflowAction


def described_field(description: str) -> StrawberryField:
    """`@strawberry.field(description=...)`, typed: strawberry types that form as Any."""
    field: StrawberryField = strawberry.field(description=description)
    return field


def described_mutation(description: str) -> StrawberryField:
    """`@strawberry.mutation(description=...)`, typed: strawberry types that form as Any."""
    mutation: StrawberryField = strawberry.mutation(description=description)
    return mutation


@strawberry.enum(description="Languages of titles and messages")
class Locale(Enum):
    EN = "en"
    FR = "fr"
    NL = "nl"


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


def page_size(info: Info, first: int) -> int:
    limit = info.context.services.settings.max_page_size
    if not 1 <= first <= limit:
        raise ValidationFailed(
            "page size out of range", [FieldError(("first",), f"must be between 1 and {limit}")]
        )
    return first


def locale_of(info: Info, locale: Locale | None) -> str:
    return locale.value if locale is not None else info.context.locale


def to_id(value: object) -> strawberry.ID:
    return strawberry.ID(str(value))


def tenant_argument(tenant_id: strawberry.ID | None) -> uuid.UUID | None:
    """An optional `tenantId` argument: None leaves the choice to the service."""
    return parse_id(tenant_id, "tenantId") if tenant_id is not None else None


__all__ = [
    "JSON",
    "Any",
    "Info",
    "Locale",
    "MarketRole",
    "PageInfo",
    "StepStatus",
    "WorkflowAction",
    "WorkflowStatus",
    "described_field",
    "described_mutation",
    "locale_of",
    "page_size",
    "parse_id",
    "tenant_argument",
    "to_id",
]
