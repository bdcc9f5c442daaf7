import pytest

from wfm_engine import TemplateInvalid, parse_template

BASE = {
    "key": "sample",
    "version": 1,
    "name": {"en": "Sample", "fr": "Exemple", "nl": "Voorbeeld"},
    "steps": [
        {"id": "a", "type": "form", "title": {"en": "A", "fr": "A", "nl": "A"}},
        {"id": "b", "type": "form", "title": {"en": "B", "fr": "B", "nl": "B"}},
    ],
}


def with_steps(*steps):
    return {**BASE, "steps": list(steps)}


def step(step_id, **extra):
    return {"id": step_id, "type": "form", "title": {"en": "T", "fr": "T", "nl": "T"}, **extra}


def problems(definition):
    with pytest.raises(TemplateInvalid) as raised:
        parse_template(definition)
    return {(e.path, e.message) for e in raised.value.errors}


def test_linear_template_goes_in_list_order_and_ends_after_the_last_step():
    template = parse_template(BASE)
    assert template.successor("a") == "b"
    assert template.successor("b") is None


def test_explicit_next_overrides_the_list_order():
    template = parse_template(
        with_steps(step("a", next=[{"to": "c"}]), step("b", next=[]), step("c", next=[{"to": "b"}]))
    )
    assert template.successor("a") == "c"
    assert template.successor("c") == "b"
    assert template.successor("b") is None


def test_every_structural_problem_is_reported_at_once_with_its_path():
    found = problems(
        with_steps(
            step("a", next=[{"to": "nowhere"}], validators=["noSuchCheck"]),
            step("a", schema={"type": "banana"}),
            step("c", type="teleport", roles=["wizard"]),
        )
    )
    paths = {path for path, _ in found}
    assert ("steps", 0, "next", 0, "to") in paths
    assert ("steps", 0, "validators", 0) in paths
    assert ("steps", 1, "id") in paths
    assert ("steps", 1, "schema") in paths
    assert ("steps", 2, "type") in paths
    assert ("steps", 2, "roles", 0) in paths


def test_missing_translation_is_reported():
    definition = {**BASE, "name": {"en": "Sample", "fr": "Exemple"}}
    assert ("name", "nl") in {path for path, _ in problems(definition)}


def test_definition_round_trips():
    template = parse_template(BASE)
    assert parse_template(template.definition()) == template
