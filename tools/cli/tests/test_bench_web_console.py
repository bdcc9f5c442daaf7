"""B5, the web console: the console's workflow list timed in Chromium on a small dataset,
the bundle's figures from a build, and a clear failure when the build is missing."""

import gzip
import uuid
from pathlib import Path

import pytest
from rich.console import Console

from wfm_cli.bench.bundle import BundleNotBuilt, measure_bundle
from wfm_cli.bench.dataset import Size
from wfm_cli.bench.runner import Bench, BenchPlan, Target, _outcome, table
from wfm_devkit.chromium import CHROMIUM
from wfm_testing.pytest_plugin import discard_database

INDEX = """<!doctype html><html><head>
<script type="module" crossorigin src="/assets/index-a1.js"></script>
<link rel="modulepreload" crossorigin href="/assets/shared-b2.js">
<link rel="stylesheet" crossorigin href="/assets/index-c3.css">
</head><body><div id="root"></div></body></html>"""


def a_build(root: Path) -> Path:
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text(INDEX)
    files = {
        "index-a1.js": "const entry = 1;\n" * 200,
        "shared-b2.js": "export const shared = 2;\n" * 50,
        "index-c3.css": "main { color: black }\n" * 20,
        "WorkflowList-d4.js": "export const list = 3;\n" * 400,  # lazy: not in index.html
    }
    for name, text in files.items():
        (root / "assets" / name).write_text(text)
    return root


def gzipped(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6, mtime=0))


def test_the_bundle_counts_what_index_html_loads_apart_from_the_lazy_chunks(tmp_path):
    build = a_build(tmp_path / "web")
    assets = build / "assets"
    figures = measure_bundle(build)

    assert figures["entry"]["name"] == "assets/index-a1.js"
    assert figures["entry"]["size"]["bytes"] == (assets / "index-a1.js").stat().st_size
    assert figures["entry"]["size"]["gzip_bytes"] == gzipped(assets / "index-a1.js")
    assert figures["initial_files"] == [
        "assets/index-a1.js",
        "assets/shared-b2.js",
        "assets/index-c3.css",
    ]
    initial = ("index-a1.js", "shared-b2.js", "index-c3.css")
    assert figures["initial"]["bytes"] == sum((assets / n).stat().st_size for n in initial)
    assert figures["largest"]["name"] == "assets/WorkflowList-d4.js"
    assert figures["js"]["files"] == 3
    assert figures["css"]["files"] == 1


def test_a_missing_build_says_how_to_build_it(tmp_path):
    with pytest.raises(BundleNotBuilt, match=r"apps/web/build"):
        measure_bundle(tmp_path / "nothing")


async def test_without_a_build_b5_fails_clearly_and_the_report_says_what_to_run(
    wfm_servers, tmp_path
):
    bench = Bench(
        BenchPlan(only=("B5",)),
        wfm_servers,
        Console(record=True, width=300),
        tmp_path,
        web_build=tmp_path / "not-built",
    )
    report = await bench.run()

    assert report["results"]["B5"]["met"] is False
    out = Console(record=True, width=300)
    out.print(table(report))
    assert "failed: BundleNotBuilt('the web app is not built in" in out.export_text()
    assert "run `make install` (or `apps/web/build`)" in report["results"]["B5"]["error"]


@pytest.mark.skipif(not CHROMIUM.is_file(), reason="Debian's chromium is not installed")
async def test_b5_times_the_lists_first_page_in_chromium_beside_its_query_over_http(
    wfm_servers, tmp_path
):
    # a dataset of its own, small (more than the list's first page of 25), one sample each
    # way in: the scenario works end to end, whatever the figures
    size = Size(tenants=3, instances=30, events=300)
    plan = BenchPlan(
        only=("B5",),
        scale_large=size,
        console_samples=1,
        dataset_prefix=f"test_{uuid.uuid4().hex[:6]}_",
    )
    bench = Bench(plan, wfm_servers, Console(record=True, width=300), tmp_path)
    settings, _ = await bench.dataset("scale_large", size)  # B5 finds it loaded
    try:
        result = await bench.web_console()
    finally:
        await discard_database(wfm_servers, settings)

    assert result["total_count"] == size.instances
    for way in ("full_load", "first_visit", "in_app"):
        figures = result["browser"][way]
        assert figures["samples"] == plan.console_samples
        assert 0 < figures["query_p50_ms"] < figures["p50_ms"]
    # the page's own query, sent again over HTTP, is the baseline
    assert result["api"]["operation"] == "ConsoleWorkflowList"
    assert result["api"]["variables"]["first"] == 25
    names = [row["name"] for row in result["targets"]]
    assert any(name.startswith("B5 workflow list, first page: full load") for name in names)
    assert any(name.startswith("B5 bundle: entry chunk assets/index-") for name in names)


def test_figures_only_reported_leave_the_met_column_empty_and_do_not_fail_b5():
    held = Target("B5 bundle: what index.html loads (3 files)", "9 KB", "", "", "<= 250 KB", True)
    reported = Target("B5 bundle: all CSS (1 file)", "1 KB", "", "", "(reported)", True, held=False)
    first_visit = Target(
        "B5 workflow list, first page: first visit",
        "p95 1,400 ms",
        "",
        "",
        "(reported)",
        True,
        held=False,
    )
    result = _outcome("B5", {}, [held, reported, first_visit])
    assert result["met"] is True

    out = Console(record=True, width=300)
    out.print(table({"results": {"B5": result}}))
    lines = out.export_text().splitlines()

    def met_column(name: str) -> str:
        return next(line for line in lines if name in line).split("│")[-2].strip()

    assert met_column("all CSS") == ""
    assert met_column("first visit") == ""
    assert met_column("what index.html loads") == "yes"
