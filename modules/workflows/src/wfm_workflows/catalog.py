"""The templates this installation ships: base templates, market-role overlays and the
templates of installed extensions."""

from __future__ import annotations

from wfm_engine import WorkflowTemplate
from wfm_workflows.extensions import load_catalog


def catalog_templates() -> list[WorkflowTemplate]:
    """Every template of the catalog, overlays resolved (see `extensions.Catalog`)."""
    return load_catalog().templates()
