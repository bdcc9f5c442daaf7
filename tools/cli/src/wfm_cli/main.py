"""`wfm`: operate Workflow Manager (migrations, seeding, the API server, the schema)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import asyncpg
import typer
import uvicorn
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from wfm_shared.errors import ServiceUnavailable
from wfm_shared.logging import configure_logging
from wfm_shared.settings import InsecureConfiguration, Settings
from wfm_storage.bootstrap import Storage
from wfm_storage.migrations import MigrationError, migrate
from wfm_storage.postgres import init_connection
from wfm_workflows.reconciler import Reconciler, ReconcileReport
from wfm_workflows.seed import (
    DEMO_PASSWORD,
    DEMO_TENANTS,
    MARKET_OPS_USER,
    seed_demo_data,
    seed_templates,
)

app = typer.Typer(help="Workflow Manager: operations from the command line.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)

SCHEMA_PATH = Path("apps/api/schema.graphql")


def load_settings() -> Settings:
    try:
        return Settings()
    except (ValidationError, InsecureConfiguration) as error:
        err.print(f"[red]invalid configuration:[/red] {error}")
        raise typer.Exit(2) from None


def require_database_url(settings: Settings) -> str:
    if not settings.database_url:
        err.print("[red]DATABASE_URL is not set[/red] (or run `wfm dev` for the embedded servers)")
        raise typer.Exit(2)
    return settings.database_url


async def _migrate(settings: Settings) -> list[str]:
    applied = await migrate(
        require_database_url(settings), settings.app_db_password.get_secret_value()
    )
    return [f"{m.version:04d}_{m.name}" for m in applied]


async def _seed(settings: Settings, demo: bool) -> None:
    conn = await asyncpg.connect(require_database_url(settings))
    try:
        await init_connection(conn)
        async with conn.transaction():
            if demo:
                with console.status("seeding") as status:
                    report = await seed_demo_data(
                        conn,
                        bcrypt_rounds=settings.bcrypt_rounds,
                        progress=lambda step: status.update(f"seeded {step}"),
                    )
                console.print(
                    f"seeded {len(report.templates)} template(s), {len(report.tenants)} tenant(s), "
                    f"{len(report.users)} user(s)"
                )
            else:
                templates = await seed_templates(conn)
                console.print(f"seeded {len(templates)} template(s)")
    finally:
        await conn.close()


@app.command("migrate")
def migrate_command() -> None:
    """Apply pending database migrations (as the owner in DATABASE_URL)."""
    settings = load_settings()
    try:
        applied = asyncio.run(_migrate(settings))
    except (MigrationError, OSError, asyncpg.PostgresError) as error:
        err.print(f"[red]migration failed:[/red] {error}")
        raise typer.Exit(1) from None
    console.print("\n".join(f"applied {name}" for name in applied) or "database is up to date")


@app.command("seed")
def seed_command(
    demo: Annotated[bool, typer.Option(help="Also create the demo tenants and users")] = True,
) -> None:
    """Seed the base templates and (outside production) the demo tenants and users."""
    settings = load_settings()
    if demo and settings.env == "production":
        err.print("[red]refusing to create demo users with a known password in production[/red]")
        raise typer.Exit(2)
    try:
        asyncio.run(_seed(settings, demo))
    except (OSError, asyncpg.PostgresError) as error:
        err.print(f"[red]seeding failed:[/red] {error}")
        raise typer.Exit(1) from None


async def _reconcile(settings: Settings, batch_size: int) -> ReconcileReport:
    storage = await Storage.open(settings)
    try:
        return await Reconciler(storage).run(batch_size=batch_size)
    finally:
        await storage.close()


@app.command("reconcile")
def reconcile_command(
    batch_size: Annotated[int, typer.Option(min=1, max=10_000, help="Index rows per batch")] = 500,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Bring instance documents and the Postgres index up to the event log (idempotent)."""
    settings = load_settings()
    require_database_url(settings)
    try:
        report = asyncio.run(_reconcile(settings, batch_size))
    except (OSError, ValueError, asyncpg.PostgresError, ServiceUnavailable) as error:
        err.print(f"[red]reconcile failed:[/red] {error}")
        raise typer.Exit(1) from None
    if as_json:
        print(json.dumps(dataclasses.asdict(report)))
    else:
        console.print(
            f"checked {report.checked} workflow(s): {report.documents_repaired} document(s) and "
            f"{report.index_repaired} index row(s) repaired, {report.events_projected} event(s) projected"
        )


@app.command("serve")
def serve_command(
    host: Annotated[str | None, typer.Option(help="Listen address")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port")] = None,
) -> None:
    """Run the API on the configured databases (DATABASE_URL, MONGODB_URL)."""
    from wfm_api.app import create_app

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_json)
    uvicorn.run(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        log_level="warning",
    )


def _print_dev_banner(settings: Settings, url: str) -> None:
    console.print(
        f"\n[bold green]Workflow Manager is running[/bold green]  GraphiQL: [link={url}]{url}[/link]"
    )
    table = Table(title=f"Demo logins (password: {DEMO_PASSWORD})")
    table.add_column("email")
    table.add_column("role")
    table.add_column("tenant")
    table.add_row(MARKET_OPS_USER.email, MARKET_OPS_USER.role, "(all tenants)")
    for tenant in DEMO_TENANTS:
        for user in tenant.users:
            table.add_row(user.email, user.role, tenant.company_name)
    console.print(table)
    console.print(
        "Log in with the `login` mutation, then send the accessToken as "
        "`Authorization: Bearer <token>` (GraphiQL: Headers tab). Ctrl-C stops everything.\n"
    )


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


class ForegroundServer(uvicorn.Server):
    """Stops gracefully on Ctrl-C / SIGTERM and returns, so that the embedded servers are
    stopped after it (uvicorn would re-raise the signal once it has shut down)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        previous = {
            sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


@app.command("dev")
def dev_command(
    port: Annotated[int | None, typer.Option(help="API port")] = None,
) -> None:
    """Run everything on the embedded servers: PostgreSQL and FerretDB under .wfm/dev
    (or DATABASE_URL / MONGODB_URL), migrations, demo data, the API with GraphiQL."""
    from wfm_api.app import create_app
    from wfm_testing.servers import ServerUnavailable, create_database, running_servers

    base = load_settings()
    configure_logging(base.log_level, json=False)
    # SIGTERM before the server runs must still stop the servers we started.
    signal.signal(signal.SIGTERM, _terminate)
    try:
        with running_servers(base.data_dir / "dev") as servers:
            database_url = os.environ.get("DATABASE_URL") or asyncio.run(
                create_database(servers.database_url, "wfm")
            )
            settings = base.model_copy(
                update={"database_url": database_url, "mongodb_url": servers.mongodb_url}
            )
            for name in asyncio.run(_migrate(settings)):
                console.print(f"applied migration {name}")
            asyncio.run(_seed(settings, demo=True))
            listen_port = port or settings.port
            config = uvicorn.Config(
                create_app(settings), host=settings.host, port=listen_port, log_level="warning"
            )
            server = ForegroundServer(config)
            _print_dev_banner(settings, f"http://{settings.host}:{listen_port}/graphql")
            server.run()
    except ServerUnavailable as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        pass
    console.print("stopped")


@app.command("schema")
def schema_command(
    output: Annotated[Path, typer.Option(help="Where to write the SDL")] = SCHEMA_PATH,
    check: Annotated[
        bool, typer.Option(help="Fail if the file differs instead of writing")
    ] = False,
) -> None:
    """Write the GraphQL schema (SDL) that clients generate code from."""
    from wfm_api.schema import schema_sdl

    sdl = schema_sdl()
    if check:
        if not output.exists() or output.read_text(encoding="utf-8") != sdl:
            err.print(f"[red]{output} is stale[/red]: run `make schema`")
            raise typer.Exit(1)
        console.print(f"{output} is up to date")
        return
    output.write_text(sdl, encoding="utf-8")
    console.print(f"wrote {output}")


def main() -> None:  # pragma: no cover
    sys.exit(app())
