"""`wfm token`: access tokens for scripts and tests, without the user's password."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from wfm_cli.runtime import opened_services, platform_settings, print_json, run
from wfm_directory import IssuedToken
from wfm_shared.principal import system_principal
from wfm_shared.security import TokenCodec
from wfm_shared.settings import Settings

app = typer.Typer(help="Access tokens for scripts and tests.", no_args_is_help=True)

MAX_TTL_SECONDS = 24 * 3600


async def _issue(settings: Settings, email: str, ttl: timedelta) -> IssuedToken:
    codec = TokenCodec.from_settings(settings, ttl)
    async with opened_services(settings) as services:
        return await services.users.issue_token(
            system_principal(), email, codec, services.clock.now()
        )


@app.command("issue")
def issue_command(
    email: Annotated[str, typer.Option(help="Email of an existing, active user")],
    ttl: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=MAX_TTL_SECONDS,
            help="Lifetime in seconds (default: WFM_ACCESS_TOKEN_TTL_SECONDS)",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the token with its expiry and subject as JSON")
    ] = False,
) -> None:
    """Print an access token for a user, for `Authorization: Bearer <token>`.

    Refused for a disabled user or a tenant that is not active; recorded in the audit log."""
    settings = platform_settings()
    issued = run(
        _issue(settings, email, timedelta(seconds=ttl or settings.access_token_ttl_seconds))
    )
    if not as_json:
        print(issued.token)
        return
    subject = issued.subject
    print_json(
        {
            "accessToken": issued.token,
            "expiresAt": issued.expires_at.isoformat(),
            "email": issued.email,
            "userId": str(subject.user_id),
            "tenantId": str(subject.tenant_id) if subject.tenant_id else None,
            "role": subject.role,
        }
    )
