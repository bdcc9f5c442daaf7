"""Tenants: the market participants, each with the market roles it holds or applies for.

Market operations create, change, suspend, reactivate and archive them. Archiving is a soft
delete: the tenant is hidden from lists and lookups, its data is kept and its users can no
longer log in. A tenant's status change also revokes or restores the API credentials of its
active market roles, through the worker (`sync_api_access`)."""

from __future__ import annotations

import builtins
import re
import secrets
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from wfm_directory.audit import audit_tenant
from wfm_engine import MARKET_ROLES
from wfm_engine.checks import is_belgian_vat_number, normalize_belgian_vat
from wfm_shared.authorization import Permission, authorize
from wfm_shared.errors import (
    Conflict,
    FieldError,
    InvalidTransition,
    NotFound,
    ValidationFailed,
)
from wfm_shared.principal import Principal
from wfm_storage import jobs
from wfm_storage.postgres import Database, Executor
from wfm_storage.queue import JobQueue
from wfm_storage.records import Tenant, TenantMarketRole
from wfm_storage.repositories.audit import AuditLog
from wfm_storage.repositories.tenants import (
    TenantCursor,
    TenantFilter,
    TenantPage,
    TenantRepository,
)

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
MAX_SLUG = 63
MAX_COMPANY_NAME = 200
MAX_REASON = 500
MAX_SEARCH = 200
TENANT_STATUSES = ("pending", "active", "suspended")
# separators people type inside a VAT number ("BE 0123.456.749")
_VAT_SEPARATORS = re.compile(r"[\s.\-/]")


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


def _company_name_problems(company_name: str) -> list[FieldError]:
    if 1 <= len(company_name) <= MAX_COMPANY_NAME:
        return []
    return [FieldError(("companyName",), f"must be 1 to {MAX_COMPANY_NAME} characters")]


def _vat_problems(vat_number: str) -> list[FieldError]:
    if is_belgian_vat_number(vat_number):
        return []
    return [FieldError(("vatNumber",), f"{vat_number!r} is not a valid Belgian VAT number")]


def reason_given(reason: str | None, *, required: bool = True) -> str | None:
    """The reason of a status change, trimmed: 1 to 500 characters (None when optional
    and not given)."""
    text = (reason or "").strip()
    if not text and not required:
        return None
    if not 1 <= len(text) <= MAX_REASON:
        raise ValidationFailed(
            "the reason is invalid",
            [FieldError(("reason",), f"must be 1 to {MAX_REASON} characters")],
        )
    return text


def slug_from(company_name: str) -> str:
    """`Énergie Ardennaise S.A.` -> `energie-ardennaise-s-a`: ASCII letters and digits, the
    rest hyphens; `tenant` when nothing is left."""
    ascii_name = unicodedata.normalize("NFKD", company_name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:MAX_SLUG].rstrip("-")
    if len(slug) < 2:
        slug = f"tenant-{slug}".rstrip("-")
    return slug


def _with_suffix(base: str, suffix: str) -> str:
    return f"{base[: MAX_SLUG - len(suffix) - 1].rstrip('-')}-{suffix}"


def tenant_filter(search: str | None, status: str | None) -> TenantFilter:
    text = (search or "").strip()
    problems: list[FieldError] = []
    if len(text) > MAX_SEARCH:
        problems.append(
            FieldError(("filter", "search"), f"must be at most {MAX_SEARCH} characters")
        )
    if status is not None and status not in TENANT_STATUSES:
        problems.append(
            FieldError(("filter", "status"), f"must be one of {', '.join(TENANT_STATUSES)}")
        )
    if problems:
        raise ValidationFailed("the tenant filter is invalid", problems)
    compact = _VAT_SEPARATORS.sub("", text).upper()
    return TenantFilter(
        search=text or None,
        # as a VAT number only if it has a digit: "be" alone would match every VAT number
        vat_search=compact if any(c.isdigit() for c in compact) else None,
        status=status,
    )


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
        company_name: str,
        vat_number: str,
        slug: str | None = None,
        market_roles: Iterable[str] = (),
    ) -> TenantProfile:
        """A new active tenant, with a pending application for each market role asked for.
        Without a slug, one is made from the company name (with a suffix if taken). A slug
        asked for that is taken, archived tenants' included, or a VAT number another tenant
        holds, is a conflict."""
        authorize(principal, Permission.TENANTS_MANAGE)
        company_name = company_name.strip()
        chosen = slug.strip() if slug is not None else None
        problems: list[FieldError] = []
        if chosen is not None and not SLUG_PATTERN.match(chosen):
            problems.append(
                FieldError(
                    ("slug",),
                    "must be 2 to 63 lowercase letters, digits or hyphens, "
                    "starting with a letter or digit",
                )
            )
        problems += _company_name_problems(company_name)
        problems += _vat_problems(vat_number)
        roles, role_problems = _market_role_problems(market_roles)
        problems += role_problems
        if problems:
            raise ValidationFailed("the tenant is invalid", problems)
        vat = normalize_belgian_vat(vat_number)
        async with self._db.transaction(principal) as conn:
            if chosen is not None and await self._tenants.slug_taken(conn, chosen):
                raise Conflict(f"a tenant with slug {chosen!r} exists")
            await self._refuse_a_held_vat_number(conn, vat, None)
            if chosen is None:
                chosen = await self._free_slug(conn, slug_from(company_name))
            tenant = await self._tenants.create(
                conn,
                tenant_id=uuid.uuid4(),
                slug=chosen,
                company_name=company_name,
                vat_number=vat,
            )
            for role in roles:
                await self._tenants.apply_for_market_role(conn, tenant.id, role)
            await audit_tenant(
                self._audit,
                conn,
                principal,
                tenant.id,
                "TENANT_CREATED",
                slug=chosen,
                companyName=company_name,
                vatNumber=vat,
                marketRoles=roles,
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

    async def update(
        self,
        principal: Principal,
        tenant_id: uuid.UUID,
        *,
        company_name: str | None = None,
        vat_number: str | None = None,
    ) -> TenantProfile:
        """A new company name or VAT number (None: unchanged). The slug never changes: it
        names the tenant's API consumers."""
        authorize(principal, Permission.TENANTS_MANAGE)
        name = company_name.strip() if company_name is not None else None
        problems: list[FieldError] = []
        if name is not None:
            problems += _company_name_problems(name)
        if vat_number is not None:
            problems += _vat_problems(vat_number)
        if problems:
            raise ValidationFailed("the tenant is invalid", problems)
        vat = normalize_belgian_vat(vat_number) if vat_number is not None else None
        async with self._db.transaction(principal) as conn:
            tenant = await self._tenants.lock(conn, tenant_id)
            if tenant is None:
                raise NotFound("tenant", tenant_id)
            changes: dict[str, dict[str, str | None]] = {}
            if name is not None and name != tenant.company_name:
                changes["companyName"] = {"from": tenant.company_name, "to": name}
            if vat is not None and vat != tenant.vat_number:
                await self._refuse_a_held_vat_number(conn, vat, tenant.id)
                changes["vatNumber"] = {"from": tenant.vat_number, "to": vat}
            if changes:
                updated = await self._tenants.update(
                    conn,
                    tenant.id,
                    company_name=name if name is not None else tenant.company_name,
                    vat_number=vat if vat is not None else tenant.vat_number,
                )
                assert updated is not None  # locked above
                tenant = updated
                await audit_tenant(
                    self._audit,
                    conn,
                    principal,
                    tenant.id,
                    "TENANT_UPDATED",
                    slug=tenant.slug,
                    changes=changes,
                )
            held = await self._tenants.market_roles(conn, [tenant.id])
        return TenantProfile(tenant, held[tenant.id])

    async def get(self, principal: Principal, tenant_id: uuid.UUID) -> Tenant:
        """A tenant the principal sees (a tenant role: its own); archived: NotFound."""
        authorize(principal, Permission.TENANTS_READ)
        async with self._db.transaction(principal) as conn:
            tenant = await self._tenants.get(conn, tenant_id)
        if tenant is None:
            raise NotFound("tenant", tenant_id)
        return tenant

    async def page(
        self,
        principal: Principal,
        *,
        search: str | None = None,
        status: str | None = None,
        first: int,
        after: TenantCursor | None = None,
    ) -> TenantPage:
        """The tenants the principal sees (market operations: all but the archived; a
        tenant role: its own), by company name, matching `search` (part of the company
        name, slug or VAT number, any case) and `status`, with how many match in all."""
        authorize(principal, Permission.TENANTS_READ)
        where = tenant_filter(search, status)
        async with self._db.transaction(principal) as conn:
            return await self._tenants.page(conn, where, first=first, after=after)

    async def list(self, principal: Principal, *, limit: int = 1000) -> list[TenantProfile]:
        """The tenants the principal sees (market operations: all), by company name."""
        authorize(principal, Permission.TENANTS_READ)
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

    async def suspend(
        self, principal: Principal, tenant_id: uuid.UUID, *, reason: str
    ) -> TenantProfile:
        """Suspend a tenant: its users can no longer log in or refresh, their access tokens
        stop working at once (every request checks the tenant is active), and its API
        credentials are revoked. Suspending a suspended tenant changes nothing."""
        return await self._change_status(
            principal, tenant_id, "suspended", reason_given(reason), "TENANT_SUSPENDED"
        )

    async def reactivate(
        self, principal: Principal, tenant_id: uuid.UUID, *, reason: str | None = None
    ) -> TenantProfile:
        """Make a suspended (or pending) tenant active again: its users may log in, and its
        active market roles get new API credentials. An active tenant stays as it is."""
        return await self._change_status(
            principal,
            tenant_id,
            "active",
            reason_given(reason, required=False),
            "TENANT_REACTIVATED",
        )

    async def archive(
        self, principal: Principal, tenant_id: uuid.UUID, *, reason: str
    ) -> TenantProfile:
        """Archive a tenant for good (a soft delete): hidden from lists, `tenant(id)` and
        every service, its data kept, its users' logins and sessions refused, its API
        credentials revoked. Its slug stays taken."""
        authorize(principal, Permission.TENANTS_MANAGE)
        why = reason_given(reason)
        assert why is not None
        async with self._db.transaction(principal) as conn:
            tenant = await self._tenants.lock(conn, tenant_id)
            if tenant is None:
                raise NotFound("tenant", tenant_id)
            held = (await self._tenants.market_roles(conn, [tenant.id]))[tenant.id]
            archived = await self._tenants.archive(conn, tenant.id, why)
            assert archived is not None  # locked above
            await audit_tenant(
                self._audit,
                conn,
                principal,
                tenant.id,
                "TENANT_ARCHIVED",
                slug=tenant.slug,
                previousStatus=tenant.status,
                reason=why,
            )
            await self._sync_api_access(conn, tenant.id, held)
        return TenantProfile(archived, held)

    async def _change_status(
        self,
        principal: Principal,
        tenant_id: uuid.UUID,
        status: str,
        reason: str | None,
        action: str,
    ) -> TenantProfile:
        authorize(principal, Permission.TENANTS_MANAGE)
        async with self._db.transaction(principal) as conn:
            tenant = await self._tenants.lock(conn, tenant_id)
            if tenant is None:
                raise NotFound("tenant", tenant_id)
            held = (await self._tenants.market_roles(conn, [tenant.id]))[tenant.id]
            if tenant.status == status:
                return TenantProfile(tenant, held)
            if status == "suspended" and tenant.status != "active":
                raise InvalidTransition(
                    f"the tenant is {tenant.status}: only an active tenant is suspended",
                    status=tenant.status,
                    action="suspend",
                )
            changed = await self._tenants.set_status(conn, tenant.id, status, reason)
            assert changed is not None  # locked above
            details: dict[str, str | None] = {"slug": tenant.slug, "previousStatus": tenant.status}
            if reason is not None:
                details["reason"] = reason
            await audit_tenant(self._audit, conn, principal, tenant.id, action, **details)
            await self._sync_api_access(conn, tenant.id, held)
        return TenantProfile(changed, held)

    async def _sync_api_access(
        self, conn: Executor, tenant_id: uuid.UUID, held: builtins.list[TenantMarketRole]
    ) -> None:
        """In the transaction of the change: the worker revokes or restores the API
        credentials of the tenant's active roles (the others have none)."""
        for role in held:
            if role.status == "active":
                await self._jobs.enqueue(
                    conn,
                    jobs.SYNC_API_ACCESS,
                    {"tenantId": str(tenant_id), "marketRole": role.role},
                )

    async def _refuse_a_held_vat_number(
        self, conn: Executor, vat_number: str, tenant_id: uuid.UUID | None
    ) -> None:
        holder = await self._tenants.holder_of_vat(conn, vat_number)
        if holder is not None and holder.id != tenant_id:
            raise Conflict(f"the VAT number {vat_number} belongs to the tenant {holder.slug!r}")

    async def _free_slug(self, conn: Executor, base: str) -> str:
        """`base`, else `base-2` ... `base-9`, else `base-<random>`: a slug no tenant has."""
        candidates = [base, *(_with_suffix(base, str(n)) for n in range(2, 10))]
        for candidate in candidates:
            if not await self._tenants.slug_taken(conn, candidate):
                return candidate
        return _with_suffix(base, secrets.token_hex(3))
