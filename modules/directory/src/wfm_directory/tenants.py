"""Tenants: the market participants, each with the market roles it holds or applies for."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from wfm_engine import MARKET_ROLES
from wfm_engine.checks import is_belgian_vat_number, normalize_belgian_vat
from wfm_shared.authorization import Permission, authorize
from wfm_shared.errors import Conflict, FieldError, NotFound, ValidationFailed
from wfm_shared.principal import Principal
from wfm_storage import jobs
from wfm_storage.postgres import Database
from wfm_storage.queue import JobQueue
from wfm_storage.records import Tenant, TenantMarketRole
from wfm_storage.repositories.audit import AuditLog
from wfm_storage.repositories.tenants import TenantRepository

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
MAX_COMPANY_NAME = 200


@dataclass(frozen=True)
class TenantProfile:
    tenant: Tenant
    market_roles: list[TenantMarketRole]


def _market_role_problems(roles: Iterable[str]) -> tuple[list[str], list[FieldError]]:
    wanted: list[str] = []
    problems: list[FieldError] = []
    for index, role in enumerate(roles):
        code = role.strip().upper()
        if code not in MARKET_ROLES:
            problems.append(
                FieldError(
                    ("marketRoles", index),
                    f"unknown market role {role!r}; one of {', '.join(MARKET_ROLES)}",
                )
            )
        elif code not in wanted:
            wanted.append(code)
    return wanted, problems


class TenantService:
    def __init__(
        self, db: Database, *, tenants: TenantRepository, audit: AuditLog, jobs: JobQueue
    ) -> None:
        self._db = db
        self._tenants = tenants
        self._audit = audit
        self._jobs = jobs

    async def create(
        self,
        principal: Principal,
        *,
        slug: str,
        company_name: str,
        vat_number: str,
        market_roles: Iterable[str] = (),
    ) -> TenantProfile:
        """A new active tenant, with a pending application for each market role asked for."""
        authorize(principal, Permission.TENANTS_MANAGE)
        slug, company_name = slug.strip(), company_name.strip()
        problems: list[FieldError] = []
        if not SLUG_PATTERN.match(slug):
            problems.append(
                FieldError(
                    ("slug",),
                    "must be 2 to 63 lowercase letters, digits or hyphens, "
                    "starting with a letter or digit",
                )
            )
        if not 1 <= len(company_name) <= MAX_COMPANY_NAME:
            problems.append(
                FieldError(("companyName",), f"must be 1 to {MAX_COMPANY_NAME} characters")
            )
        if not is_belgian_vat_number(vat_number):
            problems.append(
                FieldError(("vatNumber",), f"{vat_number!r} is not a valid Belgian VAT number")
            )
        roles, role_problems = _market_role_problems(market_roles)
        problems += role_problems
        if problems:
            raise ValidationFailed("the tenant is invalid", problems)
        async with self._db.transaction(principal) as conn:
            if await self._tenants.by_slug(conn, slug) is not None:
                raise Conflict(f"a tenant with slug {slug!r} exists")
            tenant = await self._tenants.create(
                conn,
                tenant_id=uuid.uuid4(),
                slug=slug,
                company_name=company_name,
                vat_number=normalize_belgian_vat(vat_number),
            )
            for role in roles:
                await self._tenants.apply_for_market_role(conn, tenant.id, role)
            await self._audit.append(
                conn,
                principal=principal,
                tenant_id=tenant.id,
                action="TENANT_CREATED",
                target_type="tenant",
                target_id=str(tenant.id),
                details={"slug": slug, "marketRoles": roles},
            )
            # in the same transaction: the triggers waiting for a new tenant will run
            await self._jobs.enqueue(
                conn,
                jobs.PLATFORM_EVENT,
                {"type": "tenant.created", "tenantId": str(tenant.id)},
                dedupe_key=f"tenant.created:{tenant.id}",
            )
            held = await self._tenants.market_roles(conn, [tenant.id])
        return TenantProfile(tenant, held[tenant.id])

    async def list(self, principal: Principal, *, limit: int = 1000) -> list[TenantProfile]:
        """The tenants the principal sees (market operations: all), by company name."""
        async with self._db.transaction(principal) as conn:
            tenants = await self._tenants.list(conn, limit=limit)
            held = await self._tenants.market_roles(conn, [t.id for t in tenants])
        return [TenantProfile(t, held[t.id]) for t in tenants]

    async def by_slug(self, principal: Principal, slug: str) -> Tenant:
        async with self._db.transaction(principal) as conn:
            tenant = await self._tenants.by_slug(conn, slug.strip())
        if tenant is None:
            raise NotFound("tenant", slug)
        return tenant

    async def suspend(self, principal: Principal, slug: str) -> TenantProfile:
        """Suspend a tenant: its users can no longer log in or refresh, and their access
        tokens stop working at once (every request checks the tenant is active).
        Suspending a suspended tenant changes nothing."""
        authorize(principal, Permission.TENANTS_MANAGE)
        async with self._db.transaction(principal) as conn:
            tenant = await self._tenants.by_slug(conn, slug.strip())
            if tenant is None:
                raise NotFound("tenant", slug)
            held = await self._tenants.market_roles(conn, [tenant.id])
            if tenant.status == "suspended":
                return TenantProfile(tenant, held[tenant.id])
            suspended = await self._tenants.set_status(conn, tenant.id, "suspended")
            assert suspended is not None
            await self._audit.append(
                conn,
                principal=principal,
                tenant_id=tenant.id,
                action="TENANT_SUSPENDED",
                target_type="tenant",
                target_id=str(tenant.id),
                details={"slug": tenant.slug, "previousStatus": tenant.status},
            )
        return TenantProfile(suspended, held[tenant.id])
