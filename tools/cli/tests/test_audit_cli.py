"""`wfm audit export` end to end, on a platform of this module's own: CSV with a header row,
JSON Lines one entry per line, the filters, a file or stdout, in batches."""

import csv
import io
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from wfm_testing.factories import a_tenant

T0 = datetime(2023, 1, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
async def trail(owner):
    """Two tenants' entries at known times: A has three (one refused, by `user`), B one.
    Every test of the module adds its own to the module's database."""
    a, b, user = await a_tenant(owner), await a_tenant(owner), uuid.uuid4()
    rows = [
        (a.id, None, "USER_CREATED", "ok", T0, {"email": "x@example.test"}),
        (a.id, user, "ACCESS_REFUSED", "refused", T0 + timedelta(hours=1), {"message": "no"}),
        (a.id, None, "=HYPERLINK(1)", "ok", T0 + timedelta(hours=2), {}),
        (b.id, None, "USER_CREATED", "ok", T0 + timedelta(hours=1), {}),
    ]
    for tenant_id, actor, action, outcome, at, details in rows:
        await owner.execute(
            "INSERT INTO wfm.audit_log (tenant_id, actor_id, actor_role, action, target_type, "
            "target_id, details, occurred_at, outcome, client_address) "
            "VALUES ($1, $2, 'tenant_admin', $3, 'user', 'u1', $4, $5, $6, '192.0.2.9')",
            tenant_id,
            actor,
            action,
            details,
            at,
            outcome,
        )
    return a, b, user


def export(wfm, env, *args):
    result = wfm("audit", "export", *args, env=env)
    assert result.returncode == 0, result.stderr
    return result


async def test_csv_has_a_header_row_and_one_row_per_entry_newest_first(
    wfm_process, platform_env, trail
):
    a, _, _ = trail
    result = export(wfm_process, platform_env, "--tenant", a.slug, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == [
        "id", "occurredAt", "tenantId", "actorId", "actorRole", "action", "outcome",
        "objectType", "objectId", "clientAddress", "requestId", "details",
    ]  # fmt: skip
    assert [r["occurredAt"] for r in rows] == [
        (T0 + timedelta(hours=h)).isoformat() for h in (2, 1, 0)
    ]
    assert {r["tenantId"] for r in rows} == {str(a.id)}
    oldest = rows[-1]
    assert (oldest["action"], oldest["outcome"], oldest["clientAddress"]) == (
        "USER_CREATED",
        "ok",
        "192.0.2.9",
    )
    assert json.loads(oldest["details"]) == {"email": "x@example.test"}
    assert (oldest["actorId"], oldest["requestId"]) == ("", "")
    # a spreadsheet would run it as a formula
    assert rows[0]["action"] == "'=HYPERLINK(1)"
    assert "exported 3 audit entries" in result.stderr


async def test_json_lines_hold_one_entry_per_line_into_a_file(wfm, platform_env, trail, tmp_path):
    a, _, _ = trail
    target = tmp_path / "audit.jsonl"
    result = export(
        wfm, platform_env, "--tenant", str(a.id), "--format", "jsonl", "--output", str(target)
    )
    assert result.stdout == ""
    entries = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [e["action"] for e in entries] == ["=HYPERLINK(1)", "ACCESS_REFUSED", "USER_CREATED"]
    refused = entries[1]
    assert refused["actorId"] == str(trail[2])
    assert (refused["outcome"], refused["details"]) == ("refused", {"message": "no"})
    assert refused["requestId"] is None
    assert f"to {target}" in result.stderr


async def test_the_filters_select_by_time_tenant_action_actor_and_outcome(wfm, platform_env, trail):
    a, b, user = trail

    def actions(*args):
        lines = export(wfm, platform_env, "--format", "jsonl", *args).stdout.splitlines()
        return [(json.loads(line)["tenantId"], json.loads(line)["action"]) for line in lines]

    hour = [(T0 + timedelta(hours=h)).isoformat() for h in range(3)]
    assert actions("--since", hour[1], "--until", hour[2], "--tenant", a.slug) == [
        (str(a.id), "ACCESS_REFUSED")
    ]
    assert actions("--since", hour[1], "--until", hour[2], "--tenant", b.slug) == [
        (str(b.id), "USER_CREATED")
    ]
    # without an offset, UTC; a date alone is its midnight
    assert actions(
        "--since", "2023-01-10T10:00:00", "--until", "2023-01-11", "--tenant", a.slug
    ) == [
        (str(a.id), "=HYPERLINK(1)"),
        (str(a.id), "ACCESS_REFUSED"),
    ]
    across_tenants = actions(
        "--action", "USER_CREATED", "--since", hour[0], "--until", "2023-01-11"
    )
    assert [e for e in across_tenants if e[0] in {str(a.id), str(b.id)}] == [
        (str(b.id), "USER_CREATED"),
        (str(a.id), "USER_CREATED"),
    ]
    assert {action for _, action in across_tenants} == {"USER_CREATED"}
    assert actions("--actor", str(user)) == [(str(a.id), "ACCESS_REFUSED")]
    assert actions("--outcome", "refused", "--tenant", a.slug) == [(str(a.id), "ACCESS_REFUSED")]


async def test_an_export_read_a_batch_at_a_time_is_the_whole_export(wfm, platform_env, trail):
    a, _, _ = trail
    whole = export(wfm, platform_env, "--tenant", a.slug, "--format", "jsonl").stdout
    batched = export(
        wfm, platform_env, "--tenant", a.slug, "--format", "jsonl", "--batch-size", "1"
    )
    assert batched.stdout == whole
    assert len(whole.splitlines()) == 3


def test_bad_arguments_are_usage_errors_and_an_unknown_tenant_writes_no_file(
    wfm, platform_env, tmp_path
):
    bad_time = wfm("audit", "export", "--since", "yesterday", env=platform_env)
    assert bad_time.returncode == 2
    assert "ISO 8601" in bad_time.stderr
    bad_format = wfm("audit", "export", "--format", "xml", env=platform_env)
    assert bad_format.returncode == 2
    target = tmp_path / "audit.csv"
    unknown = wfm(
        "audit", "export", "--tenant", "no-such-tenant", "--output", str(target), env=platform_env
    )
    assert unknown.returncode == 1
    assert "tenant no-such-tenant not found" in unknown.stderr
    assert not target.exists()
