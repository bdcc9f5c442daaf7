"""`wfm bench run`: datasets, the API as its own process, B1-B4, the report."""

from __future__ import annotations

import json
import os
import platform
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from wfm_cli.bench import scenarios
from wfm_cli.bench.dataset import Dataset, Size, load, reopen
from wfm_cli.bench.measure import Client
from wfm_cli.bench.plans import mongo_plans, postgres_plans
from wfm_shared.settings import Settings
from wfm_storage.bootstrap import Storage
from wfm_testing.pytest_plugin import api_env, discard_database, prepare_database
from wfm_testing.servers import ApiProcess, ServerUrls

SCENARIOS = ("B1", "B2", "B3", "B4")
DASHBOARD = Size(tenants=20, instances=10_000, events=100_000)
SCALE_SMALL = Size(tenants=50, instances=1_000, events=10_000)
SCALE_LARGE = Size(tenants=50, instances=100_000, events=1_000_000)


@dataclass(frozen=True)
class BenchPlan:
    dashboard: Size = DASHBOARD
    scale_small: Size = SCALE_SMALL
    scale_large: Size = SCALE_LARGE
    samples: int = 20
    scale_samples: int = 10
    clients: int = 16
    operations: int = 320
    contention_clients: int = 32
    contention_attempts: int = 8
    only: tuple[str, ...] = SCENARIOS
    fresh: bool = False

    @classmethod
    def quick(cls) -> BenchPlan:
        """Every scenario on small data: a check that the benchmark works, not a measurement."""
        return cls(
            dashboard=Size(tenants=20, instances=1_000, events=10_000),
            scale_small=Size(tenants=50, instances=200, events=2_000),
            scale_large=Size(tenants=50, instances=2_000, events=20_000),
            samples=8,
            scale_samples=5,
            operations=64,
            contention_attempts=4,
        )


@dataclass
class Session:
    settings: Settings
    data: Dataset
    raw: scenarios.Raw
    owner: asyncpg.Connection
    url: str
    client: Client


@dataclass
class Bench:
    plan: BenchPlan
    servers: ServerUrls
    console: Console
    work_dir: Path
    partial: Path | None = None  # where the report is written after each scenario
    results: dict[str, Any] = field(default_factory=dict)
    # results of scenarios this run leaves out, from an earlier report, kept in this one
    earlier: dict[str, Any] = field(default_factory=dict)

    async def dataset(
        self, name: str, size: Size, *, fresh: bool = False
    ) -> tuple[Settings, Dataset]:
        database = f"wfm_bench_{name}"
        settings = (await prepare_database(self.servers, database)).model_copy(
            update={"access_token_ttl_seconds": 24 * 3600}
        )
        found = None if self.plan.fresh or fresh else await reopen(settings, size)
        if found is not None:
            self.console.print(f"[dim]{name}: reusing {size}[/dim]")
            return settings, found
        await discard_database(self.servers, settings)
        settings = (await prepare_database(self.servers, database)).model_copy(
            update={"access_token_ttl_seconds": 24 * 3600}
        )
        started = time.perf_counter()
        with _progress(self.console) as progress:
            tasks = {
                "tenants": progress.add_task(f"{name}: tenants", total=size.tenants),
                "instances": progress.add_task(f"{name}: instances", total=size.instances),
            }
            found = await load(
                settings, size, lambda phase, done: progress.advance(tasks[phase], done)
            )
        seconds = time.perf_counter() - started
        self.console.print(
            f"{name}: loaded {size.instances:,} instances and {found.events_loaded:,} events "
            f"in {seconds:.0f} s"
        )
        self.results.setdefault("loads", {})[name] = {
            "seconds": round(seconds, 1),
            "instances": size.instances,
            "events": found.events_loaded,
            "tenants": size.tenants,
        }
        return settings, found

    @contextmanager
    def api(self, settings: Settings) -> Iterator[str]:
        env = api_env(
            settings,
            WFM_EXPOSE_ROUND_TRIPS="true",
            WFM_ACCESS_TOKEN_TTL_SECONDS=str(24 * 3600),
            WFM_DB_POOL_MAX="20",
            WFM_LOG_LEVEL="WARNING",
            WFM_DATABASE_TIMEOUT_SECONDS="600",
        )
        process = ApiProcess(env, self.work_dir / f"api-{uuid.uuid4().hex[:6]}.log")
        try:
            yield process.start(timeout=120)
        finally:
            process.stop()
            if process.log_path.exists() and not process.log_path.stat().st_size:
                process.log_path.unlink()

    async def raw(self, settings: Settings) -> scenarios.Raw:
        assert settings.database_url
        assert settings.mongodb_url
        return await scenarios.Raw.connect(
            settings.database_url, settings.mongodb_url, settings.mongodb_database
        )

    # -- the scenarios ---------------------------------------------------------------------

    async def run(self) -> dict[str, Any]:
        plan = self.plan
        steps = [
            ("B1", lambda: self.dashboard_read()),
            ("B2", lambda: self.write_throughput()),
            ("B3", lambda: self.scale()),
            ("B4", lambda: self.contention()),
        ]
        for name, step in steps:
            if name not in plan.only:
                continue
            try:
                self.results[name] = await step()
            except Exception as error:  # a failed scenario is reported, the others still run
                self.console.print(f"[red]{name} failed: {error!r}[/red]")
                self.results[name] = {"error": repr(error), "met": False}
            self.results[name]["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
            if self.partial is not None:
                write_report(self.report(), self.partial)
        return self.report()

    @asynccontextmanager
    async def session(
        self, name: str, size: Size, *, fresh: bool = False
    ) -> AsyncIterator[Session]:
        """A dataset, the API on it, and the raw storage next to it."""
        settings, data = await self.dataset(name, size, fresh=fresh)
        raw = await self.raw(settings)
        owner = await asyncpg.connect(settings.database_url)
        try:
            with self.api(settings) as url:
                async with httpx.AsyncClient(base_url=url, timeout=600) as http:
                    yield Session(settings, data, raw, owner, url, Client(http, data.ops.token))
        finally:
            await owner.close()
            await raw.close()

    async def dashboard_read(self) -> dict[str, Any]:
        async with self.session("dashboard", self.plan.dashboard) as s:
            self.console.print(f"B1 dashboard read on {self.plan.dashboard} ...")
            measured = await scenarios.dashboard_read(s.client, s.raw, samples=self.plan.samples)
            return {"size": asdict(self.plan.dashboard), **measured}

    async def write_throughput(self) -> dict[str, Any]:
        # a copy of the dashboard's data loaded for each run: a run's writes (or a write a
        # failed run left half-projected) never decide what the next run can write
        async with self.session("writes", self.plan.dashboard, fresh=True) as s:
            self.console.print(f"B2 write throughput on {self.plan.dashboard} ...")
            measured = await scenarios.write_throughput(
                s.url,
                s.data.ops.token,
                s.raw,
                s.owner,
                s.data.archetypes,
                clients=self.plan.clients,
                operations=self.plan.operations,
            )
            return {"size": asdict(self.plan.dashboard), **measured}

    async def contention(self) -> dict[str, Any]:
        # correctness under contention: on the small dataset, whose reads stay quick
        async with self.session("scale_small", self.plan.scale_small) as s:
            self.console.print(f"B4 contention on {self.plan.scale_small} ...")
            [target] = await scenarios.form_step_candidates(s.owner, 1)
            measured = await scenarios.contention(
                s.url,
                s.data.ops.token,
                s.raw,
                target.instance_id,
                clients=self.plan.contention_clients,
                attempts=self.plan.contention_attempts,
            )
            return {"size": asdict(self.plan.scale_small), **measured}

    async def scale(self) -> dict[str, Any]:
        measured: dict[str, Any] = {}
        for name, size in (("small", self.plan.scale_small), ("large", self.plan.scale_large)):
            async with self.session(f"scale_{name}", size) as s:
                self.console.print(f"B3 at {size} ...")
                samples = self.plan.scale_samples
                measured[name] = {
                    "size": asdict(size),
                    "list": await scenarios.list_read(s.client, s.raw, samples=samples),
                    "history": await scenarios.history_read(
                        s.client, s.raw, s.owner, samples=samples
                    ),
                }
                if name == "large":
                    measured["plans"] = await self.plans(s.settings, s.data)
        small, large = measured["small"], measured["large"]

        def growth(side: str) -> dict[str, float]:
            return {
                part: round(large[part][side]["p95_ms"] / small[part][side]["p95_ms"], 2)
                for part in ("list", "history")
            }

        ratios = growth("api")
        return {
            **measured,
            "ratio_p95": ratios,
            # the same growth of the storage asked directly: what the API cannot do better than
            "raw_ratio_p95": growth("raw"),
            "target": "large p95 <= 1.5x small p95",
            "met": all(r <= 1.5 for r in ratios.values()),
        }

    async def plans(self, settings: Settings, data: Dataset) -> dict[str, Any]:
        storage = await Storage.open(settings)
        try:
            owner = await asyncpg.connect(settings.database_url)
            try:
                rows = await owner.fetch(
                    "SELECT id, mongo_id FROM wfm.workflow_instances_index "
                    "ORDER BY created_at DESC, id DESC LIMIT 100"
                )
            finally:
                await owner.close()
            return {
                "postgres": await postgres_plans(storage, data.ops.principal, rows[0]["id"]),
                "mongodb": await mongo_plans(storage, [r["mongo_id"] for r in rows]),
            }
        finally:
            await storage.close()

    def report(self) -> dict[str, Any]:
        return {
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
            },
            "servers": {
                "postgres": "DATABASE_URL" if os.environ.get("DATABASE_URL") else "embedded",
                "mongodb": (os.environ.get("MONGODB_URL") and "MONGODB_URL") or "FerretDB v1.24.2",
            },
            "plan": {
                k: (asdict(v) if isinstance(v, Size) else v) for k, v in asdict(self.plan).items()
            },
            "results": {
                **{k: v for k, v in self.earlier.items() if k in SCENARIOS},
                **self.results,
                "loads": {**self.earlier.get("loads", {}), **self.results.get("loads", {})},
            },
        }


def earlier_results(path: Path, rerun: tuple[str, ...]) -> dict[str, Any]:
    """The results of the report at `path` for the scenarios not in `rerun` (none when there
    is no readable report): `--only B2` measures B2 again and keeps B1, B3 and B4."""
    try:
        report = json.loads(path.read_text())
        results = dict(report["results"])
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return {k: v for k, v in results.items() if k not in rerun}


@contextmanager
def _progress(console: Console) -> Iterator[Progress]:
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        yield progress


def table(report: dict[str, Any]) -> Table:
    """The report as the README shows it: every figure next to its baseline and target."""
    results = dict(report["results"])
    out = Table(title="make bench", show_lines=False)
    for column in ("scenario", "measured", "baseline", "ratio", "target", "met"):
        out.add_column(column)
    for name in SCENARIOS:
        if "error" in results.get(name, {}):
            out.add_row(name, f"failed: {results.pop(name)['error'][:80]}", "", "", "", _met(False))
    if "B1" in results:
        b1 = results["B1"]
        trips = b1["round_trips"]
        out.add_row(
            "B1 dashboard read (100 per page)",
            f"p50 {b1['api']['p50_ms']} ms, p95 {b1['api']['p95_ms']} ms",
            f"raw p50 {b1['raw']['p50_ms']} ms, p95 {b1['raw']['p95_ms']} ms",
            f"{b1['ratio_p50']}x (p95 {b1['ratio_p95']}x)",
            "<= 2.0x",
            _met(b1["met"]),
        )
        out.add_row(
            "B1 round trips, page 5 / 100",
            " / ".join(_trips(t) for t in trips.values()),
            "",
            "constant" if b1["round_trips_constant"] else "grows",
            "constant",
            _met(b1["round_trips_constant"]),
        )
    if "B2" in results:
        b2 = results["B2"]
        out.add_row(
            f"B2 writes ({b2['clients']} clients)",
            f"{b2['api_ops_per_s']} ops/s",
            f"raw {b2['raw_ops_per_s']} ops/s",
            f"{b2['share_of_raw'] * 100:.0f}% of raw",
            ">= 50%",
            _met(b2["met"]),
        )
    if "B3" in results:
        b3 = results["B3"]
        raw_growth = b3.get("raw_ratio_p95", {})  # reports before it had no raw figures
        for part in ("list", "history"):
            raw = f" (raw {raw_growth[part]}x)" if part in raw_growth else ""
            out.add_row(
                f"B3 {part} p95, {b3['large']['size']['instances']:,} vs "
                f"{b3['small']['size']['instances']:,} instances",
                f"{b3['large'][part]['api']['p95_ms']} ms",
                f"{b3['small'][part]['api']['p95_ms']} ms",
                f"{b3['ratio_p95'][part]}x{raw}",
                "<= 1.5x",
                _met(b3["ratio_p95"][part] <= 1.5),
            )
    if "B4" in results:
        b4 = results["B4"]
        out.add_row(
            f"B4 contention ({b4['clients']} clients, one workflow)",
            f"{b4['acknowledged']} acknowledged, {b4['lost_updates']} lost",
            f"{b4['attempts']} attempts",
            f"conflict rate {b4['conflict_rate'] * 100:.0f}%",
            "0 lost, contiguous seqs",
            _met(b4["met"]),
        )
    return out


def _trips(trips: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in trips.items()) or "?"


def _met(value: bool) -> str:
    return "[green]yes[/green]" if value else "[red]no[/red]"


def write_report(report: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, default=str) + "\n")


def plan_with(plan: BenchPlan, **changes: Any) -> BenchPlan:
    return replace(plan, **{k: v for k, v in changes.items() if v is not None})
