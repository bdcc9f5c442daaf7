"""`wfm templates validate` applies the publishing limits offline: a template too deep or
too large, or with a condition too long or too deeply nested, is invalid (exit 1) with a
clear message and no traceback."""

import json

import yaml

from wfm_shared import limits

TEXT = {"en": "Sample", "fr": "Exemple", "nl": "Voorbeeld"}


def sample(key="limits-sample"):
    return {
        "key": key,
        "version": 1,
        "name": TEXT,
        "steps": [
            {"id": "apply", "type": "form", "title": TEXT},
            {"id": "review", "type": "form", "title": TEXT},
        ],
    }


def nested_schema(levels):
    schema: dict = {"type": "object"}
    for _ in range(levels):
        schema = {"type": "object", "properties": {"inner": schema}}
    return schema


def validate(wfm, path, definition):
    if path.suffix == ".json":
        path.write_text(json.dumps(definition), encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(definition), encoding="utf-8")
    result = wfm("templates", "validate", "--json", str(path), env=None)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    [report] = json.loads(result.stdout)
    assert report["valid"] is False
    return report["errors"]


def test_validate_refuses_a_template_nested_200_deep(wfm, tmp_path):
    deep = sample()
    deep["steps"][0]["schema"] = nested_schema(200)
    for name in ("deep.json", "deep.yaml"):
        [error] = validate(wfm, tmp_path / name, deep)
        assert error["message"] == (
            f"the template nests deeper than {limits.TEMPLATE_MAX_DEPTH} levels "
            "of objects and arrays"
        )


def test_validate_refuses_a_file_nested_far_past_what_a_parser_can_read(wfm, tmp_path):
    path = tmp_path / "abyss.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    result = wfm("templates", "validate", str(path), env=None)
    assert result.returncode == 1
    assert "nests far too deeply" in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_refuses_a_template_larger_than_the_limit(wfm, tmp_path):
    large = sample()
    large["description"] = {locale: "x" * (limits.TEMPLATE_MAX_BYTES // 3) for locale in TEXT}
    [error] = validate(wfm, tmp_path / "large.json", large)
    assert f"at most {limits.TEMPLATE_MAX_BYTES // 1024} KiB" in error["message"]


def test_validate_refuses_conditions_too_long_or_too_deeply_nested(wfm, tmp_path):
    definition = sample()
    definition["steps"][0]["next"] = [
        {"to": "review", "when": " && ".join(["steps.apply.size > 1"] * 5000)},
        {"to": "review", "when": "(" * 500 + "true" + ")" * 500},
        {},
    ]
    errors = validate(wfm, tmp_path / "conditions.json", definition)
    assert {(tuple(e["path"]), e["message"].split(":")[0]) for e in errors} == {
        (
            ("steps", 0, "next", 0, "when"),
            "the condition of step 'apply', transition 0 is refused",
        ),
        (
            ("steps", 0, "next", 1, "when"),
            "the condition of step 'apply', transition 1 is refused",
        ),
    }
