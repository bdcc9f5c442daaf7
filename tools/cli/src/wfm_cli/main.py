"""`wfm`: operate Workflow Manager (migrations, seeding, templates, tenants and users,
tokens, the API server, the schema)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import shutil
import signal
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import asyncpg
import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from wfm_cli import audit, bench, devstate, privacy, secrets, templates, tenants, tokens, users
from wfm_cli.runtime import (
    USAGE_ERROR,
    console,
    dev_directory,
    err,
    load_extensions,
    load_settings,
    opened_services,
    platform_settings,
    report_error,
    require_database_url,
    require_development_tools,
)
from wfm_shared.errors import ServiceUnavailable, WfmError
from wfm_shared.settings import Settings
from wfm_storage.migrations import MigrationError, migrate
from wfm_storage.mongo_indexes import IndexPlanError, migrate_mongo
from wfm_storage.postgres import init_connection
from wfm_workflows.seed import (
    DEMO_PASSWORD,
    DEMO_TENANTS,
    MARKET_OPS_USERS,
    seed_demo_data,
    seed_templates,
)

if TYPE_CHECKING:
    from wfm_workflows.reconciler import ReconcileReport

app = typer.Typer(help="Workflow Manager: operations from the command line.", no_args_is_help=True)
app.add_typer(templates.app, name="templates")
app.add_typer(tenants.app, name="tenants")
app.add_typer(users.app, name="users")
app.add_typer(tokens.app, name="token")
app.add_typer(bench.app, name="bench")
app.add_typer(audit.app, name="audit")
app.add_typer(secrets.app, name="secrets")
app.add_typer(privacy.app, name="privacy")

SCHEMA_PATH = Path("apps/api/schema.graphql")


async def _migrate(settings: Settings) -> list[str]:
    """The SQL migrations, then the MongoDB index plan (when MONGODB_URL is set); what was
    applied now, one line each."""
    applied = await migrate(
        require_database_url(settings), settings.app_db_password.get_secret_value()
    )
    done = [f"migration {m.version:04d}_{m.name}" for m in applied]
    if settings.mongodb_url:
        plan = await migrate_mongo(
            settings.mongodb_url,
            settings.mongodb_database,
            ferretdb_storage_url=settings.ferretdb_postgresql_url,
        )
        done += [f"FerretDB index {name}" for name in plan.created_gin_indexes]
    return done


def _seed_progress() -> Progress:
    return Progress(
        TextColumn("{task.description:<40}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
    )


class DemoDataRefused(Exception):
    """The demo logins (a published password, market operations among them) are never
    created in production."""


DEMO_REFUSED_IN_PRODUCTION = (
    "refusing to create demo users with a known password in production (WFM_ENV=production): "
    "use `wfm seed --no-demo`, and `wfm users create` for real accounts"
)


async def _seed(settings: Settings, demo: bool) -> None:
    # every command that seeds comes here: no path creates the demo logins in production
    if demo and settings.env == "production":
        raise DemoDataRefused(DEMO_REFUSED_IN_PRODUCTION)
    conn = await asyncpg.connect(require_database_url(settings))
    try:
        await init_connection(conn)
        async with conn.transaction():
            if demo:
                # one step for the templates, then one per tenant and per user
                steps = 1 + len(MARKET_OPS_USERS)
                steps += sum(1 + len(tenant.users) for tenant in DEMO_TENANTS)
                with _seed_progress() as progress:
                    task = progress.add_task("seeding", total=steps)
                    report = await seed_demo_data(
                        conn,
                        bcrypt_rounds=settings.bcrypt_rounds,
                        progress=lambda step: progress.update(
                            task, advance=1, description=f"seeded {step}"
                        ),
                    )
                    progress.update(task, completed=steps, description="seeded")
                console.print(
                    f"seeded {len(report.templates)} template(s), {len(report.tenants)} tenant(s), "
                    f"{len(report.users)} user(s)"
                )
            else:
                with _seed_progress() as progress:
                    task = progress.add_task("seeding templates", total=1)
                    seeded = await seed_templates(conn)
                    progress.update(task, advance=1, description="seeded templates")
                console.print(f"seeded {len(seeded)} template(s)")
    finally:
        await conn.close()


@app.command("migrate")
def migrate_command() -> None:
    """Apply pending database migrations (as the owner in DATABASE_URL)."""
    settings = load_settings()
    try:
        applied = asyncio.run(_migrate(settings))
    except (
        MigrationError,
        IndexPlanError,
        ServiceUnavailable,
        OSError,
        asyncpg.PostgresError,
    ) as error:
        err.print(f"[red]migration failed:[/red] {escape(str(error))}")
        raise typer.Exit(1) from None
    console.print("\n".join(f"applied {name}" for name in applied) or "database is up to date")
    if not settings.mongodb_url:
        console.print("MONGODB_URL is not set: the MongoDB index plan was not applied")


@app.command("seed")
def seed_command(
    demo: Annotated[bool, typer.Option(help="Also create the demo tenants and users")] = True,
) -> None:
    """Seed the base templates and (outside production) the demo tenants and users."""
    settings = load_settings()
    try:
        asyncio.run(_seed(settings, demo))
    except DemoDataRefused as error:
        err.print(f"[red]{escape(str(error))}[/red]")
        raise typer.Exit(USAGE_ERROR) from None
    except WfmError as error:
        report_error(error, "seeding failed")
        raise typer.Exit(1) from None
    except (OSError, asyncpg.PostgresError) as error:
        err.print(f"[red]seeding failed:[/red] {escape(str(error))}")
        raise typer.Exit(1) from None


async def _reconcile(settings: Settings, batch_size: int) -> ReconcileReport:
    async with opened_services(settings) as services:
        return await services.reconciler.run(batch_size=batch_size)


@app.command("reconcile")
def reconcile_command(
    batch_size: Annotated[int, typer.Option(min=1, max=10_000, help="Index rows per batch")] = 500,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Bring instance documents and the Postgres index up to the event log (idempotent)."""
    settings = platform_settings()
    load_extensions()
    try:
        report = asyncio.run(_reconcile(settings, batch_size))
    except (OSError, ValueError, asyncpg.PostgresError, ServiceUnavailable) as error:
        err.print(f"[red]reconcile failed:[/red] {escape(str(error))}")
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
    import uvicorn

    from wfm_api.app import create_app
    from wfm_api.server import server_config
    from wfm_shared.logging import configure_logging

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_json)
    config = server_config(
        create_app(settings, owns_process=True),
        settings,
        host=host or settings.host,
        port=port or settings.port,
    )
    server = uvicorn.Server(config)
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    if not server.started:  # the port was taken, or the app failed to start
        raise typer.Exit(1)


@app.command("worker")
def worker_command() -> None:
    """Run the background worker: jobs, timers, schedules, reconciler (SIGTERM stops it
    gracefully: jobs in flight finish first)."""
    from wfm_shared.logging import configure_logging
    from wfm_worker.worker import Worker

    settings = load_settings()
    require_database_url(settings)
    configure_logging(settings.log_level, settings.log_json)

    async def main() -> None:
        worker = Worker(settings)
        await worker.start()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, worker.stop)
        try:
            await worker.run()
        finally:
            await worker.close()

    asyncio.run(main())


def _print_dev_banner(settings: Settings, api_url: str) -> None:
    console.print(
        "\n[bold green]Workflow Manager is running[/bold green]\n"
        f"  Console (market operations)  [link={api_url}/console/work]{api_url}/console/work[/link]\n"
        f"  Portal (participants)        [link={api_url}/portal]{api_url}/portal[/link]\n"
        f"  GraphiQL                     [link={api_url}/graphql]{api_url}/graphql[/link]"
    )
    table = Table(title=f"Demo logins (password: {DEMO_PASSWORD})")
    table.add_column("email")
    table.add_column("role")
    table.add_column("tenant")
    for user in MARKET_OPS_USERS:
        table.add_row(user.email, user.role, "(all tenants)")
    for tenant in DEMO_TENANTS:
        for user in tenant.users:
            table.add_row(user.email, user.role, tenant.company_name)
    console.print(table)
    console.print(
        "Sign in to the console or the portal with one of them; in GraphiQL, log in with the "
        "`login` mutation, then send the accessToken as `Authorization: Bearer <token>` "
        "(Headers tab). Ctrl-C stops everything.\n"
    )


def _refuse_unsafe_dev(settings: Settings, allow_external_servers: bool) -> None:
    """`wfm dev` gives everyone who can reach it market operations (published demo logins)
    and GraphiQL: never in production, and on servers other than its own only when told."""
    if settings.env == "production":
        err.print(
            "[red]`wfm dev` never runs with WFM_ENV=production[/red]: it creates demo logins "
            "with a published password. Run `wfm migrate`, `wfm seed --no-demo` and `wfm serve`."
        )
        raise typer.Exit(USAGE_ERROR)
    external = [
        name
        for name, url in (
            ("DATABASE_URL", settings.database_url),
            ("MONGODB_URL", settings.mongodb_url),
        )
        if url
    ]
    if not external:
        return
    if not allow_external_servers:
        err.print(
            f"[red]{' and '.join(external)} set[/red]: `wfm dev` would put its demo logins "
            "(published password, market operations) on those servers. Unset them to run on "
            "its own embedded servers, or pass --allow-external-servers if they are yours to "
            "fill with demo data."
        )
        raise typer.Exit(USAGE_ERROR)
    err.print(
        f"[yellow]--allow-external-servers: the demo logins go to {' and '.join(external)}[/yellow]"
    )


@app.command("dev")
def dev_command(
    port: Annotated[int | None, typer.Option(help="API port")] = None,
    allow_external_servers: Annotated[
        bool,
        typer.Option(
            "--allow-external-servers",
            help="Run on the servers DATABASE_URL / MONGODB_URL name (they get the demo logins)",
        ),
    ] = False,
) -> None:
    """Run everything locally: the embedded servers, migrations, demo data, the API.

    PostgreSQL and FerretDB run under .wfm/dev; the API serves GraphiQL. Never with
    WFM_ENV=production; with DATABASE_URL / MONGODB_URL set only when told
    (--allow-external-servers)."""
    require_development_tools("dev")
    base = load_settings(discover=False)
    _refuse_unsafe_dev(base, allow_external_servers)

    from wfm_api.app import create_app
    from wfm_api.server import server_config
    from wfm_cli.devserver import ForegroundServer, run_api_and_worker, terminate
    from wfm_devkit.servers import ServerUnavailable, create_database, running_servers
    from wfm_shared.logging import configure_logging

    configure_logging(base.log_level, json=False)
    lock = devstate.DevLock(dev_directory(base))
    try:
        lock.acquire()
    except devstate.DevAlreadyRunning as error:
        err.print(f"[red]{escape(str(error))}[/red]: stop it first (Ctrl-C in its terminal)")
        raise typer.Exit(USAGE_ERROR) from None
    # SIGTERM before the server runs must still stop the servers we started.
    signal.signal(signal.SIGTERM, terminate)
    try:
        with running_servers(dev_directory(base)) as servers, _dev_scanner(base) as scanner:
            database_url = os.environ.get("DATABASE_URL") or asyncio.run(
                create_database(servers.database_url, "wfm")
            )
            settings = base.model_copy(
                update={
                    "database_url": database_url,
                    "mongodb_url": servers.mongodb_url,
                    "ferretdb_postgresql_url": servers.ferretdb_postgresql_url,
                    "clamd_address": scanner,
                }
            )
            for name in asyncio.run(_migrate(settings)):
                console.print(f"applied {name}")
            asyncio.run(_seed(settings, demo=True))
            listen_port = port or settings.port
            config = server_config(
                create_app(settings), settings, host=settings.host, port=listen_port
            )
            api_url = f"http://{settings.host}:{listen_port}"
            dev = devstate.DevServers(
                pid=os.getpid(),
                started_at=datetime.now(UTC).isoformat(timespec="seconds"),
                api_url=api_url,
                database_url=database_url,
                mongodb_url=servers.mongodb_url,
                mongodb_database=settings.mongodb_database,
                ferretdb_postgresql_url=servers.ferretdb_postgresql_url,
            )
            lock.record(dev)
            _print_dev_banner(settings, api_url)
            _print_servers(dev)
            asyncio.run(run_api_and_worker(ForegroundServer(config), settings))
    except ServerUnavailable as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        pass
    finally:
        lock.release()
    console.print("stopped")


@contextlib.contextmanager
def _dev_scanner(settings: Settings) -> Iterator[str | None]:
    """Where uploads are scanned: WFM_CLAMD_ADDRESS when set, else ClamAV's daemon started
    here when it is installed (uploads then show `pending` until it answered), else none."""
    from wfm_devkit.clamav import CLAMD, INSTALL_CLAMD, ClamavDaemon

    if settings.clamd_address is not None:
        yield settings.clamd_address
    elif not CLAMD.exists():
        err.print(f"[yellow]uploads are not scanned[/yellow]: {INSTALL_CLAMD}")
        yield None
    else:
        with ClamavDaemon() as daemon:
            yield daemon.address


def _print_servers(dev: devstate.DevServers) -> None:
    """One line each, never cut: they are there to be copied."""
    console.print("Servers (every `wfm` command in this folder uses them):")
    rows = [
        ("API", dev.api_url),
        ("DATABASE_URL", dev.database_url),
        ("MONGODB_URL", dev.mongodb_url),
        ("WFM_FERRETDB_POSTGRESQL_URL", dev.ferretdb_postgresql_url),
    ]
    for name, value in rows:
        if value:
            console.print(f"  {name:<28} {escape(value)}")


@app.command("status")
def status_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print it as JSON")] = False,
) -> None:
    """What runs where: the servers of a `wfm dev` running on this data directory."""
    settings = load_settings(discover=False)
    dev = devstate.running_servers(dev_directory(settings))
    if as_json:
        print(json.dumps({"dev": dataclasses.asdict(dev) if dev else None}))
        return
    if dev is None:
        console.print(f"no `wfm dev` runs on {escape(str(dev_directory(settings)))}")
        return
    console.print(f"`wfm dev` runs (pid {dev.pid}, since {dev.started_at})")
    _print_servers(dev)


@app.command("clean")
def clean_command() -> None:
    """Delete the embedded servers' data (WFM_DATA_DIR), unless `wfm dev` runs on it."""
    settings = load_settings(discover=False)
    if devstate.is_running(dev_directory(settings)):
        dev = devstate.running_servers(dev_directory(settings))  # None while it starts up
        who = f" (pid {dev.pid})" if dev else ""
        err.print(
            f"[red]`wfm dev` runs on {escape(str(settings.data_dir))}{who}[/red]: stop it first"
        )
        raise typer.Exit(USAGE_ERROR)
    shutil.rmtree(settings.data_dir, ignore_errors=True)
    console.print(f"removed {escape(str(settings.data_dir))}")


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
