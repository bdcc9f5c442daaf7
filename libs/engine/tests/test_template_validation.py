"""Every kind of template problem is reported, all at once, each with its path."""

import pytest

from wfm_engine import TemplateInvalid, parse_template


def t(text="T"):
    return {"en": text, "fr": text, "nl": text}


def step(step_id, **extra):
    return {"id": step_id, "type": "form", "title": t(step_id), **extra}


def template(*steps, **extra):
    return {"key": "sample", "version": 1, "name": t("Sample"), "steps": list(steps), **extra}


def problems(definition):
    with pytest.raises(TemplateInvalid) as raised:
        parse_template(definition)
    return {(e.path, e.message) for e in raised.value.errors}


def paths(definition):
    return {path for path, _ in problems(definition)}


def test_duplicate_step_ids():
    assert ("steps", 1, "id") in paths(template(step("a"), step("a")))


def test_unknown_step_type_validator_and_gate():
    found = paths(
        template(
            step("a", type="fax"),
            step("b", validators=["astrology"], next=[{"to": None, "gates": ["luck"]}]),
            submission={
                "validators": ["numerology"],
                "gates": ["vibes"],
                "approval": {"gates": ["coin"]},
            },
        )
    )
    assert {
        ("steps", 0, "type"),
        ("steps", 1, "validators", 0),
        ("steps", 1, "next", 0, "gates", 0),
        ("submission", "validators", 0),
        ("submission", "gates", 0),
        ("submission", "approval", "gates", 0),
    } <= found


def test_next_pointing_nowhere():
    assert ("steps", 0, "next", 0, "to") in paths(template(step("a", next=[{"to": "ghost"}])))


def test_unreachable_step():
    found = problems(template(step("a", next=[]), step("island", next=[])))
    assert (("steps", 1), "step 'island' cannot be reached from the first step") in found


def test_cycle_with_no_way_out():
    found = problems(
        template(step("a"), step("b", next=[{"to": "c"}]), step("c", next=[{"to": "b"}]))
    )
    assert (
        ("steps", 1, "next"),
        "step 'b' never leads to the end of the workflow (a cycle with no way out)",
    ) in found
    assert ("steps", 2, "next") in {p for p, _ in found}


def test_a_cycle_with_a_way_out_is_fine():
    parse_template(
        template(
            step("a"),
            step("b", next=[{"to": "a", "when": "steps.b.again == true"}, {}]),
        )
    )


def test_cel_that_does_not_compile_names_step_and_expression():
    found = problems(template(step("a", next=[{"to": None, "when": "steps.a.x >"}])))
    ((path, message),) = found
    assert path == ("steps", 0, "next", 0, "when")
    assert "'steps.a.x >'" in message
    assert "step 'a'" in message


def test_cel_referring_to_an_unknown_step():
    found = problems(template(step("a", next=[{"to": None, "when": "steps['nope'].x == 1"}])))
    assert (
        ("steps", 0, "next", 0, "when"),
        "condition of step 'a' refers to unknown step 'nope'",
    ) in found


def test_invalid_json_schema():
    assert ("steps", 0, "schema") in paths(template(step("a", schema={"type": "potato"})))


def test_missing_translations_are_listed_per_language():
    found = paths(
        template(
            step("a", title={"en": "Only English"}),
            name={"en": "Sample", "nl": "Voorbeeld"},
            description={"fr": "Exemple"},
        )
    )
    assert {
        ("name", "fr"),
        ("description", "en"),
        ("description", "nl"),
        ("steps", 0, "title", "fr"),
        ("steps", 0, "title", "nl"),
    } <= found


def test_all_problems_come_together():
    found = paths(
        template(
            step("a", type="fax", title={"en": "A"}),
            step("a", next=[{"to": "ghost", "when": "((("}]),
            step("orphan", schema={"type": 7}, next=[]),
        )
    )
    assert len(found) >= 6


def test_unknown_fields_are_refused():
    assert ("steps", 0, "colour") in paths(template(step("a", colour="blue")))


def test_bad_options_are_reported():
    found = paths(
        template(
            step("a", enabledBy="ghostFlag"),
            step("b", skippedBy="express", next=[{"to": None, "when": "true"}]),
            options={
                "flags": {"express": {"default": False}},
                "settings": {
                    "reviewSla": {
                        "target": "steps.nowhere.sla.duration",
                        "type": "duration",
                        "default": "P2D",
                    },
                    "tooLong": {
                        "target": "steps.a.sla.duration",
                        "type": "duration",
                        "default": "P20D",
                        "max": "P10D",
                    },
                    "weird": {"target": "steps.a.colour", "type": "string", "default": "x"},
                },
            },
        )
    )
    assert {
        ("steps", 0, "enabledBy"),
        ("steps", 1, "next"),
        ("options", "settings", "reviewSla", "target"),
        ("options", "settings", "tooLong", "default"),
        ("options", "settings", "weird", "target"),
    } <= found


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("steps.a.x >", "at column 11: the expression ends too early (expected '('"),
        ("steps.a.x >> 3", "at column 12: unexpected '>'"),
        ("steps.a.x == 'abc", 'at column 14: unexpected character "\'"'),
        ("steps.a.ok ? 1", "at column 14: the expression ends too early (expected ':')"),
    ],
)
def test_cel_that_does_not_compile_says_where_and_why(expression, reason):
    ((_, message),) = problems(template(step("a", next=[{"to": None, "when": expression}])))
    assert f"does not compile: {reason}" in message
