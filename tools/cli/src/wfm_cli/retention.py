"""`wfm privacy retention`: sweep the finished workflows past their retention period now (what
the worker does every WFM_RETENTION_INTERVAL_SECONDS), or with `--dry-run` only show which
it would erase, and print the report."""

from __future__ import annotations

import uuid
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from wfm_cli.runtime import console, opened_services, platform_settings, print_json, run
from wfm_privacy.retention import RetentionReport, SweptWorkflow
from wfm_shared.settings import Settings


def retention_command(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what a sweep would erase; change nothing")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Erase the personal data and delete the files of every completed or cancelled workflow
    past its retention period (the tenant's policy, else the template's default), and print
    what was erased. Idempotent; one sweep runs at a time (a second one does nothing)."""
    report = run(_sweep(platform_settings(), dry_run))
    if as_json:
        print_json(report.as_json())
        return
    print_report(report)


async def _sweep(settings: Settings, dry_run: bool) -> RetentionReport:
    async with opened_services(settings) as services:
        return await services.retention.sweep(dry_run=dry_run)


def print_report(report: RetentionReport) -> None:
    """A table per tenant: each workflow, its period, and what went (or would go)."""
    if report.skipped:
        console.print("another sweep is running: nothing done")
        return
    when = f"{report.at:%Y-%m-%d %H:%M} UTC"
    if not report.workflows:
        console.print(f"no finished workflow is past its retention period ({when})")
        return
    tenants: dict[uuid.UUID, list[SweptWorkflow]] = {}
    for swept in report.workflows:
        tenants.setdefault(swept.tenant_id, []).append(swept)
    for tenant_id, workflows in tenants.items():
        table = Table(title=f"tenant {tenant_id}", box=box.SIMPLE_HEAD, pad_edge=False)
        # the id whole, on one line: what an operator copies
        table.add_column("workflow", no_wrap=True, min_width=36)
        for column in ("template", "status", "finished", "days"):
            table.add_column(column, overflow="fold")
        for column in ("keys", "files", "drafts"):
            table.add_column(column, justify="right")
        for w in workflows:
            table.add_row(
                str(w.workflow_id),
                w.template_key,
                w.status.lower(),
                f"{w.finished_at:%Y-%m-%d}",
                f"{w.after_days} ({w.source})",
                str(w.keys_erased),
                str(w.files_deleted),
                str(w.drafts_deleted),
            )
        console.print(table)
    verb = "would be erased (dry run: nothing changed)" if report.dry_run else "erased"
    console.print(
        f"{len(report.workflows)} workflow(s) past their retention period at {when}: "
        f"{report.keys_erased} subject key(s), {report.files_deleted} file(s), "
        f"{report.drafts_deleted} draft(s) {verb}"
    )
