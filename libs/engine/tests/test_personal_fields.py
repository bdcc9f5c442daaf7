"""Which values of a step's data are personal, and whose: the fields a step's JSON Schema marks
`personal: true`, and the name, e-mail address and phone of contacts; each belongs to the
person whose address the object holding it names, else to the workflow's pseudo-subject."""

import uuid

from wfm_engine.personal import (
    NOTHING,
    definition_plans,
    personal_values,
    replace_personal,
    replace_tokens,
    schema_plan,
    tokens_in,
)
from wfm_shared.personal_data import subject_id_for, workflow_subject_id

TENANT = str(uuid.uuid4())
INSTANCE = str(uuid.uuid4())

CONTACTS = {
    "contacts": [
        {"name": "Lea Peeters", "email": "lea@example.test", "role": "primary", "language": "nl"},
        {
            "name": "Marc Dubois",
            "email": "marc@example.test",
            "phone": "+32 2 555 01 02",
            "role": "technical",
        },
    ]
}


def found(data, plan=NOTHING):
    return {(v.path, v.value, v.email) for v in personal_values(data, plan)}


def test_the_name_email_and_phone_of_every_contact_are_personal_and_theirs():
    assert found(CONTACTS) == {
        (("contacts", 0, "name"), "Lea Peeters", "lea@example.test"),
        (("contacts", 0, "email"), "lea@example.test", "lea@example.test"),
        (("contacts", 1, "name"), "Marc Dubois", "marc@example.test"),
        (("contacts", 1, "email"), "marc@example.test", "marc@example.test"),
        (("contacts", 1, "phone"), "+32 2 555 01 02", "marc@example.test"),
    }
    [lea, *_] = personal_values(CONTACTS, NOTHING)
    assert lea.subject_id(TENANT, INSTANCE) == subject_id_for(TENANT, "lea@example.test")


def test_contacts_count_wherever_they_are_and_as_one_object_too():
    data = {"company": {"contacts": {"name": "Ann", "email": "ann@example.test"}}, "x": [1]}
    assert found(data) == {
        (("company", "contacts", "name"), "Ann", "ann@example.test"),
        (("company", "contacts", "email"), "ann@example.test", "ann@example.test"),
    }


def test_a_contact_without_an_address_belongs_to_the_workflows_pseudo_subject():
    [value] = personal_values({"contacts": [{"name": "Anonymous", "role": "billing"}]}, NOTHING)
    assert value.email is None
    assert value.subject_id(TENANT, INSTANCE) == workflow_subject_id(TENANT, INSTANCE)


SCHEMA = {
    "type": "object",
    "properties": {
        "companyName": {"type": "string"},
        "director": {
            "type": "object",
            "properties": {
                "fullName": {"type": "string", "personal": True},
                "email": {"type": "string", "personal": True},
                "birthDate": {"type": "string", "personal": True},
            },
        },
        "signatory": {"type": "object", "personal": True},
        "witnesses": {"type": "array", "items": {"type": "string", "personal": True}},
        "extra": {"allOf": [{"properties": {"nationalNumber": {"personal": True}}}]},
        "notes": {"type": "string", "personal": False},
    },
}


def test_fields_marked_personal_in_the_schema_are_personal_whatever_their_shape():
    data = {
        "companyName": "Ardenne Energie",
        "director": {"fullName": "Eva Claes", "email": "eva@example.test", "birthDate": None},
        "signatory": {"name": "Tom", "title": "CFO"},
        "witnesses": ["Jan", "Piet"],
        "extra": {"nationalNumber": "85.07.30-033.61"},
        "notes": "nothing personal",
    }
    assert [(v.path, v.value, v.email) for v in personal_values(data, schema_plan(SCHEMA))] == [
        (("director", "fullName"), "Eva Claes", "eva@example.test"),
        (("director", "email"), "eva@example.test", "eva@example.test"),
        (("signatory",), {"name": "Tom", "title": "CFO"}, None),  # as a whole
        (("witnesses", 0), "Jan", None),
        (("witnesses", 1), "Piet", None),
        (("extra", "nationalNumber"), "85.07.30-033.61", None),
    ]  # a null is nothing to keep: the director's birth date


def test_a_schema_without_personal_fields_plans_nothing():
    assert schema_plan({"type": "object", "properties": {"a": {"type": "string"}}}).empty
    definition = {
        "steps": [{"id": "plain", "schema": {"type": "object"}}, {"id": "p", "schema": SCHEMA}]
    }
    assert set(definition_plans(definition)) == {"p"}


def test_replacing_personal_values_keeps_the_rest_and_leaves_the_data_unchanged():
    sealed = replace_personal(CONTACTS, NOTHING, lambda v: f"<{v.value}>")
    assert sealed["contacts"][0] == {
        "name": "<Lea Peeters>",
        "email": "<lea@example.test>",
        "role": "primary",
        "language": "nl",
    }
    assert CONTACTS["contacts"][0]["name"] == "Lea Peeters"


def test_tokens_are_found_and_replaced_anywhere_in_a_value():
    token = f"wfm:pd:1:{uuid.uuid4()}:abc"
    data = {"a": [token, {"b": token}], "c": "plain", "d": 1}
    assert list(tokens_in(data)) == [token, token]
    assert replace_tokens(data, lambda t: "x") == {"a": ["x", {"b": "x"}], "c": "plain", "d": 1}
