"""`wfm secrets`: the keyring tenant secrets and webhook signing secrets are sealed under
(WFM_SECRET_KEYS: the first key seals, every key opens).

Rotating a key: put a new key in front of WFM_SECRET_KEYS on every API and worker process
(`WFM_SECRET_KEYS=<new>,<old>`), run `wfm secrets rotate-key`, then drop the old key."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from wfm_cli.runtime import (
    DOMAIN_ERROR,
    console,
    err,
    opened_services,
    platform_settings,
    print_json,
    run,
)
from wfm_integrations.secrets import Resealed, RotationReport
from wfm_shared.sealing import SecretBox
from wfm_shared.settings import Settings

app = typer.Typer(
    help="The keyring tenant secrets and webhook signing secrets are sealed under.",
    no_args_is_help=True,
)


@app.command("generate-key")
def generate_key() -> None:
    """Print a new key for WFM_SECRET_KEYS (a Fernet key: 32 random bytes, url-safe base64)."""
    print(SecretBox.generate_key())


@app.command("rotate-key")
def rotate_key(
    as_json: Annotated[bool, typer.Option("--json", help="The counts as JSON")] = False,
) -> None:
    """Reseal every tenant secret, webhook signing secret and personal data key under the
    first key of WFM_SECRET_KEYS (and seal the signing secrets stored in plaintext before).
    Idempotent; safe while the API and the worker run."""
    settings = platform_settings()
    report = run(_rotate(settings))
    kinds = (
        ("tenant secrets", report.tenant_secrets),
        ("webhook secrets", report.webhook_secrets),
        ("webhook trigger secrets", report.trigger_secrets),
        ("personal data keys", report.subject_keys),
    )
    if as_json:
        print_json(
            {
                "tenantSecrets": _counts(report.tenant_secrets),
                "webhookSecrets": _counts(report.webhook_secrets),
                "triggerSecrets": _counts(report.trigger_secrets),
                "subjectKeys": _counts(report.subject_keys),
            }
        )
    else:
        for label, counts in kinds:
            console.print(
                f"{label}: {counts.resealed} resealed, {counts.current} already under the "
                f"first key, {counts.changed_meanwhile} changed meanwhile (left as written)"
            )
    unreadable = [what for _, counts in kinds for what in counts.unreadable]
    if unreadable:
        err.print(
            f"[red]error:[/red] no key of WFM_SECRET_KEYS opens {len(unreadable)} value(s), "
            "left as they are (put back the key they were sealed under, and run this again):"
        )
        for what in unreadable:
            err.print(f"  {escape(what)}")
        raise typer.Exit(DOMAIN_ERROR)


async def _rotate(settings: Settings) -> RotationReport:
    async with opened_services(settings) as services:
        return await services.secrets.rotate_key()


def _counts(counts: Resealed) -> dict[str, object]:
    return {
        "resealed": counts.resealed,
        "current": counts.current,
        "changedMeanwhile": counts.changed_meanwhile,
        "unreadable": counts.unreadable,
    }
