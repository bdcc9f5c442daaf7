"""Typed errors shared by every layer; the API translates them to GraphQL codes in one place."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field; `path` locates it inside the submitted data."""

    path: tuple[str | int, ...]
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"path": list(self.path), "message": self.message}


class WfmError(Exception):
    """Base of every error a client may see; `code` becomes `extensions.code`."""

    code: ClassVar[str] = "INTERNAL"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def extensions(self) -> dict[str, Any]:
        return {"code": self.code}


class Unauthenticated(WfmError):
    code = "UNAUTHENTICATED"


class Forbidden(WfmError):
    code = "FORBIDDEN"


class NotFound(WfmError):
    code = "NOT_FOUND"

    def __init__(self, kind: str, ident: object) -> None:
        # The same message for "absent" and "belongs to another tenant": nothing leaks.
        super().__init__(f"{kind} {ident} not found")
        self.kind = kind


class ValidationFailed(WfmError):
    code = "VALIDATION_FAILED"

    def __init__(self, message: str, errors: Iterable[FieldError] = ()) -> None:
        super().__init__(message)
        self.errors: Sequence[FieldError] = tuple(errors)

    def extensions(self) -> dict[str, Any]:
        return {"code": self.code, "fields": [e.as_dict() for e in self.errors]}


class InvalidTransition(WfmError):
    code = "INVALID_TRANSITION"

    def __init__(self, message: str, *, status: str | None = None, action: str | None = None):
        super().__init__(message)
        self.status = status
        self.action = action

    def extensions(self) -> dict[str, Any]:
        return {"code": self.code, "status": self.status, "action": self.action}


class Conflict(WfmError):
    code = "CONFLICT"


class OnboardingExists(Conflict):
    """The tenant holds the market role already, or an onboarding for it is under way: a
    second one would race the first to the same contract."""

    def __init__(
        self,
        market_role: str,
        *,
        workflow_id: object | None,
        status: str | None,
        held: bool = False,
        contract_reference: str | None = None,
        role_status: str | None = None,
    ) -> None:
        if role_status == "terminated":
            message = f"the tenant's {market_role} market role is terminated, which is final"
        elif held:
            message = f"the tenant already holds the {market_role} market role"
            if contract_reference:
                message += f" under contract {contract_reference}"
            if role_status == "suspended":
                message += ", suspended: reactivate it instead"
        else:
            message = f"an onboarding for the {market_role} market role is under way"
        if workflow_id is not None:
            message += f" (workflow {workflow_id}, {status})"
        super().__init__(message)
        self.market_role = market_role
        self.workflow_id = workflow_id
        self.status = status
        self.held = held
        self.contract_reference = contract_reference
        self.role_status = role_status

    def extensions(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "marketRole": self.market_role,
            "existingWorkflowId": None if self.workflow_id is None else str(self.workflow_id),
            "existingStatus": self.status,
            "roleHeld": self.held,
            "contractReference": self.contract_reference,
            "roleStatus": self.role_status,
        }


class RateLimited(WfmError):
    code = "RATE_LIMITED"


class ServiceUnavailable(WfmError):
    code = "UNAVAILABLE"
