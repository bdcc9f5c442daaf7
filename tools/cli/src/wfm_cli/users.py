"""`wfm users`: the people who log in (market operations, tenants' users): create them,
disable them, set their password."""

from __future__ import annotations

import sys
from typing import Annotated, Any, Literal

import typer
from rich.markup import escape

from wfm_cli.runtime import console, opened_services, platform_settings, print_json, run
from wfm_shared.principal import system_principal
from wfm_shared.settings import Settings
from wfm_storage.records import User

# The choices offered; the service checks them again (wfm_shared.principal.ROLES, directory.LOCALES).
Role = Literal["market_ops", "tenant_admin", "tenant_user"]
Locale = Literal["en", "fr", "nl"]

app = typer.Typer(help="Users: who logs in, with which role.", no_args_is_help=True)


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": str(user.id),
        "email": user.email,
        "role": user.role,
        "tenantId": str(user.tenant_id) if user.tenant_id else None,
        "displayName": user.display_name,
        "locale": user.locale,
        "status": user.status,
    }


def read_password(from_stdin: bool) -> str:
    """From stdin (its first line), or asked twice without echo; never from an option,
    which would show in the shell history and the process list."""
    if from_stdin:
        return sys.stdin.readline().removesuffix("\n").removesuffix("\r")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


async def _create(
    settings: Settings,
    *,
    email: str,
    password: str,
    role: str,
    tenant_slug: str | None,
    display_name: str | None,
    locale: str,
) -> User:
    principal = system_principal()
    async with opened_services(settings) as services:
        tenant_id = None
        if tenant_slug is not None:
            tenant_id = (await services.tenants.by_slug(principal, tenant_slug)).id
        return await services.users.create(
            principal,
            email=email,
            password=password,
            role=role,
            tenant_id=tenant_id,
            display_name=display_name,
            locale=locale,
        )


@app.command("create")
def create_command(
    email: Annotated[str, typer.Option(help="Login email (unique, whatever its case)")],
    role: Annotated[Role, typer.Option(help="The user's role", show_default=False)],
    tenant: Annotated[
        str | None,
        typer.Option(
            help="Slug of the user's tenant (required for tenant roles, none for market_ops)"
        ),
    ] = None,
    name: Annotated[str | None, typer.Option(help="Display name")] = None,
    locale: Annotated[Locale, typer.Option(help="Preferred language")] = "en",
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read the password from stdin instead of asking"),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the user as JSON")] = False,
) -> None:
    """Create a user.

    The password (at least 12 characters and at most 72 bytes, not a common password, not
    the e-mail address) is read from stdin or asked for twice."""
    settings = platform_settings()
    password = read_password(password_stdin)
    user = run(
        _create(
            settings,
            email=email,
            password=password,
            role=role,
            tenant_slug=tenant,
            display_name=name,
            locale=locale,
        )
    )
    if as_json:
        print_json(user_json(user))
        return
    where = f"tenant {escape(tenant)}" if tenant else "no tenant"
    console.print(f"created user {escape(user.email)} ({user.id}): {user.role}, {where}")


async def _disable(settings: Settings, email: str) -> User:
    async with opened_services(settings) as services:
        return await services.users.disable(system_principal(), email)


@app.command("disable")
def disable_command(
    email: Annotated[str, typer.Option(help="Login email of the user")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the user as JSON")] = False,
) -> None:
    """Disable a user: no more logins or refreshes, and its access tokens stop working at
    once. Recorded in the audit log."""
    settings = platform_settings()
    user = run(_disable(settings, email))
    if as_json:
        print_json(user_json(user))
        return
    console.print(f"disabled user {escape(user.email)} ({user.id}); its sessions have ended")


async def _set_password(settings: Settings, email: str, password: str) -> User:
    async with opened_services(settings) as services:
        return await services.users.set_password(system_principal(), email, password)


@app.command("set-password")
def set_password_command(
    email: Annotated[str, typer.Option(help="Login email of the user")],
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read the password from stdin instead of asking"),
    ] = False,
) -> None:
    """Give a user a new password: every session it had ends at once (access and refresh
    tokens). Recorded in the audit log.

    The password (at least 12 characters and at most 72 bytes, not a common password, not
    the e-mail address) is read from stdin or asked for twice."""
    settings = platform_settings()
    password = read_password(password_stdin)
    user = run(_set_password(settings, email, password))
    console.print(f"new password for {escape(user.email)} ({user.id}); its sessions have ended")
