import pytest
from engine_story import COMPANY, CONTACTS, OPS, PARTICIPANT, STRANGER, TEMPLATE

from wfm_engine import DecisionContext, ExecuteStep, StartWorkflow, StepStatus, validation_report
from wfm_shared.errors import NotFound


def report(story, principal=PARTICIPANT, tenant=None):
    ctx = DecisionContext(
        principal=principal, now=story.now, tenant=tenant or {"vat_number": "BE0477472701"}
    )
    return validation_report(story.state, TEMPLATE, ctx)


def test_report_lists_every_step_and_what_is_outstanding(story):
    story.do(StartWorkflow())
    story.do(ExecuteStep("company", COMPANY))
    result = report(story)
    assert [(s.step_id, s.status) for s in result.steps] == [
        ("company", StepStatus.COMPLETED),
        ("contacts", StepStatus.ACTIVE),
        ("capacity", StepStatus.PENDING),
        ("review", StepStatus.PENDING),
    ]
    assert result.outstanding == ["contacts"]
    assert not result.valid


def test_report_rechecks_the_data_against_the_rules_of_today(story):
    story.do(StartWorkflow())
    story.do(ExecuteStep("company", COMPANY))
    story.do(ExecuteStep("contacts", CONTACTS))
    story.do(ExecuteStep("capacity", {"mw": 3}))
    assert report(story).valid
    version = story.state.version
    changed = report(story, tenant={"vat_number": "BE0403170701"})  # the registry changed
    assert not changed.valid
    assert changed.submission_errors[0].path == ("company", "vatNumber")
    assert story.state.version == version  # a dry run changes nothing


def test_report_is_for_the_tenant_only(story):
    story.do(StartWorkflow())
    with pytest.raises(NotFound):
        report(story, STRANGER)
    assert report(story, OPS).outstanding == ["company"]
