import pytest

from wfm_engine import WorkflowTemplate
from wfm_workflows.catalog import catalog_templates


@pytest.fixture(scope="session")
def onboarding() -> dict[str | None, WorkflowTemplate]:
    """`contract-onboarding` by market role as the catalog resolves it (None: the base)."""
    return {t.market_role: t for t in catalog_templates() if t.key == "contract-onboarding"}
