"""The overlay mechanism, on its own: the result is an ordinary validated template."""

import pytest

from wfm_engine import TemplateInvalid, apply_overlay, parse_template


def t(text):
    return {"en": text, "fr": text, "nl": text}


BASE = parse_template(
    {
        "key": "base",
        "version": 3,
        "name": t("Base"),
        "steps": [
            {"id": "company", "type": "form", "title": t("Company")},
            {
                "id": "contacts",
                "type": "form",
                "title": t("Contacts"),
                "validators": ["primaryContactPresent"],
            },
            {"id": "portfolio", "type": "form", "title": t("Portfolio")},
        ],
        "submission": {"validators": ["vatNumberMatchesTenant"]},
    }
)


def overlay(**changes):
    return {"key": "base", "version": 1, "marketRole": "BRP", "extends": "base", "overlay": changes}


def test_add_replace_remove_and_update_steps():
    result = apply_overlay(
        BASE,
        overlay(
            steps=[
                {
                    "add": {"id": "guarantee", "type": "form", "title": t("Guarantee")},
                    "after": "contacts",
                },
                {"add": {"id": "intro", "type": "form", "title": t("Intro")}, "before": "company"},
                {"replace": {"id": "portfolio", "type": "form", "title": t("Perimeter")}},
                {
                    "update": {
                        "id": "contacts",
                        "validators": {
                            "add": ["uniqueAccessPoints"],
                            "remove": ["primaryContactPresent"],
                        },
                    }
                },
                {"remove": "company"},
            ],
            submission={
                "validators": {"remove": ["vatNumberMatchesTenant"]},
                "approval": {"gates": {"add": ["fourEyes"]}},
            },
        ),
    )
    assert [s.id for s in result.steps] == ["intro", "contacts", "guarantee", "portfolio"]
    assert result.step("portfolio").title.en == "Perimeter"
    assert result.step("contacts").validators == ["uniqueAccessPoints"]
    assert result.submission.validators == []
    assert result.submission.approval.gates == ["fourEyes"]
    assert (result.market_role, result.extends) == ("BRP", "base@3")


def test_every_mistake_of_an_overlay_is_reported_with_its_path():
    with pytest.raises(TemplateInvalid) as raised:
        apply_overlay(
            BASE,
            {
                **overlay(
                    steps=[
                        {"remove": "ghost"},
                        {"add": {"id": "company", "type": "form", "title": t("Dup")}},
                        {"update": {"id": "contacts", "key": "nope"}},
                        {"add": {"id": "x", "type": "form", "title": t("X")}, "after": "nowhere"},
                        {"update": {"id": "contacts", "validators": {"remove": ["notThere"]}}},
                    ],
                    colours=["red"],
                ),
                "extends": "other",
            },
        )
    paths = {e.path for e in raised.value.errors}
    assert {
        ("extends",),
        ("overlay", "colours"),
        ("overlay", "steps", 0, "remove"),
        ("overlay", "steps", 1, "add", "id"),
        ("overlay", "steps", 2, "update", "key"),
        ("overlay", "steps", 3, "after"),
        ("overlay", "steps", 4, "update", "validators", "remove"),
    } <= paths


def test_problems_of_the_resulting_template_are_reported_under_result():
    with pytest.raises(TemplateInvalid) as raised:
        apply_overlay(
            BASE,
            overlay(
                steps=[
                    {"update": {"id": "company", "next": [{"to": "removed"}]}},
                    {"remove": "portfolio"},
                ]
            ),
        )
    assert ("result", "steps", 0, "next", 0, "to") in {e.path for e in raised.value.errors}
