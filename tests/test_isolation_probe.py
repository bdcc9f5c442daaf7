"""Tenant isolation over the whole schema, found by introspection: every query and mutation
that takes an id (an argument of type ID, a list of them, or an ID inside an input object) is
called with tenant B's ids by tenant A's tenant_admin and tenant_user. Each answers NOT_FOUND
or FORBIDDEN, or an answer that reveals nothing, exactly as it answers an id that does not
exist; and nothing of B changes. A field added later is probed without editing this file; an
id argument the probe cannot map to one of B's rows fails the test with the field's name."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from graphql import (
    GraphQLField,
    GraphQLInputType,
    GraphQLNamedType,
    GraphQLSchema,
    Undefined,
    build_client_schema,
    get_introspection_query,
    get_named_type,
    is_enum_type,
    is_input_object_type,
    is_interface_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)

from wfm_shared.personal_data import subject_id_for
from wfm_testing.onboarding import drive
from wfm_testing.operations import notify, webhook_delivery

# A fragment of an id argument's name (else of the field's type, else of the field's name),
# lower-cased, and the kind of row it names; the first that matches wins.
ID_KINDS = (
    ("workflowtrigger", "trigger"),
    ("webhooksubscription", "subscription"),
    ("webhookdelivery", "delivery"),
    ("subscription", "subscription"),
    ("delivery", "delivery"),
    ("trigger", "trigger"),
    ("notification", "notification"),
    ("workflow", "workflow"),
    ("subject", "subject"),  # a data subject (a person named in workflow data)
    ("tenant", "tenant"),
    ("job", "job"),
    ("user", "user"),
    ("assignee", "user"),
    ("actor", "user"),
)
# Realistic values for arguments the probe fills by name, so that a call reaches the
# ownership check instead of stopping at an unrelated argument; others get a harmless value.
VALUES_BY_NAME: dict[str, Any] = {
    "templateKey": "contract-onboarding",
    "key": "contract-onboarding",
    "stepId": "company-info",
    "toStepId": "company-info",
    "marketRole": "BRP",
    "url": "https://probe.example.test/hook",
    "eventTypes": ["*"],
    "kind": "SCHEDULE",
    "cron": "0 6 * * 1",
    "timezone": "Europe/Brussels",
    "reason": "isolation probe",
    "name": "isolation probe",
}
SCALAR_VALUES: dict[str, Any] = {
    "String": "x",
    "Int": 1,
    "Float": 1.0,
    "Boolean": False,
    "JSON": {},
    "DateTime": "2030-01-01T00:00:00+00:00",
}
ACCEPTED_CODES = {"NOT_FOUND", "FORBIDDEN"}
SELECTION_DEPTH = 3


class UnmappedIdArgument(AssertionError):
    pass


@dataclass(frozen=True)
class IdSlot:
    """Where an id goes in a field's arguments: `path` from the argument through input
    object fields."""

    field: str
    operation: str  # "query" or "mutation"
    path: tuple[str, ...]
    kind: str


def kind_of(field_name: str, type_name: str, argument: str) -> str:
    stem = argument.lower().removesuffix("ids").removesuffix("id")
    for text in [stem] if stem else [type_name.lower(), field_name.lower()]:
        for fragment, kind in ID_KINDS:
            if fragment in text:
                return kind
    raise UnmappedIdArgument(
        f"the isolation probe cannot tell what kind of row the argument {argument!r} of "
        f"{field_name!r} names: add its name to ID_KINDS in tests/test_isolation_probe.py"
    )


def id_paths(type_: GraphQLInputType, depth: int = 3) -> list[tuple[str, ...]]:
    """Paths to the IDs inside an argument's type: () for the argument itself."""
    named = get_named_type(type_)
    if named.name == "ID":
        return [()]
    if is_input_object_type(named) and depth > 0:
        return [
            (name, *rest)
            for name, field in named.fields.items()  # type: ignore[attr-defined]
            for rest in id_paths(field.type, depth - 1)
        ]
    return []


def id_slots(schema: GraphQLSchema) -> list[IdSlot]:
    slots = []
    for operation, root in (("query", schema.query_type), ("mutation", schema.mutation_type)):
        assert root is not None
        for name, field in root.fields.items():
            type_name = get_named_type(field.type).name
            for argument, arg in field.args.items():
                for rest in id_paths(arg.type):
                    path = (argument, *rest)
                    slots.append(IdSlot(name, operation, path, kind_of(name, type_name, path[-1])))
    return slots


def is_required(argument: Any) -> bool:
    """Non-null without a default (graphql-core 3.3 keeps a default in `default`)."""
    has_default = argument.default_value is not Undefined or getattr(argument, "default", None)
    return is_non_null_type(argument.type) and not has_default


def filler(name: str, type_: Any) -> Any:
    """A harmless, valid value for an argument or input field the probe is not aiming at."""
    if name in VALUES_BY_NAME:
        return VALUES_BY_NAME[name]
    if is_non_null_type(type_):
        return filler(name, type_.of_type)
    if is_list_type(type_):
        return [filler(name, type_.of_type)]
    named = get_named_type(type_)
    if is_enum_type(named):
        return next(iter(named.values))  # type: ignore[attr-defined]
    if is_input_object_type(named):
        return {
            field_name: filler(field_name, field.type)
            for field_name, field in named.fields.items()  # type: ignore[attr-defined]
            if is_required(field)
        }
    if named.name in SCALAR_VALUES:
        return SCALAR_VALUES[named.name]
    raise AssertionError(f"the isolation probe has no value for the scalar {named.name}")


def aimed(type_: Any, path: tuple[str, ...], ident: str) -> Any:
    """The value of an argument with `ident` at `path` inside it."""
    if is_non_null_type(type_):
        return aimed(type_.of_type, path, ident)
    if is_list_type(type_):
        return [aimed(type_.of_type, path, ident)]
    if not path:
        return ident
    named = get_named_type(type_)
    value = filler("", named)
    value[path[0]] = aimed(named.fields[path[0]].type, path[1:], ident)  # type: ignore[attr-defined]
    return value


def selection(type_: Any, depth: int = SELECTION_DEPTH) -> str:
    """Every field reachable without required arguments, `depth` levels down."""
    named: GraphQLNamedType = get_named_type(type_)
    if is_leaf_type(named):
        return ""
    if not (is_object_type(named) or is_interface_type(named)):
        return "{ __typename }"
    parts = []
    for name, field in named.fields.items():  # type: ignore[attr-defined]
        if any(is_required(a) for a in field.args.values()):
            continue
        if is_leaf_type(get_named_type(field.type)):
            parts.append(name)
        elif depth > 1:
            parts.append(f"{name} {selection(field.type, depth - 1)}")
    return "{ " + " ".join(parts or ["__typename"]) + " }"


def operation_for(
    schema: GraphQLSchema, slot: IdSlot | None, field_name: str, operation: str, ids: dict[str, str]
) -> tuple[str, dict[str, Any]]:
    """A query calling `field_name` with `slot` aimed at `ids[slot.kind]`, every other id
    argument it requires given `ids` of their kinds, and its other required arguments (and
    optional ones the probe knows by name) filled."""
    root = schema.query_type if operation == "query" else schema.mutation_type
    assert root is not None
    field: GraphQLField = root.fields[field_name]
    type_name = get_named_type(field.type).name
    values: dict[str, Any] = {}
    for argument, arg in field.args.items():
        if slot is not None and argument == slot.path[0]:
            values[argument] = aimed(arg.type, slot.path[1:], ids[slot.kind])
        elif get_named_type(arg.type).name == "ID":
            if is_required(arg):
                values[argument] = aimed(
                    arg.type, (), ids[kind_of(field_name, type_name, argument)]
                )
        elif argument in VALUES_BY_NAME or is_required(arg):
            values[argument] = filler(argument, arg.type)
    definitions = ", ".join(f"${name}: {field.args[name].type}" for name in values)
    arguments = ", ".join(f"{name}: ${name}" for name in values)
    head = f"{operation} Probe({definitions})" if values else operation
    call = f"{field_name}({arguments})" if values else field_name
    return f"{head} {{ {call} {selection(field.type)} }}", values


async def introspect(gql, token) -> GraphQLSchema:
    result = await gql(get_introspection_query(), token=token)
    return build_client_schema(result.ok())


CREATE_SUBSCRIPTION = """mutation($url: String!) {
  createWebhookSubscription(url: $url, eventTypes: ["*"]) { subscription { id } } }"""
CREATE_TRIGGER = """mutation {
  createWorkflowTrigger(name: "b's review", kind: SCHEDULE, cron: "0 6 * * 1",
    timezone: "Europe/Brussels", templateKey: "portfolio-management", marketRole: BRP) { id } }"""
NOTIFICATIONS = "{ notifications(first: 100) { id subject read readAt } }"


@dataclass
class TenantB:
    """Tenant B's rows of every kind an id can name (workflows at several stages)."""

    ids: dict[str, list[str]]
    admin: Any
    text: list[str]  # what of B must never reach A: its slug and company name

    def secrets(self) -> list[str]:
        """B's text and ids (job ids are small numbers, found anywhere: not those)."""
        ids = [i for kind, ids in self.ids.items() if kind != "job" for i in ids]
        return [*self.text, *ids]

    def first(self) -> dict[str, str]:
        return {kind: ids[0] for kind, ids in self.ids.items()}


@pytest.fixture
async def tenant_b(gql, factory, storage) -> TenantB:
    tenant = await factory.tenant()
    admin = await factory.account("tenant_admin", tenant)
    ops = await factory.account("market_ops")
    # one onboarding per market role at a time: each stage is another role's
    workflows = [
        await drive(gql, tenant, admin.token, until=stage, role=role)
        for stage, role in (("DRAFT", "BSP"), ("IN_PROGRESS", "ACH"), ("SUBMITTED", "BRP"))
    ]
    subscription = (
        await gql(CREATE_SUBSCRIPTION, {"url": "https://b.example.test/hook"}, token=admin.token)
    ).ok()["createWebhookSubscription"]["subscription"]["id"]
    trigger = (await gql(CREATE_TRIGGER, token=admin.token)).ok()["createWorkflowTrigger"]["id"]
    delivery = await webhook_delivery(storage, subscription)
    await notify(storage, admin, "for b")
    notification = (await gql(NOTIFICATIONS, token=admin.token)).ok()["notifications"][0]["id"]
    jobs = (await gql("{ jobs(first: 100) { id payload } }", token=ops.token)).ok()["jobs"]
    job = next(j["id"] for j in jobs if any(w in json.dumps(j["payload"]) for w in workflows))
    return TenantB(
        ids={
            "tenant": [str(tenant.id)],
            "workflow": workflows,
            "subscription": [subscription],
            "trigger": [trigger],
            "delivery": [delivery],
            "notification": [notification],
            "job": [job],
            "user": [str(admin.user.id)],
            # the primary contact of B's onboardings (wfm_testing.onboarding.step_data)
            "subject": [str(subject_id_for(tenant.id, "lea@example.test"))],
        },
        admin=admin,
        text=[tenant.slug, tenant.company_name],
    )


def unknown_ids() -> dict[str, str]:
    ids = {kind: str(uuid.uuid4()) for _, kind in ID_KINDS}
    ids["job"] = str(random.randint(10**9, 2 * 10**9))  # job ids are numbers
    return ids


def sent(variables: Any, ids: dict[str, str]) -> list[str]:
    """The ids of `ids` a request carries. An answer naming one tells the caller nothing it
    did not say: an operation taking two ids (a workflow and a user) may answer about
    either, and is judged with both masked."""
    if isinstance(variables, dict):
        return [i for value in variables.values() for i in sent(value, ids)]
    if isinstance(variables, list):
        return [i for value in variables for i in sent(value, ids)]
    return [variables] if variables in ids.values() else []


def masked(result, idents: list[str]):
    """What a client learns from an answer, with the ids it sent masked."""

    def mask(text: str) -> str:
        for ident in idents:
            text = text.replace(ident, "<id>")
        return text

    errors = [
        (e.get("extensions", {}).get("code"), mask(e["message"]), e.get("path"))
        for e in result.errors
    ]
    return errors, json.loads(mask(json.dumps(result.data)))


async def b_state(gql, schema, ops_token, b: TenantB):
    """Everything market operations see of B (every query, with B's ids where it takes
    ids), and B's own notifications."""
    seen = {}
    slots = id_slots(schema)
    for name in schema.query_type.fields:
        for slot in [s for s in slots if (s.operation, s.field) == ("query", name)] or [None]:
            query, variables = operation_for(schema, slot, name, "query", b.first())
            result = await gql(query, variables, token=ops_token)
            seen[(name, slot.path if slot else ())] = (result.codes, result.data)
    seen["notifications"] = (await gql(NOTIFICATIONS, token=b.admin.token)).ok()
    return seen


@pytest.mark.parametrize("role", ["tenant_admin", "tenant_user"])
async def test_every_id_of_another_tenant_answers_like_an_unknown_one(
    gql, factory, tenant_b, role, record_property
):
    tenant_a = await factory.tenant()
    caller = await factory.account(role, tenant_a)
    ops = await factory.account("market_ops")
    schema = await introspect(gql, caller.token)
    slots = id_slots(schema)
    before = await b_state(gql, schema, ops.token, tenant_b)

    probed, problems = set(), []
    for slot in slots:
        for foreign_id in tenant_b.ids[slot.kind]:
            ids = {**tenant_b.first(), slot.kind: foreign_id}
            query, variables = operation_for(schema, slot, slot.field, slot.operation, ids)
            foreign = await gql(query, variables, token=caller.token)
            unknown = unknown_ids()
            query, unknown_variables = operation_for(
                schema, slot, slot.field, slot.operation, unknown
            )
            stranger = await gql(query, unknown_variables, token=caller.token)
            probed.add(slot.field)
            where = f"{slot.field}({'.'.join(slot.path)}: {slot.kind} {foreign_id})"
            if foreign.response.status_code != 200 or set(foreign.codes) - ACCEPTED_CODES:
                problems.append(f"{where}: {foreign.response.status_code} {foreign.errors}")
                continue
            told = sent(variables, ids)
            if masked(foreign, told) != masked(stranger, sent(unknown_variables, unknown)):
                problems.append(
                    f"{where} answers unlike an unknown id: {foreign.body} vs {stranger.body}"
                )
                continue
            body = json.dumps(foreign.body)
            for ident in told:
                body = body.replace(ident, "<id>")
            leaked = [t for t in tenant_b.secrets() if t in body]
            if leaked:
                problems.append(f"{where} shows B's {leaked}: {foreign.body}")

    assert not problems, "\n".join(problems)
    assert await b_state(gql, schema, ops.token, tenant_b) == before
    record_property(f"fields_probed_{role}", len(probed))
    # every id-taking field of the schema was reached
    assert probed == {slot.field for slot in slots}
    assert len(probed) >= 25, sorted(probed)


def test_an_id_argument_the_probe_cannot_map_fails_by_name():
    with pytest.raises(UnmappedIdArgument, match="'frobnicate'"):
        kind_of("frobnicate", "Frob", "id")
    assert kind_of("deleteWorkflowTrigger", "ID", "id") == "trigger"
    assert kind_of("workflows", "WorkflowConnection", "tenantId") == "tenant"
    assert kind_of("markNotificationsRead", "Int", "ids") == "notification"


async def test_the_probe_reaches_ids_inside_input_objects_and_lists(gql, factory):
    account = await factory.account("tenant_user", await factory.tenant())
    slots = {(s.field, s.path): s.kind for s in id_slots(await introspect(gql, account.token))}
    assert slots[("workflows", ("filter", "tenantId"))] == "tenant"
    assert slots[("markNotificationsRead", ("ids",))] == "notification"
    assert slots[("workflow", ("id",))] == "workflow"
