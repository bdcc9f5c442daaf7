"""Idempotent seeding: the base templates, and demo tenants and users for development."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from wfm_shared.security import hash_password
from wfm_storage.postgres import Executor
from wfm_storage.records import TemplateRecord
from wfm_storage.repositories.templates import TemplateRepository
from wfm_storage.repositories.tenants import TenantRepository
from wfm_storage.repositories.users import UserRepository
from wfm_workflows.extensions import load_catalog

DEMO_NAMESPACE = uuid.UUID("6f1d3c2e-9a4b-4c51-8e0f-5b7a2d9c1e34")
DEMO_PASSWORD = "demo-password"


@dataclass(frozen=True)
class DemoUser:
    email: str
    role: str
    display_name: str
    locale: str


@dataclass(frozen=True)
class DemoTenant:
    slug: str
    company_name: str
    vat_number: str
    users: tuple[DemoUser, ...]

    @property
    def id(self) -> uuid.UUID:
        return uuid.uuid5(DEMO_NAMESPACE, self.slug)


# Two of them: under four eyes, whoever submitted or reviewed may not also decide.
MARKET_OPS_USERS = (
    DemoUser("ops@wfm.local", "market_ops", "Market Operations", "en"),
    DemoUser("ops2@wfm.local", "market_ops", "Market Operations (second pair of eyes)", "en"),
)
DEMO_TENANTS = (
    DemoTenant(
        "ardennes-energie",
        "Ardennes Énergie SA",
        "BE0456789034",
        (
            DemoUser("anna@ardennes-energie.be", "tenant_admin", "Anna Lambert", "fr"),
            DemoUser("marc@ardennes-energie.be", "tenant_user", "Marc Dubois", "fr"),
        ),
    ),
    DemoTenant(
        "flanders-flex",
        "Flanders Flex NV",
        "BE0812345603",
        (
            DemoUser("pieter@flanders-flex.be", "tenant_admin", "Pieter Janssens", "nl"),
            DemoUser("els@flanders-flex.be", "tenant_user", "Els Peeters", "nl"),
        ),
    ),
)


@dataclass
class SeedReport:
    templates: list[TemplateRecord] = field(default_factory=list)
    tenants: list[str] = field(default_factory=list)
    users: list[str] = field(default_factory=list)


async def seed_templates(
    ex: Executor, templates: TemplateRepository | None = None
) -> list[TemplateRecord]:
    """Every catalog template; one whose content changed since it was stored becomes its
    next version (running instances stay on theirs)."""
    catalog = load_catalog()
    # what is stored already is read back with the registries the catalog was checked with
    repository = templates or TemplateRepository(registries=catalog.registries)
    return [
        (await repository.publish(ex, template, if_changed=True))[0]
        for template in catalog.templates()
    ]


async def seed_demo_data(
    ex: Executor,
    *,
    bcrypt_rounds: int = 12,
    password: str = DEMO_PASSWORD,
    progress: Callable[[str], None] | None = None,
) -> SeedReport:
    """Templates, two demo tenants, two market-operations users, and an admin and a user
    per tenant.
    Runs as the database owner; running it twice changes nothing."""
    report = SeedReport()
    note = progress or (lambda _: None)
    report.templates = await seed_templates(ex)
    note("templates")
    tenants, users = TenantRepository(), UserRepository()
    password_hash = hash_password(password, bcrypt_rounds)

    async def add_user(user: DemoUser, tenant_id: uuid.UUID | None) -> None:
        await users.create(
            ex,
            user_id=uuid.uuid5(DEMO_NAMESPACE, user.email),
            tenant_id=tenant_id,
            email=user.email,
            password_hash=password_hash,
            role=user.role,
            display_name=user.display_name,
            locale=user.locale,
        )
        report.users.append(user.email)
        note(user.email)

    for user in MARKET_OPS_USERS:
        await add_user(user, None)
    for demo in DEMO_TENANTS:
        await tenants.create(
            ex,
            tenant_id=demo.id,
            slug=demo.slug,
            company_name=demo.company_name,
            vat_number=demo.vat_number,
        )
        report.tenants.append(demo.slug)
        note(demo.slug)
        for user in demo.users:
            await add_user(user, demo.id)
    return report
