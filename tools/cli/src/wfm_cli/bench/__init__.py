"""`wfm bench`: bulk-load benchmark data and run B1-B6 (`make bench`)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from wfm_cli.runtime import console, err, load_settings, require_development_tools

app = typer.Typer(help="Benchmarks: bulk-load data, run B1-B6, report.", no_args_is_help=True)

REPORT_PATH = Path("bench/results/latest.json")


@app.command("load")
def load_command(
    instances: Annotated[int, typer.Option(min=14, help="Workflow instances")] = 100_000,
    events: Annotated[int, typer.Option(min=14, help="Events, in total")] = 1_000_000,
    tenants: Annotated[int, typer.Option(min=1, help="Tenants")] = 50,
    name: Annotated[str, typer.Option(help="Dataset (database) name")] = "scale_large",
    output: Annotated[
        Path, typer.Option(help="The JSON report the load time is recorded in")
    ] = REPORT_PATH,
) -> None:
    """Bulk-load a dataset into wfm_bench_<name> (embedded servers under .wfm/bench, or
    DATABASE_URL / MONGODB_URL); `wfm bench run` reuses a dataset of the size it needs."""
    require_development_tools("bench load")
    from wfm_cli.bench.dataset import Size
    from wfm_cli.bench.runner import Bench, BenchPlan, load_target, record_loads
    from wfm_devkit.servers import ServerUnavailable, running_servers

    if events < instances:
        err.print("[red]--events must be at least --instances (every instance has one)[/red]")
        raise typer.Exit(2)
    settings = load_settings()
    try:
        with running_servers(settings.data_dir / "bench") as servers:
            bench = Bench(BenchPlan(fresh=True), servers, console, settings.data_dir / "bench")
            asyncio.run(bench.dataset(name, Size(tenants, instances, events)))
    except ServerUnavailable as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from None
    loads = bench.results.get("loads", {})
    record_loads(output, loads)
    for row in (load_target(n, entry) for n, entry in loads.items()):
        console.print(f"{row.name}: {row.measured}, target {row.target}")
    console.print(f"recorded in {output}")


@app.command("run")
def run_command(
    only: Annotated[
        list[str] | None,
        typer.Option(
            help="Scenarios to run (B1, B2, B3, B4, B5, B6); all by default. The report keeps the "
            "other scenarios' latest results"
        ),
    ] = None,
    quick: Annotated[
        bool, typer.Option(help="Small data and few samples: checks the benchmark works")
    ] = False,
    fresh: Annotated[bool, typer.Option(help="Load the datasets again")] = False,
    samples: Annotated[int | None, typer.Option(min=2, help="Samples per latency")] = None,
    scale_samples: Annotated[int | None, typer.Option(min=2, help="Samples per B3 latency")] = None,
    operations: Annotated[int | None, typer.Option(min=16, help="B2 writes per side")] = None,
    scale_large_instances: Annotated[
        int | None,
        typer.Option(
            min=100, help="B2 and B3's large dataset (10 events each); 100,000 by default"
        ),
    ] = None,
    output: Annotated[Path, typer.Option(help="Where the JSON report goes")] = REPORT_PATH,
) -> None:
    """Run the benchmarks against the API as its own process; print the table and write the
    JSON report. Datasets stay in .wfm/bench for the next run."""
    require_development_tools("bench run")
    from wfm_api.web import web_dir
    from wfm_cli.bench.dataset import Size
    from wfm_cli.bench.runner import (
        SCENARIOS,
        Bench,
        BenchPlan,
        earlier_results,
        plan_with,
        table,
        write_report,
    )
    from wfm_devkit.servers import ServerUnavailable, running_servers

    chosen = tuple(s.upper() for s in (only or SCENARIOS))
    unknown = set(chosen) - set(SCENARIOS)
    if unknown:
        err.print(f"[red]unknown scenario(s): {', '.join(sorted(unknown))}[/red]")
        raise typer.Exit(2)
    large = (
        Size(tenants=50, instances=scale_large_instances, events=scale_large_instances * 10)
        if scale_large_instances
        else None
    )
    plan = plan_with(
        BenchPlan.quick() if quick else BenchPlan(),
        only=chosen,
        fresh=fresh,
        samples=samples,
        scale_samples=scale_samples,
        operations=operations,
        scale_large=large,
    )
    settings = load_settings()
    try:
        with running_servers(settings.data_dir / "bench") as servers:
            bench = Bench(
                plan,
                servers,
                console,
                settings.data_dir / "bench",
                partial=output,
                earlier=earlier_results(output, plan.only) if only else {},
                web_build=web_dir(settings),
            )
            report = asyncio.run(bench.run())
    except ServerUnavailable as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from None
    write_report(report, output)
    console.print(table(report))
    console.print(f"wrote {output}")
