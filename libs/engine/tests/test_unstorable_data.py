"""Data the databases cannot store as given (MongoDB field names that are operators or
paths, NUL characters, lone surrogates, nesting past the limit) is refused by the decision,
VALIDATION_FAILED with each path, before any event exists; templates likewise at parsing."""

import uuid

import pytest
from engine_story import PARTICIPANT, TENANT, Story, title

from wfm_engine import (
    CancelWorkflow,
    CreateWorkflow,
    ExecuteStep,
    StartWorkflow,
    TemplateInvalid,
    parse_template,
)
from wfm_shared import limits
from wfm_shared.errors import ValidationFailed

PERMISSIVE = parse_template(
    {
        "key": "permissive",
        "version": 1,
        "name": title("Permissive"),
        "steps": [
            # additional properties allowed: the schema alone lets any key through
            {"id": "notes", "type": "form", "title": title("Notes"), "schema": {"type": "object"}}
        ],
    }
)


@pytest.fixture
def started():
    story = Story(PERMISSIVE)
    story.create()
    story.do(StartWorkflow())
    return story


def refused_paths(story, data):
    before = list(story.log)
    with pytest.raises(ValidationFailed) as raised:
        story.decision(ExecuteStep("notes", data))
    assert raised.value.code == "VALIDATION_FAILED"
    assert story.log == before
    return {(e.path, e.message) for e in raised.value.errors}


@pytest.mark.parametrize(
    ("data", "path", "message"),
    [
        ({"$where": "1 == 1"}, ("$where",), "a field name must not start with '$'"),
        ({"a.b": 1}, ("a.b",), "a field name must not contain '.'"),
        ({"x": [{"$gt": 1}]}, ("x", 0, "$gt"), "a field name must not start with '$'"),
        ({"k\x00ey": 1}, ("k\x00ey",), "a field name must not contain the NUL character"),
        ({"note": "a\x00b"}, ("note",), "must not contain the NUL character"),
        ({"note": "\ud800"}, ("note",), "is not valid Unicode text (it holds a lone surrogate)"),
    ],
    ids=["operator", "dotted", "nested-operator", "nul-in-key", "nul-in-text", "surrogate"],
)
def test_step_data_the_databases_cannot_store_is_refused_with_its_path(
    started, data, path, message
):
    assert refused_paths(started, data) == {(path, message)}


def test_every_unstorable_key_is_reported_at_once(started):
    data = {"ok": {"$in": [1], "fine": True}, "list": [{"a.b": 1}, {"c": "\x00"}]}
    assert {path for path, _ in refused_paths(started, data)} == {
        ("ok", "$in"),
        ("list", 0, "a.b"),
        ("list", 1, "c"),
    }


def test_data_nested_past_the_limit_is_refused(started):
    deep: dict = {}
    cursor = deep
    for _ in range(limits.DATA_MAX_DEPTH + 5):
        cursor["n"] = {}
        cursor = cursor["n"]
    ((path, message),) = refused_paths(started, deep)
    assert len(path) == limits.DATA_MAX_DEPTH
    assert message == f"nests deeper than {limits.DATA_MAX_DEPTH} levels of objects and arrays"


def test_ordinary_data_with_dollars_and_dots_in_values_is_accepted(started):
    state = started.do(ExecuteStep("notes", {"price": "$4.50", "site": "a.b.c", "n": [1, {}]}))
    assert state.step("notes").data == {"price": "$4.50", "site": "a.b.c", "n": [1, {}]}


def test_a_trigger_payload_with_an_operator_key_is_refused():
    story = Story(PERMISSIVE)
    command = CreateWorkflow(
        str(uuid.uuid4()), str(TENANT), "BRP", str(uuid.uuid4()), trigger={"$set": {"a": 1}}
    )
    with pytest.raises(ValidationFailed) as raised:
        story.decision(command, PARTICIPANT)
    assert [e.path for e in raised.value.errors] == [("trigger", "$set")]


def test_a_reason_with_a_nul_character_is_refused(started):
    with pytest.raises(ValidationFailed) as raised:
        started.decision(CancelWorkflow("changed\x00 my mind"), PARTICIPANT)
    assert [(e.path, e.message) for e in raised.value.errors] == [
        (("reason",), "must not contain the NUL character")
    ]


def nested_template(levels):
    schema: dict = {"type": "object"}
    for _ in range(levels):
        schema = {"type": "object", "properties": {"inner": schema}}
    return {
        "key": "deep",
        "version": 1,
        "name": title("Deep"),
        "steps": [{"id": "only", "type": "form", "title": title("Only"), "schema": schema}],
    }


def test_a_template_nested_200_deep_is_refused_before_it_is_parsed():
    with pytest.raises(TemplateInvalid) as raised:
        parse_template(nested_template(200))
    assert raised.value.code == "VALIDATION_FAILED"
    assert [e.message for e in raised.value.errors] == [
        f"the template nests deeper than {limits.TEMPLATE_MAX_DEPTH} levels of objects and arrays"
    ]


def test_a_template_larger_than_the_limit_is_refused():
    definition = nested_template(1)
    definition["description"] = title("x" * limits.TEMPLATE_MAX_BYTES)
    with pytest.raises(TemplateInvalid) as raised:
        parse_template(definition)
    (problem,) = raised.value.errors
    assert f"at most {limits.TEMPLATE_MAX_BYTES // 1024} KiB" in problem.message


def test_a_template_keeps_json_schema_keywords_but_no_nul_character():
    definition = nested_template(1)
    definition["steps"][0]["schema"] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$defs": {"name": {"type": "string"}},
        "type": "object",
        "properties": {"name": {"$ref": "#/$defs/name"}},
    }
    assert parse_template(definition).step("only").data_schema["$defs"]
    definition["name"]["en"] = "Deep\x00"
    with pytest.raises(TemplateInvalid) as raised:
        parse_template(definition)
    assert [(e.path, e.message) for e in raised.value.errors] == [
        (("name", "en"), "must not contain the NUL character")
    ]
