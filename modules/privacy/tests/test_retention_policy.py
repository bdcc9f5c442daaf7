"""Retention periods as templates declare them (`retention: {afterDays}`) and as market
operations set them per tenant: one day to a hundred years, whole days; an overlay keeps its
base template's period or sets its own. No server: the template model and the policy's
checks alone."""

import pytest

from wfm_engine.overlay import apply_overlay
from wfm_engine.template import TemplateInvalid, parse_template
from wfm_privacy.retention import policy_problems
from wfm_testing.templates import form_step, template


def with_retention(retention):
    return template([form_step("apply")], key="retained", retention=retention)


def test_a_template_may_declare_how_long_its_finished_workflows_keep_personal_data():
    parsed = parse_template(with_retention({"afterDays": 365}))

    assert parsed.retention is not None
    assert parsed.retention.after_days == 365
    assert parsed.definition()["retention"] == {"afterDays": 365}


def test_a_template_without_a_period_keeps_its_workflows_and_stores_no_retention():
    parsed = parse_template(template([form_step("apply")]))

    assert parsed.retention is None
    assert "retention" not in parsed.definition()


@pytest.mark.parametrize(
    ("retention", "path"),
    [
        ({"afterDays": 0}, ("retention", "afterDays")),
        ({"afterDays": 36501}, ("retention", "afterDays")),
        ({"afterDays": "30"}, ("retention", "afterDays")),
        ({"afterDays": 1.5}, ("retention", "afterDays")),
        ({}, ("retention", "afterDays")),
        ({"afterDays": 30, "days": 30}, ("retention", "days")),
        (30, ("retention",)),
    ],
)
def test_a_period_that_is_not_one_day_to_a_hundred_years_is_a_template_problem(retention, path):
    with pytest.raises(TemplateInvalid) as refused:
        parse_template(with_retention(retention))

    assert path in [problem.path for problem in refused.value.errors]


def test_an_overlay_keeps_its_base_templates_period_or_sets_its_own():
    base = parse_template(with_retention({"afterDays": 365}))
    overlay = {"key": "retained", "extends": "retained", "marketRole": "BRP", "version": 1}

    assert apply_overlay(base, overlay).retention == base.retention
    shorter = apply_overlay(base, {**overlay, "retention": {"afterDays": 90}})
    assert shorter.retention is not None
    assert shorter.retention.after_days == 90


@pytest.mark.parametrize(
    ("template_key", "after_days", "paths"),
    [
        (None, 1, []),
        ("contract-onboarding", 36500, []),
        (None, 0, [("afterDays",)]),
        (None, 36501, [("afterDays",)]),
        ("Contract Onboarding", 30, [("templateKey",)]),
        ("", -1, [("templateKey",), ("afterDays",)]),
    ],
)
def test_a_tenants_policy_takes_a_template_key_and_one_day_to_a_hundred_years(
    template_key, after_days, paths
):
    assert [p.path for p in policy_problems(template_key, after_days)] == paths
