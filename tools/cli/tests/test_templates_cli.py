"""`wfm templates` end to end: files checked offline, then stored, exported, listed and
deprecated on a platform of this module's own."""

import json
from pathlib import Path

import yaml

import wfm_market_roles
import wfm_workflows

TEXT = {"en": "Sample", "fr": "Exemple", "nl": "Voorbeeld"}
SAMPLE = {
    "key": "cli-sample",
    "version": 1,
    "name": TEXT,
    "steps": [
        {"id": "apply", "type": "form", "title": TEXT},
        {"id": "review", "type": "form", "title": TEXT},
    ],
}
# Passes the model, fails the structural checks four times.
BROKEN = {
    "key": "broken",
    "version": 1,
    "name": TEXT,
    "steps": [
        {
            "id": "one",
            "type": "teleport",
            "title": TEXT,
            "validators": ["noSuchValidator"],
            "next": [{"to": "nowhere", "gates": ["noSuchGate"]}],
        }
    ],
}
BROKEN_PATHS = {
    "steps[0].type",
    "steps[0].validators[0]",
    "steps[0].next[0].to",
    "steps[0].next[0].gates[0]",
}


BASE_FILE = Path(wfm_workflows.__file__).parent / "templates" / "contract-onboarding.yaml"
OVERLAY_FILE = Path(wfm_market_roles.__file__).parent / "overlays" / "brp.yaml"


def write(path, definition):
    text = json.dumps(definition) if path.suffix == ".json" else yaml.safe_dump(definition)
    path.write_text(text, encoding="utf-8")
    return str(path)


def dotted(path):
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def test_validate_reports_every_problem_of_every_file(wfm, tmp_path):
    good, overlay = BASE_FILE, OVERLAY_FILE
    broken = write(tmp_path / "broken.yaml", BROKEN)
    shapeless = write(tmp_path / "shapeless.json", {"key": "Bad Key", "version": 0, "steps": []})
    (tmp_path / "syntax.yaml").write_text("key: x\n  bad: [\n")
    files = [str(good), str(overlay), broken, shapeless, str(tmp_path / "syntax.yaml")]

    text = wfm("templates", "validate", *files, env=None)
    assert text.returncode == 1
    assert f"valid {good}" in text.stdout
    assert f"valid {overlay}" in text.stdout
    for path in BROKEN_PATHS:
        assert f"  {path}: " in text.stderr
    assert "syntax.yaml is invalid: the file is not valid YAML" in text.stderr
    assert "line 2" in text.stderr
    assert "Traceback" not in text.stderr

    as_json = wfm("templates", "validate", "--json", *files, env=None)
    assert as_json.returncode == 1
    report = {Path(r["file"]).name: r for r in json.loads(as_json.stdout)}
    assert [report[Path(f).name]["valid"] for f in files] == [True, True, False, False, False]
    assert {dotted(e["path"]) for e in report["broken.yaml"]["errors"]} == BROKEN_PATHS
    assert {dotted(e["path"]) for e in report["shapeless.json"]["errors"]} >= {
        "key",
        "version",
        "name",
        "steps",
    }

    unreadable = wfm("templates", "validate", str(good), str(tmp_path / "absent.yaml"), env=None)
    assert unreadable.returncode == 2
    assert "cannot read" in unreadable.stderr


def test_import_is_idempotent_and_refuses_other_content_under_the_same_version(
    wfm, wfm_process, platform_env, tmp_path
):
    sample = write(tmp_path / "sample.json", SAMPLE)
    first = wfm("templates", "import", sample, env=platform_env)
    assert first.returncode == 0, first.stderr
    assert "imported cli-sample v1" in first.stdout
    again = wfm("templates", "import", "--json", sample, env=platform_env)
    assert again.returncode == 0, again.stderr
    [outcome] = json.loads(again.stdout)
    assert (outcome["outcome"], outcome["template"]["version"]) == ("unchanged", 1)

    changed = write(tmp_path / "changed.yaml", {**SAMPLE, "name": {**TEXT, "en": "Changed"}})
    conflict = wfm_process("templates", "import", changed, env=platform_env)
    assert conflict.returncode == 1
    assert "cli-sample v1 exists with other content" in conflict.stderr
    assert "Traceback" not in conflict.stderr


def test_publish_stores_the_next_version_and_export_round_trips(wfm, platform_env, tmp_path):
    sample = write(tmp_path / "sample.yaml", SAMPLE)
    assert wfm("templates", "import", sample, env=platform_env).returncode == 0
    published = wfm("templates", "publish", "--json", sample, env=platform_env)
    assert published.returncode == 0, published.stderr
    [outcome] = json.loads(published.stdout)
    version = outcome["template"]["version"]
    assert (outcome["outcome"], version) == ("published", 2)

    exported_json = tmp_path / "exported.json"
    to_file = wfm(
        "templates", "export", f"cli-sample@{version}", "--output", str(exported_json),
        env=platform_env,
    )  # fmt: skip
    assert to_file.returncode == 0, to_file.stderr
    to_stdout = wfm("templates", "export", "cli-sample", "--format", "yaml", env=platform_env)
    assert to_stdout.returncode == 0, to_stdout.stderr
    exported_yaml = tmp_path / "exported.yaml"
    exported_yaml.write_text(to_stdout.stdout)
    assert json.loads(exported_json.read_text()) == yaml.safe_load(to_stdout.stdout)
    assert yaml.safe_load(to_stdout.stdout)["version"] == version

    variant = tmp_path / "brp.yaml"
    brp = wfm(
        "templates", "export", "contract-onboarding@1", "--role", "brp", "--output", str(variant),
        env=platform_env,
    )  # fmt: skip
    assert brp.returncode == 0, brp.stderr
    assert yaml.safe_load(variant.read_text())["marketRole"] == "BRP"

    valid = wfm(
        "templates", "validate", str(exported_json), str(exported_yaml), str(variant), env=None
    )
    assert valid.returncode == 0, valid.stderr

    missing = wfm("templates", "export", "cli-sample@99", env=platform_env)
    assert missing.returncode == 1
    assert "template cli-sample@99 not found" in missing.stderr


def test_import_and_publish_refuse_a_template_calling_a_private_address(
    wfm, platform_env, tmp_path
):
    calling = {
        **SAMPLE,
        "key": "cli-calls-metadata",
        "steps": [
            SAMPLE["steps"][0],
            {
                "id": "register",
                "type": "api_call",
                "title": TEXT,
                "config": {"url": "http://169.254.169.254/latest/meta-data/"},
                "compensation": {"url": "https://registry.example.test/undo"},
            },
        ],
    }
    path = write(tmp_path / "calls.yaml", calling)
    for command in ("import", "publish"):
        refused = wfm("templates", command, path, env=platform_env)
        assert refused.returncode == 1
        assert (
            "  steps[1].config.url: points to the cloud metadata address (169.254.169.254)"
            in refused.stderr
        )
        assert "compensation" not in refused.stderr
        assert "Traceback" not in refused.stderr
    listed = wfm("templates", "list", "--json", "--key", "cli-calls-metadata", env=platform_env)
    assert json.loads(listed.stdout) == []


def test_list_and_deprecate(wfm, platform_env, tmp_path):
    sample = write(tmp_path / "sample.yaml", {**SAMPLE, "key": "cli-listed"})
    assert wfm("templates", "publish", sample, sample, env=platform_env).returncode == 0

    def listed(*options):
        result = wfm("templates", "list", "--json", *options, env=platform_env)
        assert result.returncode == 0, result.stderr
        return {(t["key"], t["marketRole"]): t for t in json.loads(result.stdout)}

    everything = listed()
    assert {("contract-onboarding", None), ("contract-onboarding", "BRP")} <= set(everything)
    assert (everything["cli-listed", None]["version"], everything["cli-listed", None]["steps"]) == (
        2,
        2,
    )

    deprecated = wfm("templates", "deprecate", "cli-listed@2", env=platform_env)
    assert deprecated.returncode == 0, deprecated.stderr
    assert "deprecated cli-listed v2" in deprecated.stdout
    for_bsp = listed("--role", "bsp")
    assert for_bsp["cli-listed", None]["version"] == 1  # the newest active one
    assert ("contract-onboarding", "BSP") in for_bsp
    assert ("contract-onboarding", "BRP") not in for_bsp
    with_deprecated = listed("--key", "cli-listed", "--all")
    assert [(t["version"], t["status"]) for t in with_deprecated.values()] == [(2, "deprecated")]

    table = wfm("templates", "list", env=platform_env)
    assert table.returncode == 0
    assert "cli-listed" in table.stdout

    unknown = wfm("templates", "deprecate", "no-such-template@3", env=platform_env)
    assert unknown.returncode == 1
    assert "template no-such-template@3 not found" in unknown.stderr


def test_schema_describes_the_template_format(wfm, tmp_path):
    output = tmp_path / "template.schema.json"
    written = wfm("templates", "schema", "--output", str(output), env=None)
    assert written.returncode == 0, written.stderr
    schema = json.loads(output.read_text())
    assert {"key", "version", "name", "steps", "marketRole"} <= set(schema["properties"])
    assert schema["$schema"].startswith("https://json-schema.org/")
