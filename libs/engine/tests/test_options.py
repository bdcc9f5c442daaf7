"""Flags switch optional steps; settings override SLAs and step configuration within bounds."""

import uuid

import pytest
from engine_story import PARTICIPANT, TENANT, Story

from wfm_engine import (
    CreateWorkflow,
    ExecuteStep,
    StartWorkflow,
    WorkflowConfig,
    WorkflowStatus,
    layer_problems,
    parse_template,
    resolve_config,
)


def t(text):
    return {"en": text, "fr": text, "nl": text}


TEMPLATE = parse_template(
    {
        "key": "with-options",
        "version": 1,
        "name": t("With options"),
        "steps": [
            {"id": "apply", "type": "form", "title": t("Apply")},
            {
                "id": "review",
                "type": "form",
                "title": t("Review"),
                "skippedBy": "express",
                "sla": {"duration": "P2D"},
            },
            {"id": "qa", "type": "form", "title": t("QA"), "enabledBy": "qa"},
            {"id": "sign", "type": "form", "title": t("Sign")},
        ],
        "options": {
            "flags": {"express": {"default": False}, "qa": {"default": False}},
            "settings": {
                "reviewSla": {
                    "target": "steps.review.sla.duration",
                    "type": "duration",
                    "default": "P2D",
                    "min": "PT4H",
                    "max": "P10D",
                },
                "reviewRetries": {
                    "target": "steps.review.retry.max",
                    "type": "integer",
                    "default": 3,
                    "min": 0,
                    "max": 5,
                },
                "channel": {
                    "target": "steps.sign.config.channel",
                    "type": "string",
                    "default": "email",
                    "choices": ["email", "portal"],
                },
            },
        },
    }
)


def path_with(flags):
    story = Story(TEMPLATE)
    story.do(
        CreateWorkflow(
            str(uuid.uuid4()), str(TENANT), "BRP", "t", config={"flags": flags, "settings": {}}
        )
    )
    state = story.do(StartWorkflow())
    visited = [state.current_step_id]
    while state.status is WorkflowStatus.IN_PROGRESS:
        state = story.do(ExecuteStep(state.current_step_id, {}), PARTICIPANT)
        visited.append(state.current_step_id)
    return visited[:-1]


def test_defaults_leave_optional_steps_as_declared():
    assert path_with({}) == ["apply", "review", "sign"]


def test_express_skips_the_review_and_qa_adds_a_step():
    assert path_with({"express": True}) == ["apply", "sign"]
    assert path_with({"qa": True}) == ["apply", "review", "qa", "sign"]
    assert path_with({"express": True, "qa": True}) == ["apply", "qa", "sign"]


def test_resolution_goes_tenant_then_market_role_then_defaults():
    config = resolve_config(
        TEMPLATE,
        [
            (
                "marketRole",
                {"flags": {"express": True}, "settings": {"reviewSla": "P5D", "reviewRetries": 1}},
            ),
            ("tenant", {"flags": {"express": False}, "settings": {"reviewSla": "P1D"}}),
        ],
    )
    assert config.flags == {"express": False, "qa": False}
    assert config.settings == {"reviewSla": "P1D", "reviewRetries": 1, "channel": "email"}
    assert config.sources["flags.express"] == "tenant"
    assert config.sources["settings.reviewRetries"] == "marketRole"
    assert config.sources["settings.channel"] == "default"


def test_values_outside_the_bounds_are_refused_with_their_path():
    problems = layer_problems(
        TEMPLATE,
        {
            "flags": {"express": "yes", "turbo": True},
            "settings": {
                "reviewSla": "P30D",
                "reviewRetries": 9,
                "channel": "fax",
                "colour": "red",
            },
        },
    )
    assert {(e.path, e.message) for e in problems} == {
        (("flags", "express"), "must be true or false"),
        (("flags", "turbo"), "the template has no flag 'turbo'"),
        (("settings", "reviewSla"), "must be at most P10D"),
        (("settings", "reviewRetries"), "must be at most 5"),
        (("settings", "channel"), "must be one of email, portal"),
        (("settings", "colour"), "the template has no setting 'colour'"),
    }
    assert (
        layer_problems(TEMPLATE, {"settings": {"reviewSla": "PT1H"}})[0].message
        == "must be at least PT4H"
    )


def test_a_stored_value_the_template_no_longer_accepts_falls_back():
    config = resolve_config(
        TEMPLATE, [("tenant", {"settings": {"reviewSla": "P99D"}, "flags": {"gone": True}})]
    )
    assert config.settings["reviewSla"] == "P2D"
    assert config.sources["settings.reviewSla"] == "default"


def test_settings_are_applied_to_their_targets():
    configured = TEMPLATE.configured(
        WorkflowConfig(settings={"reviewSla": "P5D", "reviewRetries": 1, "channel": "portal"})
    )
    assert configured.step("review").sla.duration == "P5D"
    assert configured.step("review").retry.max == 1
    assert configured.step("sign").config["channel"] == "portal"
    assert TEMPLATE.step("review").sla.duration == "P2D"  # the template itself is untouched


def test_the_config_is_pinned_in_the_created_event():
    story = Story(TEMPLATE)
    story.do(
        CreateWorkflow(
            str(uuid.uuid4()),
            str(TENANT),
            "BRP",
            "t",
            config={"flags": {"express": True}, "settings": {"reviewSla": "P1D"}},
        )
    )
    assert story.log[0].data["config"] == {
        "flags": {"express": True},
        "settings": {"reviewSla": "P1D"},
    }
    assert story.state.config.flags == {"express": True}


@pytest.mark.parametrize("flags", [{"express": True}, {}])
def test_conditions_can_read_the_flags(flags):
    template = parse_template(
        {
            "key": "flag-branch",
            "version": 1,
            "name": t("Flag branch"),
            "steps": [
                {
                    "id": "a",
                    "type": "form",
                    "title": t("A"),
                    "next": [
                        {"to": "fast", "when": "config.flags.express == true"},
                        {"to": "slow"},
                    ],
                },
                {"id": "fast", "type": "form", "title": t("Fast"), "next": []},
                {"id": "slow", "type": "form", "title": t("Slow"), "next": []},
            ],
            "options": {"flags": {"express": {"default": False}}},
        }
    )
    story = Story(template)
    story.do(
        CreateWorkflow(
            str(uuid.uuid4()),
            str(TENANT),
            "BRP",
            "t",
            config={"flags": flags or {"express": False}, "settings": {}},
        )
    )
    story.do(StartWorkflow())
    state = story.do(ExecuteStep("a", {}))
    assert state.current_step_id == ("fast" if flags else "slow")
