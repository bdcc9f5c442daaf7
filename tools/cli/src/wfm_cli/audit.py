"""`wfm audit`: the audit trail out of the database, as CSV or JSON Lines, streamed (the
entries are read through a server-side cursor a batch at a time and written as they come:
an export of millions of entries holds one batch in memory)."""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import json
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal, TextIO

import typer
from rich.markup import escape

from wfm_cli.runtime import err, opened_services, platform_settings, run
from wfm_directory.audit import EXPORT_BATCH_SIZE
from wfm_shared.principal import system_principal
from wfm_shared.settings import Settings
from wfm_storage.repositories.audit import AuditEntry, AuditFilter, Outcome

Format = Literal["csv", "jsonl"]

app = typer.Typer(help="The audit trail: who did what, when, from where.", no_args_is_help=True)

# The columns of the CSV export, and the keys of each JSON Lines entry, in this order.
FIELDS = (
    "id",
    "occurredAt",
    "tenantId",
    "actorId",
    "actorRole",
    "action",
    "outcome",
    "objectType",
    "objectId",
    "clientAddress",
    "requestId",
    "details",
)
# A spreadsheet runs a cell that starts with one of these as a formula: such text (a name,
# an e-mail, anything a user typed) is written with a leading apostrophe in CSV.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def entry_json(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "occurredAt": entry.occurred_at.astimezone(UTC).isoformat(),
        "tenantId": str(entry.tenant_id) if entry.tenant_id else None,
        "actorId": str(entry.actor_id) if entry.actor_id else None,
        "actorRole": entry.actor_role,
        "action": entry.action,
        "outcome": entry.outcome,
        "objectType": entry.target_type,
        "objectId": entry.target_id,
        "clientAddress": entry.client_address,
        "requestId": entry.request_id,
        "details": entry.details,
    }


def csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def entry_writer(output_format: Format, out: TextIO) -> Callable[[AuditEntry], None]:
    """Writes one entry at a time; the CSV header is written at once."""
    if output_format == "jsonl":

        def write_line(entry: AuditEntry) -> None:
            out.write(json.dumps(entry_json(entry), ensure_ascii=False) + "\n")

        return write_line
    rows = csv.writer(out)
    rows.writerow(FIELDS)

    def write_row(entry: AuditEntry) -> None:
        shown = entry_json(entry)
        rows.writerow([csv_cell(shown[name]) for name in FIELDS])

    return write_row


def moment(value: str | None, option: str) -> datetime | None:
    """ISO 8601, a date or a date and time; without an offset, UTC."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            "expected an ISO 8601 date or time, like 2025-01-31 or 2025-01-31T08:00:00+01:00",
            param_hint=option,
        ) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def user_id(value: str | None) -> uuid.UUID | None:
    if value is None:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise typer.BadParameter("expected a user id (a UUID)", param_hint="--actor") from None


async def _export(
    settings: Settings,
    where: AuditFilter,
    tenant: str | None,
    write: Callable[[AuditEntry], None],
    batch_size: int,
) -> int:
    principal = system_principal()  # market operations' view: every tenant
    async with opened_services(settings) as services:
        if tenant is not None:
            try:
                tenant_id = uuid.UUID(tenant)  # an id also names a tenant archived since
            except ValueError:
                tenant_id = (await services.tenants.by_slug(principal, tenant)).id
            where = dataclasses.replace(where, tenant_id=tenant_id)
        exported = 0
        entries = services.audit.export(principal, where, batch_size=batch_size)
        async with contextlib.aclosing(entries):
            async for entry in entries:
                write(entry)
                exported += 1
        return exported


@app.command("export")
def export_command(
    since: Annotated[
        str | None, typer.Option(help="From this time on (inclusive; ISO 8601, UTC if no offset)")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Before this time (exclusive; ISO 8601, UTC if no offset)")
    ] = None,
    tenant: Annotated[
        str | None, typer.Option(help="Only this tenant's entries (its slug or id)")
    ] = None,
    action: Annotated[str | None, typer.Option(help="Only this action, like USER_CREATED")] = None,
    actor: Annotated[str | None, typer.Option(help="Only what this user (id) did")] = None,
    outcome: Annotated[Outcome | None, typer.Option(help="Only the entries that ended so")] = None,
    output_format: Annotated[
        Format, typer.Option("--format", help="csv (with a header row) or jsonl (one per line)")
    ] = "csv",
    output: Annotated[
        Path | None, typer.Option(help="Write to this file instead of stdout")
    ] = None,
    batch_size: Annotated[
        int, typer.Option(min=1, max=100_000, help="Entries read from the database at a time")
    ] = EXPORT_BATCH_SIZE,
) -> None:
    """Export the audit trail, newest first, as market operations (every tenant's entries
    unless --tenant says which)."""
    settings = platform_settings()
    where = AuditFilter(
        actor_id=user_id(actor),
        action=action,
        outcome=outcome,
        since=moment(since, "--since"),
        until=moment(until, "--until"),
    )
    if output is None:
        exported = run(
            _export(settings, where, tenant, entry_writer(output_format, sys.stdout), batch_size)
        )
        sys.stdout.flush()
        err.print(f"exported {exported} audit entries")
        return
    try:
        with output.open("w", encoding="utf-8", newline="") as out:
            exported = run(
                _export(settings, where, tenant, entry_writer(output_format, out), batch_size)
            )
    except BaseException:
        output.unlink(missing_ok=True)  # never a partial export that looks whole
        raise
    err.print(f"exported {exported} audit entries to {escape(str(output))}")
