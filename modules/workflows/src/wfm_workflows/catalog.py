"""The base templates this module ships, read from the YAML files beside it."""

from __future__ import annotations

from importlib import resources

import yaml

from wfm_engine import WorkflowTemplate, parse_template


def base_templates() -> list[WorkflowTemplate]:
    folder = resources.files("wfm_workflows") / "templates"
    files = sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith((".yaml", ".yml"))),
        key=lambda entry: entry.name,
    )
    return [parse_template(yaml.safe_load(entry.read_text(encoding="utf-8"))) for entry in files]
