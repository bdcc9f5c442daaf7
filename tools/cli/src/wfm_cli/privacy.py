"""`wfm privacy`: personal data on a person's request, as market operations would through
the API (`exportDataSubject`, `eraseDataSubject`), acting as the platform; and the retention
sweep (`wfm privacy retention`, wfm_cli.retention).

A data subject is named by its id, or by tenant slug and e-mail address."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from wfm_bootstrap import Services
from wfm_cli.retention import retention_command
from wfm_cli.runtime import (
    USAGE_ERROR,
    console,
    err,
    opened_services,
    platform_settings,
    print_json,
    run,
)
from wfm_privacy.erasure import ErasureReport
from wfm_shared.errors import NotFound
from wfm_shared.personal_data import subject_id_for
from wfm_shared.principal import system_principal
from wfm_shared.settings import Settings

app = typer.Typer(
    help="Personal data: export or erase a data subject's, and the retention sweep.",
    no_args_is_help=True,
)
app.command("retention")(retention_command)

SubjectOption = Annotated[
    str | None, typer.Option("--subject", help="The data subject's id", show_default=False)
]
TenantOption = Annotated[
    str | None,
    typer.Option("--tenant", help="The tenant's slug (with --email)", show_default=False),
]
EmailOption = Annotated[
    str | None,
    typer.Option("--email", help="The person's e-mail address (with --tenant)", show_default=False),
]


def subject_named(
    subject: str | None, tenant: str | None, email: str | None
) -> str | tuple[str, str]:
    """The subject id given, or (tenant slug, e-mail): exactly one of the two ways."""
    if subject is not None and (tenant is not None or email is not None):
        err.print("[red]error:[/red] give --subject, or --tenant and --email: not both")
        raise typer.Exit(USAGE_ERROR)
    if subject is not None:
        try:
            return str(uuid.UUID(subject))
        except ValueError:
            raise typer.BadParameter(
                "expected a subject id (a UUID)", param_hint="--subject"
            ) from None
    if tenant is None or email is None:
        err.print("[red]error:[/red] give --subject, or --tenant and --email")
        raise typer.Exit(USAGE_ERROR)
    return tenant, email


@app.command("export")
def export(
    subject: SubjectOption = None,
    tenant: TenantOption = None,
    email: EmailOption = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the archive to this file (else stdout)"),
    ] = None,
) -> None:
    """Everything held about a data subject, as one JSON archive: the workflows naming them
    (their own values only), their user account, its audit entries and files. Audited."""
    named = subject_named(subject, tenant, email)
    archive = run(_export(platform_settings(), named))
    if output is None:
        print_json(archive)
        return
    output.write_text(json.dumps(archive, indent=2, ensure_ascii=False) + "\n")
    err.print(f"archive of subject {archive['subjectId']} written to {escape(str(output))}")


@app.command("erase")
def erase(
    subject: SubjectOption = None,
    tenant: TenantOption = None,
    email: EmailOption = None,
    reason: Annotated[
        str, typer.Option("--reason", help="Why (1 to 500 characters): kept in the audit trail")
    ] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Erase a data subject's personal data: their keys are destroyed, every copy of their
    values reads [erased], the event log stays as written. Audited with the reason."""
    named = subject_named(subject, tenant, email)
    report = run(_erase(platform_settings(), named, reason))
    if as_json:
        print_json(report_json(report))
    elif report.already_erased:
        console.print(f"subject {report.subject_id} was erased already: nothing changed")
    else:
        console.print(
            f"subject {report.subject_id} erased: {report.keys_erased} key(s) destroyed in "
            f"{len(report.workflow_ids)} workflow(s), {report.drafts_deleted} draft(s) deleted, "
            f"{report.copies_scrubbed.total} copied row(s) scrubbed"
        )


def report_json(report: ErasureReport) -> dict[str, Any]:
    return {
        "subjectId": str(report.subject_id),
        "tenantId": str(report.tenant_id),
        "keysErased": report.keys_erased,
        "alreadyErased": report.already_erased,
        "workflowIds": [str(w) for w in report.workflow_ids],
        "draftsDeleted": report.drafts_deleted,
        "copiesScrubbed": report.copies_scrubbed.as_json(),
        "erasedAt": report.erased_at.isoformat(),
    }


async def _subject_id(services: Services, named: str | tuple[str, str]) -> uuid.UUID:
    if isinstance(named, str):
        return uuid.UUID(named)
    slug, email = named
    storage = services.storage
    async with storage.db.transaction(system_principal()) as conn:
        tenant = await storage.tenants.by_slug(conn, slug)
    if tenant is None:
        raise NotFound("tenant", slug)
    return subject_id_for(tenant.id, email)


async def _export(settings: Settings, named: str | tuple[str, str]) -> dict[str, Any]:
    async with opened_services(settings) as services:
        subject_id = await _subject_id(services, named)
        return await services.exports.export_subject(system_principal(), subject_id)


async def _erase(settings: Settings, named: str | tuple[str, str], reason: str) -> ErasureReport:
    async with opened_services(settings) as services:
        subject_id = await _subject_id(services, named)
        return await services.erasure.erase_subject(system_principal(), subject_id, reason)
