"""Who is asking, and what each role may do. Pure data: the engine decides with it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace

from wfm_shared.authorization import ROLE_PERMISSIONS

ROLES = ("market_ops", "tenant_admin", "tenant_user")

# Each role's permissions by name (tokens carry them, `me { permissions }` lists them);
# the table itself is wfm_shared.authorization.ROLE_PERMISSIONS.
PERMISSIONS_BY_ROLE: dict[str, tuple[str, ...]] = {
    role: tuple(sorted(p.value for p in granted)) for role, granted in ROLE_PERMISSIONS.items()
}


@dataclass(frozen=True)
class Principal:
    """Who is asking: the JWT's claims, verified."""

    user_id: uuid.UUID
    tenant_id: uuid.UUID | None
    role: str
    permissions: frozenset[str] = field(default_factory=frozenset)
    # The user's token version the access token was issued under: every transaction
    # opened for this principal checks it is still current (and the user active, its
    # tenant active, its role this role). None: no token (the platform itself, the CLI).
    token_version: int | None = None

    @property
    def is_market_ops(self) -> bool:
        return self.role == "market_ops"

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    def admitted(self) -> Principal:
        """The same principal, its session no longer checked: for finishing what a request
        already admitted has written (projecting events it appended)."""
        return replace(self, token_version=None)


def principal_for(
    user_id: uuid.UUID,
    tenant_id: uuid.UUID | None,
    role: str,
    *,
    token_version: int | None = None,
) -> Principal:
    return Principal(user_id, tenant_id, role, frozenset(PERMISSIONS_BY_ROLE[role]), token_version)


# The platform acting on its own (reconciler, worker): market operations' view of every
# tenant, under a fixed user id that shows in the event log and the audit trail.
SYSTEM_USER_ID = uuid.UUID("00000000-0000-5000-8000-000000000001")


def system_principal() -> Principal:
    return principal_for(SYSTEM_USER_ID, None, "market_ops")
