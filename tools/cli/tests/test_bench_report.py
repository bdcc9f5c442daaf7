"""The benchmark report: a run of some scenarios keeps the others' latest results."""

import json

from rich.console import Console

from wfm_cli.bench.runner import earlier_results, table

EARLIER = {
    "results": {
        "loads": {"dashboard": {"seconds": 16.2}},
        "B1": {
            "api": {"p50_ms": 10.0, "p95_ms": 12.0},
            "raw": {"p50_ms": 12.0, "p95_ms": 13.0},
            "ratio_p50": 0.83,
            "ratio_p95": 0.92,
            "round_trips": {"page_5": {"postgres": 8, "mongo": 2}},
            "round_trips_constant": True,
            "met": True,
        },
        "B2": {"error": "BenchError('internal error')", "met": False},
    }
}


def test_a_partial_run_keeps_the_scenarios_it_does_not_measure(tmp_path):
    path = tmp_path / "latest.json"
    path.write_text(json.dumps(EARLIER))
    kept = earlier_results(path, ("B2",))
    assert set(kept) == {"loads", "B1"}
    assert kept["B1"]["ratio_p50"] == 0.83


def test_no_earlier_report_keeps_nothing(tmp_path):
    assert earlier_results(tmp_path / "missing.json", ("B2",)) == {}
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert earlier_results(broken, ("B2",)) == {}


def test_the_table_shows_measured_and_failed_scenarios():
    console = Console(record=True, width=200)
    console.print(table(EARLIER))
    text = console.export_text()
    assert "B1 dashboard read" in text
    assert "0.83x" in text
    assert "failed: BenchError('internal error')" in text
