"""`wfm templates`: validate template files, import, publish, export, list, deprecate, and
the JSON Schema of the template format for editors."""

from __future__ import annotations

import enum
import functools
import json
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.markup import escape
from rich.table import Table

from wfm_cli.runtime import (
    USAGE_ERROR,
    console,
    err,
    load_extensions,
    opened_services,
    platform_settings,
    print_json,
    problems_as_json,
    report_error,
    run,
)
from wfm_engine import TemplateInvalid, WorkflowTemplate
from wfm_engine.status import MarketRole
from wfm_shared.errors import FieldError, WfmError
from wfm_shared.principal import system_principal
from wfm_shared.settings import Settings
from wfm_storage.records import TemplateRecord
from wfm_workflows.catalog import catalog_templates
from wfm_workflows.catalog_docs import replace_section, role_steps_markdown
from wfm_workflows.extensions import load_catalog
from wfm_workflows.template_service import TemplateService

app = typer.Typer(
    help="Workflow templates: validate, import, publish, export, list, deprecate.",
    no_args_is_help=True,
)

FILES_HELP = "Template files (YAML, or JSON when named *.json); a file with an `overlay` section is an overlay"
ROLE_HELP = "Market role of the template's variant (none: the base template)"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


class ExportFormat(enum.StrEnum):
    yaml = "yaml"
    json = "json"


class UnreadableFile(Exception):
    """The file could not be read at all (missing, unreadable, not UTF-8)."""


def read_definition(path: Path) -> dict[str, Any]:
    """The definition in a file; its syntax errors are template problems (exit 1)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UnreadableFile(f"cannot read {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise UnreadableFile(f"cannot read {path}: not UTF-8 text") from None
    try:
        loaded = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except RecursionError:
        # the parsers recurse once per level: far past the template depth limit anyway
        raise TemplateInvalid(
            "the file nests too deeply",
            [FieldError((), "the template nests far too deeply to be read")],
        ) from None
    except json.JSONDecodeError as error:
        raise TemplateInvalid(
            "the file is not valid JSON",
            [FieldError((), f"line {error.lineno}, column {error.colno}: {error.msg}")],
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise TemplateInvalid(
            "the file is not valid YAML", [FieldError((), f"{where}{problem}")]
        ) from None
    if not isinstance(loaded, dict):
        raise TemplateInvalid(
            "the file holds no template", [FieldError((), "must be an object of template fields")]
        )
    return loaded


@functools.cache
def _catalog_bases() -> dict[str, WorkflowTemplate]:
    """The newest base template (no market role) of each key in the installed catalog."""
    bases: dict[str, WorkflowTemplate] = {}
    for template in _catalog():
        if template.market_role is None and (
            template.key not in bases or bases[template.key].version < template.version
        ):
            bases[template.key] = template
    return bases


def check_definition(definition: dict[str, Any]) -> WorkflowTemplate:
    """Without a database: a template is parsed; an overlay is applied to the catalog's base."""
    registries = load_catalog().registries
    if "overlay" not in definition:
        return registries.parse_template(definition)
    base_key = str(definition.get("extends") or "")
    base = _catalog_bases().get(base_key)
    if base is None:
        raise TemplateInvalid(
            "overlay of an unknown template",
            [FieldError(("extends",), f"no base template {base_key!r} in the catalog")],
        )
    return registries.apply_overlay(base, definition)


def label(key: str, version: int, market_role: str | None) -> str:
    return f"{key} v{version}" + (f" ({market_role})" if market_role else "")


def summary(record: TemplateRecord) -> dict[str, Any]:
    return {
        "key": record.key,
        "version": record.version,
        "marketRole": record.market_role,
        "status": record.status,
        "extends": record.extends,
        "name": record.template.name.model_dump(),
        "steps": len(record.template.steps),
        "checksum": record.checksum,
        "createdAt": record.created_at.isoformat(),
    }


def write_output(text: str, output: Path | None, what: str) -> None:
    """To stdout (for pipes), or to a file with a note of what was written."""
    if output is None:
        print(text, end="")
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        err.print(f"[red]error:[/red] cannot write {escape(str(output))}: {error.strerror}")
        raise typer.Exit(USAGE_ERROR) from None
    console.print(f"wrote {escape(what)} to {escape(str(output))}")


def parse_reference(reference: str, *, version_required: bool = False) -> tuple[str, int | None]:
    """`KEY` or `KEY@VERSION`."""
    key, at, version = reference.partition("@")
    if not key or (at and not (version.isdigit() and int(version) >= 1)):
        raise typer.BadParameter(
            f"{reference!r} is not KEY or KEY@VERSION (VERSION a positive integer)"
        )
    if version_required and not at:
        raise typer.BadParameter(f"{reference!r} names no version: KEY@VERSION")
    return key, int(version) if at else None


@app.command("validate")
def validate_command(
    files: Annotated[
        list[Path], typer.Argument(metavar="FILE...", help=FILES_HELP, show_default=False)
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print [{file, valid, errors}] as JSON")
    ] = False,
) -> None:
    """Check template files without a database, printing every problem with its path.

    Exit 1 when a file is invalid, 2 when a file cannot be read."""
    load_extensions()
    results: list[dict[str, Any]] = []
    unreadable = invalid = False
    for path in files:
        try:
            template = check_definition(read_definition(path))
        except UnreadableFile as error:
            unreadable = True
            results.append(
                {"file": str(path), "valid": False, "errors": [{"path": [], "message": str(error)}]}
            )
            if not as_json:
                err.print(f"[red]error:[/red] {escape(str(error))}")
            continue
        except TemplateInvalid as error:
            invalid = True
            results.append(
                {"file": str(path), "valid": False, "errors": problems_as_json(error.errors)}
            )
            if not as_json:
                report_error(error, f"{path} is invalid")
            continue
        results.append({"file": str(path), "valid": True, "errors": []})
        if not as_json:
            console.print(
                f"[green]valid[/green] {escape(str(path))}: "
                f"{escape(label(template.key, template.version, template.market_role))}, "
                f"{len(template.steps)} step(s)"
            )
    if as_json:
        print_json(results)
    if unreadable:
        raise typer.Exit(USAGE_ERROR)
    if invalid:
        raise typer.Exit(1)


def _read_all(files: list[Path]) -> list[tuple[Path, dict[str, Any]]]:
    """Every file read before anything is stored; a file that cannot be read stops it all."""
    definitions: list[tuple[Path, dict[str, Any]]] = []
    for path in files:
        try:
            definitions.append((path, read_definition(path)))
        except UnreadableFile as error:
            err.print(f"[red]error:[/red] {escape(str(error))}")
            raise typer.Exit(USAGE_ERROR) from None
        except TemplateInvalid as error:
            report_error(error, f"{path} is invalid")
            raise typer.Exit(1) from None
    return definitions


async def _known_ids(service: TemplateService, definition: dict[str, Any]) -> set[uuid.UUID]:
    key = definition.get("key") or definition.get("extends")
    if not isinstance(key, str):
        return set()
    return {record.id for record in await service.versions(system_principal(), key)}


async def _store(
    settings: Settings, definitions: list[tuple[Path, dict[str, Any]]], *, publish: bool
) -> list[dict[str, Any]]:
    principal = system_principal()
    outcomes: list[dict[str, Any]] = []
    async with opened_services(settings) as services:
        service = services.templates
        for path, definition in definitions:
            try:
                if publish:
                    record = await service.publish(principal, definition)
                    outcome = "published"
                else:
                    known = await _known_ids(service, definition)
                    record = await service.import_(principal, definition)
                    outcome = "unchanged" if record.id in known else "imported"
            except WfmError as error:
                report_error(error, str(path))
                failure = {"message": error.message, **error.extensions()}
                outcomes.append({"file": str(path), "outcome": "failed", "error": failure})
                continue
            outcomes.append({"file": str(path), "outcome": outcome, "template": summary(record)})
    return outcomes


def _store_command(files: list[Path], as_json: bool, *, publish: bool) -> None:
    load_extensions()
    settings = platform_settings()
    outcomes = run(_store(settings, _read_all(files), publish=publish))
    if as_json:
        print_json(outcomes)
    else:
        for outcome in outcomes:
            if outcome["outcome"] == "failed":
                continue
            t = outcome["template"]
            text = {
                "published": "published",
                "imported": "imported",
                "unchanged": "unchanged (already imported)",
            }[outcome["outcome"]]
            console.print(
                f"{text} {escape(label(t['key'], t['version'], t['marketRole']))} "
                f"from {escape(outcome['file'])}"
            )
    if any(o["outcome"] == "failed" for o in outcomes):
        raise typer.Exit(1)


@app.command("import")
def import_command(
    files: Annotated[
        list[Path], typer.Argument(metavar="FILE...", help=FILES_HELP, show_default=False)
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcomes as JSON")] = False,
) -> None:
    """Store each file as exactly the version it names.

    For moving templates between installations: the same content again changes nothing;
    other content under a stored version is a conflict (exit 1): publish it instead."""
    _store_command(files, as_json, publish=False)


@app.command("publish")
def publish_command(
    files: Annotated[
        list[Path], typer.Argument(metavar="FILE...", help=FILES_HELP, show_default=False)
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcomes as JSON")] = False,
) -> None:
    """Store each file as the next version of its key and market role.

    The version in the file is ignored. Running workflows keep the version they started on."""
    _store_command(files, as_json, publish=True)


async def _get(
    settings: Settings, key: str, version: int | None, role: str | None
) -> TemplateRecord:
    async with opened_services(settings) as services:
        return await services.templates.get(system_principal(), key, version, role)


@app.command("export")
def export_command(
    reference: Annotated[
        str,
        typer.Argument(
            metavar="KEY[@VERSION]", help="Template key, and version (default: the newest)"
        ),
    ],
    role: Annotated[MarketRole | None, typer.Option(help=ROLE_HELP, case_sensitive=False)] = None,
    output_format: Annotated[
        ExportFormat | None,
        typer.Option("--format", help="yaml or json (default: from --output's suffix, else yaml)"),
    ] = None,
    output: Annotated[
        Path | None, typer.Option(help="Write to this file instead of stdout")
    ] = None,
) -> None:
    """Print a stored template's definition, ready for `wfm templates import`."""
    key, version = parse_reference(reference)
    load_extensions()
    settings = platform_settings()
    record = run(_get(settings, key, version, role.value if role else None))
    if output_format is None:
        is_json = output is not None and output.suffix.lower() == ".json"
        output_format = ExportFormat.json if is_json else ExportFormat.yaml
    definition = record.template.definition()
    if output_format is ExportFormat.json:
        text = json.dumps(definition, indent=2, ensure_ascii=False) + "\n"
    else:
        text = yaml.safe_dump(definition, sort_keys=False, allow_unicode=True, width=100)
    write_output(text, output, label(record.key, record.version, record.market_role))


async def _list(
    settings: Settings, key: str | None, role: str | None, include_deprecated: bool
) -> list[TemplateRecord]:
    async with opened_services(settings) as services:
        return await services.templates.list(
            system_principal(), key=key, market_role=role, include_deprecated=include_deprecated
        )


@app.command("list")
def list_command(
    key: Annotated[str | None, typer.Option(help="Only this template key")] = None,
    role: Annotated[
        MarketRole | None,
        typer.Option(
            help="Only this market role's variants and the base templates", case_sensitive=False
        ),
    ] = None,
    include_deprecated: Annotated[
        bool, typer.Option("--all", help="Include deprecated versions")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False,
) -> None:
    """List the newest version of each template and market-role variant."""
    load_extensions()
    settings = platform_settings()
    records = run(_list(settings, key, role.value if role else None, include_deprecated))
    if as_json:
        print_json([summary(record) for record in records])
        return
    table = Table()
    for column in ("key", "role", "version", "status", "steps"):
        table.add_column(column, justify="right" if column in ("version", "steps") else "left")
    for record in records:
        table.add_row(
            record.key,
            record.market_role or "-",
            str(record.version),
            record.status,
            str(len(record.template.steps)),
        )
    console.print(table)


async def _deprecate(
    settings: Settings, key: str, version: int, role: str | None
) -> TemplateRecord:
    async with opened_services(settings) as services:
        return await services.templates.deprecate(system_principal(), key, version, role)


@app.command("deprecate")
def deprecate_command(
    reference: Annotated[
        str, typer.Argument(metavar="KEY@VERSION", help="The version to deprecate")
    ],
    role: Annotated[MarketRole | None, typer.Option(help=ROLE_HELP, case_sensitive=False)] = None,
) -> None:
    """Deprecate a version: no new workflow starts on it.

    It stays readable, and running workflows go on."""
    key, version = parse_reference(reference, version_required=True)
    assert version is not None
    load_extensions()
    settings = platform_settings()
    record = run(_deprecate(settings, key, version, role.value if role else None))
    console.print(f"deprecated {escape(label(record.key, record.version, record.market_role))}")


def template_json_schema() -> dict[str, Any]:
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        **WorkflowTemplate.model_json_schema(by_alias=True),
    }


@app.command("schema")
def schema_command(
    output: Annotated[
        Path | None, typer.Option(help="Write to this file instead of stdout")
    ] = None,
) -> None:
    """Print the JSON Schema of a template file, for editors.

    Overlays are not covered; `validate` checks more (graph, conditions, names)."""
    text = json.dumps(template_json_schema(), indent=2, ensure_ascii=False) + "\n"
    write_output(text, output, "the template JSON Schema")


@app.command("doc")
def doc_command(
    readme: Annotated[
        Path | None,
        typer.Option(help="Replace the generated role-steps section of this file"),
    ] = None,
    check: Annotated[
        bool, typer.Option(help="With --readme: fail if the section differs instead of writing")
    ] = False,
) -> None:
    """Print the table of each market role's onboarding steps, from the installed catalog."""
    table = role_steps_markdown(_catalog())
    if readme is None:
        typer.echo(table)
        return
    text = readme.read_text(encoding="utf-8")
    try:
        updated = replace_section(text, table)
    except ValueError as missing:
        err.print(f"[red]{readme}: {missing}[/red]")
        raise typer.Exit(USAGE_ERROR) from None
    if check:
        if updated != text:
            err.print(
                f"[red]{readme}'s role steps are stale[/red]: "
                f"run `uv run wfm templates doc --readme {readme}`"
            )
            raise typer.Exit(1)
        console.print(f"{readme}'s role steps are up to date")
        return
    readme.write_text(updated, encoding="utf-8")
    console.print(f"wrote the role steps into {readme}")


def _catalog() -> list[WorkflowTemplate]:
    try:
        return catalog_templates()
    except TemplateInvalid as invalid:
        report_error(invalid, "the installed template catalog")
        raise typer.Exit(USAGE_ERROR) from None
