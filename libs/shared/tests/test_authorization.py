"""The permission table, role by permission, and `authorize`: the one check every service
makes. The table below is the specification; README's "who may do what" is this table."""

import re
import uuid

import pytest

from wfm_shared.authorization import (
    ROLE_PERMISSIONS,
    Permission,
    authorize,
    permitted,
    roles_with,
)
from wfm_shared.errors import Forbidden
from wfm_shared.principal import PERMISSIONS_BY_ROLE, ROLES, principal_for

P = Permission
ALL = ("tenant_user", "tenant_admin", "market_ops")
ADMINS = ("tenant_admin", "market_ops")
OPS = ("market_ops",)

WHO_MAY = {
    P.WORKFLOWS_READ: ALL,
    P.WORKFLOWS_CREATE: ALL,
    P.WORKFLOWS_EXECUTE: ALL,
    P.WORKFLOWS_APPROVE: OPS,
    P.WORKFLOWS_ROLLBACK: ADMINS,
    P.WORKFLOWS_FAIL: OPS,
    P.WORKFLOWS_RETRY: ADMINS,
    P.TEMPLATES_READ: ALL,
    P.TEMPLATES_PUBLISH: OPS,
    P.TENANTS_READ: ALL,
    P.TENANTS_MANAGE: OPS,
    P.USERS_MANAGE: ADMINS,
    P.OPERATORS_MANAGE: OPS,
    P.TOKENS_ISSUE: OPS,
    P.CONFIGURATION_MANAGE: ADMINS,
    P.MARKET_ROLES_CONFIGURE: OPS,
    P.WEBHOOKS_MANAGE: ADMINS,
    P.TRIGGERS_MANAGE: ADMINS,
    P.SECRETS_MANAGE: ADMINS,
    P.OPERATIONS_MANAGE: OPS,
    P.WEBHOOKS_REPLAY: OPS,
    P.API_CREDENTIALS_MANAGE: ADMINS,
    P.WORK_ASSIGN: ADMINS,
    P.AUDIT_READ: ADMINS,
    P.PRIVACY_MANAGE: OPS,
    P.RETENTION_MANAGE: OPS,
}
TENANT = uuid.uuid4()
OTHER_TENANT = uuid.uuid4()


def someone(role: str):
    return principal_for(uuid.uuid4(), None if role == "market_ops" else TENANT, role)


def test_every_permission_is_in_the_specification_and_every_role_in_the_table():
    assert set(WHO_MAY) == set(Permission)
    assert set(ROLE_PERMISSIONS) == set(ROLES)


@pytest.mark.parametrize("permission", list(Permission), ids=str)
@pytest.mark.parametrize("role", ROLES)
def test_a_role_holds_a_permission_exactly_when_the_table_says(role, permission):
    principal = someone(role)
    if role in WHO_MAY[permission]:
        authorize(principal, permission)
        assert principal.can(permission)
    else:
        with pytest.raises(Forbidden, match=re.escape(f"the {role} role lacks {permission.value}")):
            authorize(principal, permission)
        assert not principal.can(permission)
    assert (role in roles_with(permission)) is (role in WHO_MAY[permission])


@pytest.mark.parametrize("role", ADMINS)
def test_a_tenant_named_admits_its_own_administrators_and_market_operations(role):
    authorize(someone(role), P.USERS_MANAGE, tenant_id=TENANT)
    assert permitted(someone("market_ops"), P.USERS_MANAGE, tenant_id=OTHER_TENANT)


def test_a_tenant_administrator_is_refused_for_another_tenant():
    with pytest.raises(Forbidden, match=r"holds users\.manage for its own tenant only"):
        authorize(someone("tenant_admin"), P.USERS_MANAGE, tenant_id=OTHER_TENANT)


def test_the_permissions_a_token_carries_are_the_tables_names():
    for role in ROLES:
        assert set(PERMISSIONS_BY_ROLE[role]) == {p.value for p in ROLE_PERMISSIONS[role]}
        assert someone(role).permissions == frozenset(PERMISSIONS_BY_ROLE[role])


def test_an_unknown_role_may_do_nothing():
    stranger = principal_for(uuid.uuid4(), TENANT, "tenant_user")
    stranger = type(stranger)(stranger.user_id, TENANT, "visitor")
    for permission in Permission:
        with pytest.raises(Forbidden):
            authorize(stranger, permission)
