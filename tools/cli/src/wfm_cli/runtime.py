"""What every `wfm` command shares: settings, the platform's storage, and how errors end a
command (a message on stderr and an exit code: 1 for a domain error, 2 for a usage or
configuration error; never a traceback for an expected error)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Coroutine, Sequence
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import typer
from pydantic import ValidationError
from pymongo.errors import PyMongoError
from rich.console import Console
from rich.markup import escape

from wfm_bootstrap import Services, bootstrap
from wfm_cli import devstate
from wfm_shared.errors import FieldError, ValidationFailed, WfmError
from wfm_shared.settings import InsecureConfiguration, Settings
from wfm_workflows.extensions import ExtensionError, load_catalog

T = TypeVar("T")

# soft_wrap: long messages and paths stay on one line, whatever the terminal's width.
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DOMAIN_ERROR = 1
USAGE_ERROR = 2


def load_settings(*, discover: bool = True) -> Settings:
    """Settings from the environment; with `discover`, the servers of a running `wfm dev`
    stand in for the database URLs that are not set."""
    try:
        settings = Settings()
    except (ValidationError, InsecureConfiguration) as error:
        err.print(f"[red]invalid configuration:[/red] {escape(str(error))}")
        raise typer.Exit(USAGE_ERROR) from None
    if discover and not (settings.database_url and settings.mongodb_url):
        dev = devstate.running_servers(dev_directory(settings))
        if dev is not None:
            err.print(f"[dim]using the servers of `wfm dev` (pid {dev.pid})[/dim]")
            settings = settings.model_copy(
                update={
                    "database_url": settings.database_url or dev.database_url,
                    "mongodb_url": settings.mongodb_url or dev.mongodb_url,
                    "ferretdb_postgresql_url": settings.ferretdb_postgresql_url
                    or dev.ferretdb_postgresql_url,
                }
            )
    return settings


def dev_directory(settings: Settings) -> Path:
    return settings.data_dir / "dev"


def require_database_url(settings: Settings) -> str:
    if not settings.database_url:
        err.print("[red]DATABASE_URL is not set[/red] (or run `wfm dev` for the embedded servers)")
        raise typer.Exit(USAGE_ERROR)
    return settings.database_url


def platform_settings() -> Settings:
    """Settings for commands that act as the platform: both databases must be configured."""
    settings = load_settings()
    require_database_url(settings)
    if not settings.mongodb_url:
        err.print("[red]MONGODB_URL is not set[/red]")
        raise typer.Exit(USAGE_ERROR)
    return settings


def require_development_tools(command: str) -> None:
    """`wfm dev` and `wfm bench` run embedded servers from the workspace's development tools,
    which a production installation (`uv sync --no-dev`, the image) leaves out."""
    try:
        import wfm_devkit  # noqa: F401
    except ImportError:
        err.print(
            f"[red]`wfm {command}` needs the development tools[/red] (embedded PostgreSQL and "
            "FerretDB), which this installation leaves out: run it from a workspace set up "
            "with `make install`"
        )
        raise typer.Exit(USAGE_ERROR) from None


def load_extensions() -> None:
    """Extensions register the validators, gates and step types templates refer to."""
    try:
        load_catalog()
    except ExtensionError as error:
        err.print(f"[red]error:[/red] {escape(str(error))}")
        raise typer.Exit(USAGE_ERROR) from None


@contextlib.asynccontextmanager
async def opened_services(settings: Settings) -> AsyncIterator[Services]:
    """The platform's services (`wfm_bootstrap`), closed when the command is done."""
    services = await bootstrap(settings)
    try:
        yield services
    finally:
        await services.close()


def format_path(path: Sequence[str | int]) -> str:
    """`("steps", 2, "next", 0, "to")` -> `steps[2].next[0].to`; the whole document: `(root)`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(root)"


def problems_as_json(errors: Sequence[FieldError]) -> list[dict[str, Any]]:
    return [e.as_dict() for e in errors]


def print_json(value: Any) -> None:
    """Plain stdout, for scripts: no markup, no wrapping."""
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def report_error(error: WfmError, subject: str | None = None) -> None:
    prefix = f"{escape(subject)}: " if subject else ""
    err.print(f"[red]error:[/red] {prefix}{escape(error.message)}")
    if isinstance(error, ValidationFailed):
        for problem in error.errors:
            err.print(
                f"  [red]{escape(format_path(problem.path))}[/red]: {escape(problem.message)}"
            )


def run(main: Coroutine[Any, Any, T]) -> T:
    """Run a command's coroutine; an expected error ends the command with its exit code."""
    try:
        return asyncio.run(main)
    except WfmError as error:
        report_error(error)
        raise typer.Exit(DOMAIN_ERROR) from None
    except (OSError, asyncpg.PostgresError, PyMongoError) as error:
        err.print(f"[red]error:[/red] database: {escape(str(error))}")
        raise typer.Exit(DOMAIN_ERROR) from None
