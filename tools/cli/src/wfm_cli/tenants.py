"""`wfm tenants`: create, list and suspend the market participants."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from wfm_cli.runtime import console, opened_services, platform_settings, print_json, run
from wfm_directory import TenantProfile
from wfm_engine.status import MarketRole
from wfm_shared.principal import system_principal
from wfm_shared.settings import Settings

app = typer.Typer(help="Tenants: the market participants.", no_args_is_help=True)


def profile_json(profile: TenantProfile) -> dict[str, Any]:
    tenant = profile.tenant
    return {
        "id": str(tenant.id),
        "slug": tenant.slug,
        "companyName": tenant.company_name,
        "vatNumber": tenant.vat_number,
        "status": tenant.status,
        "marketRoles": [{"role": r.role, "status": r.status} for r in profile.market_roles],
        "createdAt": tenant.created_at.isoformat(),
    }


def roles_text(profile: TenantProfile) -> str:
    return ", ".join(f"{r.role} ({r.status})" for r in profile.market_roles) or "-"


async def _create(
    settings: Settings, slug: str, name: str, vat: str, roles: list[str]
) -> TenantProfile:
    async with opened_services(settings) as services:
        return await services.tenants.create(
            system_principal(), slug=slug, company_name=name, vat_number=vat, market_roles=roles
        )


@app.command("create")
def create_command(
    slug: Annotated[
        str, typer.Option(help="Short unique name: lowercase letters, digits, hyphens")
    ],
    name: Annotated[str, typer.Option(help="Company name")],
    vat: Annotated[str, typer.Option(help="Belgian VAT number (BE0123456749; stored normalised)")],
    role: Annotated[
        list[MarketRole] | None,
        typer.Option(
            help="Market role the tenant applies for (repeatable); pending until its onboarding is approved",
            case_sensitive=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the tenant as JSON")] = False,
) -> None:
    """Create an active tenant, with pending applications for its market roles."""
    settings = platform_settings()
    profile = run(_create(settings, slug, name, vat, [r.value for r in role or []]))
    if as_json:
        print_json(profile_json(profile))
        return
    console.print(
        f"created tenant {escape(profile.tenant.slug)} ({profile.tenant.id}): "
        f"{escape(profile.tenant.company_name)}, {profile.tenant.vat_number}, "
        f"market roles: {roles_text(profile)}"
    )


async def _list(settings: Settings) -> list[TenantProfile]:
    async with opened_services(settings) as services:
        return await services.tenants.list(system_principal())


@app.command("list")
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False,
) -> None:
    """List every tenant, by company name."""
    settings = platform_settings()
    profiles = run(_list(settings))
    if as_json:
        print_json([profile_json(p) for p in profiles])
        return
    table = Table()
    for column in ("slug", "company", "VAT number", "status", "market roles"):
        table.add_column(column)
    for profile in profiles:
        tenant = profile.tenant
        table.add_row(
            tenant.slug,
            tenant.company_name,
            tenant.vat_number or "-",
            tenant.status,
            roles_text(profile),
        )
    console.print(table)


async def _suspend(settings: Settings, slug: str, reason: str) -> TenantProfile:
    async with opened_services(settings) as services:
        tenant = await services.tenants.by_slug(system_principal(), slug)
        return await services.tenants.suspend(system_principal(), tenant.id, reason=reason)


@app.command("suspend")
def suspend_command(
    slug: Annotated[str, typer.Option(help="Slug of the tenant")],
    reason: Annotated[
        str, typer.Option(help="Why (kept on the tenant and in the audit log)")
    ] = "suspended with wfm tenants suspend",
    as_json: Annotated[bool, typer.Option("--json", help="Print the tenant as JSON")] = False,
) -> None:
    """Suspend a tenant: its users can no longer log in or refresh, and their access tokens
    stop working at once. Recorded in the audit log."""
    settings = platform_settings()
    profile = run(_suspend(settings, slug, reason))
    if as_json:
        print_json(profile_json(profile))
        return
    console.print(
        f"suspended tenant {escape(profile.tenant.slug)} ({profile.tenant.id}); "
        "its users' sessions have ended"
    )
