"""B6, attachments: 10 MiB PDFs up and down through the API process on a small dataset of
its own, one file each way: the scenario works end to end, whatever the figures."""

import uuid

import asyncpg
from rich.console import Console

from wfm_cli.bench.attachments import FILE_BYTES
from wfm_cli.bench.dataset import Size
from wfm_cli.bench.runner import Bench, BenchPlan, table
from wfm_devkit.documents import padded_pdf_document, pdf_document
from wfm_testing.pytest_plugin import discard_database


def test_the_padded_pdf_is_exactly_as_large_as_asked_and_still_a_pdf():
    document = padded_pdf_document("Bank guarantee", FILE_BYTES)
    assert len(document) == FILE_BYTES
    assert document.startswith(pdf_document("Bank guarantee")[:9])  # %PDF-1.4
    assert document.endswith(b"%%EOF\n")
    # the cross-reference table is where the trailer says it is
    start = int(document.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert document[start : start + 5] == b"xref\n"


async def test_b6_uploads_and_downloads_through_the_api_and_reports_its_rows(wfm_servers, tmp_path):
    size = Size(tenants=3, instances=30, events=300)
    plan = BenchPlan(
        only=("B6",), scale_small=size, uploads=1, dataset_prefix=f"test_{uuid.uuid4().hex[:6]}_"
    )
    bench = Bench(plan, wfm_servers, Console(record=True, width=300), tmp_path)
    settings, _ = await bench.dataset("scale_small", size)  # B6 finds it loaded
    try:
        report = await bench.run()
        owner = await asyncpg.connect(settings.database_url)
        try:
            kept = await owner.fetch(
                "SELECT id FROM wfm.files WHERE size_bytes = $1 AND deleted_at IS NULL",
                FILE_BYTES,
            )
        finally:
            await owner.close()
    finally:
        await discard_database(wfm_servers, settings)

    result = report["results"]["B6"]
    assert "error" not in result, result.get("error")
    assert result["files"] == 1
    for way in ("upload", "download"):
        assert result[way]["api"]["samples"] == 1
        assert result[way]["api"]["mib_per_s"] > 0
        assert result[way]["direct"]["mib_per_s"] > 0
        memory = result["memory"][way]
        assert memory["peak_mib"] >= memory["before_mib"] > 0
    plans = [p for part in result["plans"].values() for p in part]
    assert {p["server"] for p in plans} == {"postgres", "ferretdb"}
    assert all(p["uses_index"] for p in plans if p["server"] == "ferretdb")
    # what B6 stored is gone again: the dataset stays as it was
    assert kept == []

    out = Console(record=True, width=300)
    out.print(table(report))
    text = out.export_text()
    for row in (
        "B6 upload over HTTP (1 file of 10 MiB, one at a time)",
        "B6 API peak memory growth while uploading",
        "B6 download over HTTP",
        "B6 API peak memory growth while downloading",
        "B6 query plans",
    ):
        assert row in text
