"""Step types: system steps are specified and validated; they complete through the command
path with their result."""

import pytest
from engine_story import OPS, PARTICIPANT, TEMPLATE, Story, title

from wfm_engine import ExecuteStep, StartWorkflow, TemplateInvalid, WorkflowStatus, parse_template
from wfm_shared.errors import Forbidden, ValidationFailed


def one_step(step, **extra):
    return {
        **TEMPLATE.definition(),
        "key": "system-steps",
        "steps": [{"id": "only", "title": title("Only"), **step}],
        "submission": {},
        **extra,
    }


def problems(step):
    with pytest.raises(TemplateInvalid) as raised:
        parse_template(one_step(step))
    return {e.path: e.message for e in raised.value.errors}


def test_api_call_configuration_is_checked():
    found = problems(
        {"type": "api_call", "config": {"url": "not a url", "method": "BREW", "timeoutSeconds": 0}}
    )
    assert {
        ("steps", 0, "config", "url"),
        ("steps", 0, "config", "method"),
        ("steps", 0, "config", "timeoutSeconds"),
    } <= set(found)


def test_notification_recipients_and_translations_are_checked():
    found = problems(
        {
            "type": "notification",
            "config": {"to": ["boss"], "subject": {"en": "Hi"}, "body": title("Body")},
        }
    )
    assert ("steps", 0, "config", "to") in found
    assert ("steps", 0, "config", "subject", "fr") in found


def test_delay_and_sla_durations_are_iso_8601():
    assert ("steps", 0, "config", "duration") in problems(
        {"type": "delay", "config": {"duration": "2 days"}}
    )
    assert ("steps", 0, "sla", "duration") in problems(
        {"type": "form", "sla": {"duration": "soon"}}
    )
    assert ("steps", 0, "sla", "escalateTo") in problems(
        {"type": "form", "sla": {"duration": "PT4H", "escalateTo": "ceo"}}
    )
    parse_template(
        one_step({"type": "delay", "config": {"duration": "P2DT4H"}, "sla": {"duration": "P1W"}})
    )


def test_compensation_is_only_for_steps_that_take_one():
    assert ("steps", 0, "compensation") in problems(
        {"type": "delay", "config": {"duration": "PT1H"}, "compensation": {}}
    )
    parse_template(
        one_step(
            {
                "type": "api_call",
                "config": {"url": "https://crm.example/accounts"},
                "compensation": {"url": "https://crm.example/accounts/cancel", "method": "DELETE"},
            }
        )
    )


API_CALL = {
    "type": "api_call",
    "config": {
        "url": "https://registry.example/participants",
        "method": "POST",
        "responseMapping": {"registryId": "body.participant.id", "httpStatus": "status"},
    },
}


def started(step):
    story = Story(parse_template(one_step(step)))
    story.create()
    story.do(StartWorkflow())
    return story


def test_a_system_step_is_completed_by_market_ops_with_its_result_mapped_to_variables():
    story = started(API_CALL)
    result = {"status": 201, "body": {"participant": {"id": "P-42"}}, "attempts": 3}
    with pytest.raises(Forbidden):
        story.decision(ExecuteStep("only", result), PARTICIPANT)
    state = story.do(ExecuteStep("only", result), OPS)
    assert state.variables == {"registryId": "P-42", "httpStatus": 201}
    assert state.status is WorkflowStatus.AWAITING_VALIDATION
    assert story.log[-1].data["variables"] == {"registryId": "P-42", "httpStatus": 201}


def test_a_result_without_the_mapped_field_is_refused():
    story = started(API_CALL)
    with pytest.raises(ValidationFailed) as raised:
        story.decision(ExecuteStep("only", {"status": 200, "body": {}}), OPS)
    assert raised.value.errors[0].path == ("body", "participant", "id")
    with pytest.raises(ValidationFailed):
        story.decision(ExecuteStep("only", {"status": "ok"}), OPS)


@pytest.mark.parametrize(
    ("step", "result"),
    [
        (
            {
                "type": "notification",
                "config": {"to": ["role:market_ops"], "subject": title("S"), "body": title("B")},
            },
            {"deliveredTo": ["ops@example.test"]},
        ),
        (
            {"type": "webhook", "config": {"eventType": "participant.onboarded"}},
            {"deliveryId": "d-1", "statusCode": 204},
        ),
        (
            {"type": "delay", "config": {"duration": "PT1H"}},
            {"resumedAt": "2026-11-22T10:00:00+00:00"},
        ),
    ],
)
def test_other_system_steps_complete_with_their_result(step, result):
    story = started(step)
    with pytest.raises(ValidationFailed):
        story.decision(ExecuteStep("only", {"unexpected": True}), OPS)
    assert story.do(ExecuteStep("only", result), OPS).status is WorkflowStatus.AWAITING_VALIDATION
