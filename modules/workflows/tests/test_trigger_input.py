"""A manual or webhook trigger's input: checked against its JSON Schema with the validator of
step data, mapped into the new workflow's variables by paths (data, never code), every
problem at its path at once."""

import pytest

from wfm_shared.errors import ValidationFailed
from wfm_testing.factories import ean18
from wfm_testing.triggers import ACCESS_POINT
from wfm_workflows.trigger_input import TriggerInput

GOOD_EAN = ean18(1)


def paths(error: ValidationFailed):
    return [(list(e.path), e.message) for e in error.errors]


def test_variables_are_taken_from_the_input_by_their_paths():
    mapping = TriggerInput(
        ACCESS_POINT,
        {"ean": "input.accessPoint.ean", "first": "input.points.1", "everything": "input"},
    )
    given = {"accessPoint": {"ean": GOOD_EAN}, "points": ["a", "b"]}
    assert mapping.variables_of(given) == {"ean": GOOD_EAN, "first": "b", "everything": given}


def test_an_input_against_the_schema_fails_at_its_paths_under_input():
    mapping = TriggerInput(ACCESS_POINT, {"ean": "input.accessPoint.ean"})
    with pytest.raises(ValidationFailed) as refused:
        mapping.variables_of({"accessPoint": {"ean": "123"}, "points": [1]})
    found = paths(refused.value)
    assert (["input", "accessPoint", "ean"], refused.value.errors[0].message) in found
    assert "EAN-18" in dict((tuple(p), m) for p, m in found)[("input", "accessPoint", "ean")]
    assert any(p == ["input", "points", 0] for p, _ in found)


def test_a_value_the_input_does_not_have_is_null_the_schema_is_where_to_require_it():
    mapping = TriggerInput(None, {"ean": "input.accessPoint.ean", "n": "input.list.3"})
    assert mapping.variables_of({"list": [1]}) == {"ean": None, "n": None}
    required = TriggerInput(ACCESS_POINT, {"ean": "input.accessPoint.ean"})
    with pytest.raises(ValidationFailed) as refused:
        required.variables_of({"accessPoint": {}}, at=())
    assert paths(refused.value) == [(["accessPoint", "ean"], "is required")]


@pytest.mark.parametrize("given", [[1, 2], "text", None, 3])
def test_an_input_is_a_json_object(given):
    with pytest.raises(ValidationFailed) as refused:
        TriggerInput().variables_of(given)
    assert paths(refused.value) == [(["input"], "must be a JSON object")]


def test_what_the_databases_cannot_store_is_refused_at_its_path():
    with pytest.raises(ValidationFailed) as refused:
        TriggerInput().variables_of({"$where": 1, "ok": "a\x00b"})
    assert [p for p, _ in paths(refused.value)] == [["input", "$where"], ["input", "ok"]]


def test_a_definition_reports_every_problem_at_once():
    mapping = TriggerInput(
        {"type": "object", "properties": {"a": {"type": "strin"}}},
        {"9lives": "input.a", "ok": "steps.a", "spaced": "input. a"},
    )
    found = [p for p, _ in paths_of(mapping.problems())]
    assert found == [
        ["inputSchema"],
        ["variables", "9lives"],
        ["variables", "ok"],
        ["variables", "spaced"],
    ]


def paths_of(problems):
    return [(list(p.path), p.message) for p in problems]


@pytest.mark.parametrize(
    "reference",
    ["https://schemas.example.test/ean.json", "#/$defs/missing", "other.json#/a"],
)
def test_a_schema_refers_only_to_what_it_holds(reference):
    schema = {"type": "object", "properties": {"a": {"$ref": reference}}, "$defs": {"e": {}}}
    assert paths_of(TriggerInput(schema).problems()) == [
        (
            ["inputSchema", "properties", "a", "$ref"],
            "must point inside the schema (#/$defs/...) to something it holds",
        )
    ]
    inside = {"type": "object", "properties": {"a": {"$ref": "#/$defs/e"}}, "$defs": {"e": {}}}
    assert TriggerInput(inside).problems() == []
