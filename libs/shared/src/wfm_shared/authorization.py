"""Who may do what: the named permissions, the roles that hold them, and `authorize`, the one
check every service (and the engine's workflow-action policy) makes.

A market-operations grant holds for every tenant and the platform itself; a tenant role's
grant holds within its own tenant (row-level security keeps the rest out of sight, and
`authorize(..., tenant_id=...)` refuses outright where a tenant is named)."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import TYPE_CHECKING

from wfm_shared.errors import Forbidden

if TYPE_CHECKING:
    from wfm_shared.principal import Principal


class Permission(StrEnum):
    WORKFLOWS_READ = "workflows.read"
    WORKFLOWS_CREATE = "workflows.create"
    WORKFLOWS_EXECUTE = "workflows.execute"
    WORKFLOWS_APPROVE = "workflows.approve"
    WORKFLOWS_ROLLBACK = "workflows.rollback"
    WORKFLOWS_FAIL = "workflows.fail"
    WORKFLOWS_RETRY = "workflows.retry"
    TEMPLATES_READ = "templates.read"
    TEMPLATES_PUBLISH = "templates.publish"
    TENANTS_READ = "tenants.read"
    TENANTS_MANAGE = "tenants.manage"
    USERS_MANAGE = "users.manage"
    OPERATORS_MANAGE = "operators.manage"
    TOKENS_ISSUE = "tokens.issue"
    CONFIGURATION_MANAGE = "configuration.manage"
    MARKET_ROLES_CONFIGURE = "market_roles.configure"
    WEBHOOKS_MANAGE = "webhooks.manage"
    WEBHOOKS_REPLAY = "webhooks.replay"
    TRIGGERS_MANAGE = "triggers.manage"
    SECRETS_MANAGE = "secrets.manage"
    OPERATIONS_MANAGE = "operations.manage"
    API_CREDENTIALS_MANAGE = "api_credentials.manage"
    WORK_ASSIGN = "work.assign"
    AUDIT_READ = "audit.read"
    PRIVACY_MANAGE = "privacy.manage"
    RETENTION_MANAGE = "retention.manage"


P = Permission

# What each permission lets a holder do, for refusals and the README's table.
DESCRIPTIONS: dict[Permission, str] = {
    P.WORKFLOWS_READ: "read workflows",
    P.WORKFLOWS_CREATE: "create workflows",
    P.WORKFLOWS_EXECUTE: "start, pause, resume, execute, validate, submit and cancel workflows",
    P.WORKFLOWS_APPROVE: "approve or reject submissions (unless a template names its approvers)",
    P.WORKFLOWS_ROLLBACK: "roll a workflow back",
    P.WORKFLOWS_FAIL: "fail a workflow",
    P.WORKFLOWS_RETRY: "retry a failed workflow from the step it failed at",
    P.TEMPLATES_READ: "read templates",
    P.TEMPLATES_PUBLISH: "publish, import and deprecate templates",
    P.TENANTS_READ: "read tenants",
    P.TENANTS_MANAGE: "create, change, suspend and archive tenants and their market roles",
    P.USERS_MANAGE: "add, disable and change users",
    P.OPERATORS_MANAGE: "add market-operations users",
    P.TOKENS_ISSUE: "issue tokens for other users",
    P.CONFIGURATION_MANAGE: "configure a tenant's workflows",
    P.MARKET_ROLES_CONFIGURE: "configure a market role's workflows",
    P.WEBHOOKS_MANAGE: "manage webhooks",
    P.WEBHOOKS_REPLAY: "replay webhook deliveries",
    P.TRIGGERS_MANAGE: "manage triggers",
    P.SECRETS_MANAGE: "set, delete and list tenant secrets",
    P.OPERATIONS_MANAGE: (
        "inspect and retry jobs, inspect webhook deliveries, record SLA breaches"
    ),
    P.API_CREDENTIALS_MANAGE: "rotate API credentials and read a new one once",
    P.WORK_ASSIGN: "assign work items to others, and act on work assigned to someone else",
    P.AUDIT_READ: "read the audit trail",
    P.PRIVACY_MANAGE: "export and erase the personal data of a data subject",
    P.RETENTION_MANAGE: "set how long finished workflows keep personal data, per tenant",
}

_PARTICIPANT = frozenset(
    {
        P.WORKFLOWS_READ,
        P.WORKFLOWS_CREATE,
        P.WORKFLOWS_EXECUTE,
        P.TEMPLATES_READ,
        P.TENANTS_READ,
    }
)
_TENANT_ADMIN = _PARTICIPANT | {
    P.WORKFLOWS_ROLLBACK,
    P.WORKFLOWS_RETRY,
    P.USERS_MANAGE,
    P.CONFIGURATION_MANAGE,
    P.WEBHOOKS_MANAGE,
    P.TRIGGERS_MANAGE,
    P.SECRETS_MANAGE,
    P.API_CREDENTIALS_MANAGE,
    P.WORK_ASSIGN,
    P.AUDIT_READ,
}

ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    "market_ops": frozenset(Permission),
    "tenant_admin": _TENANT_ADMIN,
    "tenant_user": _PARTICIPANT,
}

# Roles whose grants hold for every tenant; the others' hold within their own tenant.
PLATFORM_ROLES = frozenset({"market_ops"})


def roles_with(permission: Permission) -> tuple[str, ...]:
    """The roles holding `permission`, in the table's order."""
    return tuple(role for role, granted in ROLE_PERMISSIONS.items() if permission in granted)


def permitted(
    principal: Principal, permission: Permission, *, tenant_id: uuid.UUID | None = None
) -> bool:
    if permission not in ROLE_PERMISSIONS.get(principal.role, frozenset()):
        return False
    if tenant_id is None or principal.role in PLATFORM_ROLES:
        return True
    return principal.tenant_id is not None and principal.tenant_id == tenant_id


def authorize(
    principal: Principal, permission: Permission, *, tenant_id: uuid.UUID | None = None
) -> None:
    """Raise Forbidden unless `principal` holds `permission` (for `tenant_id`, when named:
    a tenant role for its own tenant, market operations for any)."""
    if permitted(principal, permission, tenant_id=tenant_id):
        return
    holders = roles_with(permission)
    who = ", ".join(holders) if holders else "nobody"
    if permission in ROLE_PERMISSIONS.get(principal.role, frozenset()):
        raise Forbidden(
            f"the {principal.role} role holds {permission.value} for its own tenant only: "
            f"it may not {DESCRIPTIONS[permission]} of another tenant"
        )
    raise Forbidden(
        f"only {who} may {DESCRIPTIONS[permission]}: "
        f"the {principal.role} role lacks {permission.value}"
    )
