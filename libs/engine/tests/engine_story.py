"""Engine test helpers: principals, a branching template, and Story, which runs commands
through decide/evolve and keeps the log. (On the pytest path via `pythonpath`.)"""

import uuid
from datetime import UTC, datetime, timedelta

from wfm_engine import CreateWorkflow, DecisionContext, decide, fold, parse_template
from wfm_shared.principal import principal_for

TENANT = uuid.uuid4()
PARTICIPANT = principal_for(uuid.uuid4(), TENANT, "tenant_user")
ADMIN = principal_for(uuid.uuid4(), TENANT, "tenant_admin")
STRANGER = principal_for(uuid.uuid4(), uuid.uuid4(), "tenant_admin")
OPS = principal_for(uuid.uuid4(), None, "market_ops")
OTHER_OPS = principal_for(uuid.uuid4(), None, "market_ops")
TENANT_CONTEXT = {"vat_number": "BE0477472701", "feature_flags": {"express": False}}


def title(text):
    return {"en": text, "fr": text, "nl": text}


TEMPLATE = parse_template(
    {
        "key": "branching",
        "version": 1,
        "name": title("Branching"),
        "grantsMarketRole": True,
        "steps": [
            {
                "id": "company",
                "type": "form",
                "title": title("Company"),
                "schema": {
                    "type": "object",
                    "required": ["vatNumber"],
                    "properties": {"vatNumber": {"type": "string", "format": "be-vat"}},
                    "additionalProperties": False,
                },
            },
            {
                "id": "contacts",
                "type": "form",
                "title": title("Contacts"),
                "validators": ["primaryContactPresent"],
                "schema": {"type": "object", "required": ["contacts"]},
            },
            {
                "id": "capacity",
                "type": "form",
                "title": title("Capacity"),
                "schema": {
                    "type": "object",
                    "required": ["mw"],
                    "properties": {"mw": {"type": "integer"}},
                },
                "next": [
                    {"to": "review", "when": "steps.capacity.mw >= 25"},
                    {"when": "steps.capacity.mw < 25"},
                ],
            },
            {
                "id": "review",
                "type": "approval",
                "roles": ["market_ops"],
                "title": title("Review"),
                "next": [
                    {"when": "steps.review.decision == 'approve'", "gates": ["fourEyes"]},
                    {"to": "capacity", "when": "steps.review.decision == 'reject'"},
                ],
            },
        ],
        "submission": {
            "validators": ["vatNumberMatchesTenant"],
            "approval": {"gates": ["fourEyes"]},
        },
    }
)
# System steps that fail, and what follows: a forEach over the access points that pauses for
# a person when it fails, a lookup that hands over to a manual step, a notice without onFailure.
AUTOMATED = parse_template(
    {
        "key": "automated",
        "version": 1,
        "name": title("Automated"),
        "steps": [
            {"id": "apply", "type": "form", "title": title("Apply")},
            {
                "id": "register",
                "type": "api_call",
                "title": title("Register each access point"),
                "config": {
                    "url": "https://registry.example/access-points",
                    "responseMapping": {"registryIds": "body.id"},
                },
                "forEach": {"items": "steps.apply.points", "as": "point", "max": 5},
                "onFailure": "pause",
            },
            {
                "id": "lookup",
                "type": "api_call",
                "title": title("Look the company up"),
                "config": {"url": "https://registry.example/companies"},
                "onFailure": {"to": "manual"},
                "next": [{"to": "notice"}],
            },
            {"id": "manual", "type": "form", "title": title("Look it up by hand")},
            {
                "id": "notice",
                "type": "api_call",
                "title": title("Tell the registry"),
                "config": {"url": "https://registry.example/notices"},
            },
        ],
    }
)
POINTS = {"points": ["541449000000000011", "541449000000000028", "541449000000000035"]}


def answer(registry_id: str) -> dict:
    """What the registry answers an api_call with."""
    return {"status": 201, "body": {"id": registry_id}, "attempts": 1}


COMPANY = {"vatNumber": "BE0477472701"}
CONTACTS = {"contacts": [{"name": "Ann", "role": "primary"}]}


class Story:
    """One workflow instance, driven through the pure engine."""

    def __init__(self, template=TEMPLATE):
        self.template = template
        self.now = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
        self.log = []
        self.state = None

    def ctx(self, principal, **extra):
        self.now += timedelta(seconds=1)
        return DecisionContext(principal=principal, now=self.now, tenant=TENANT_CONTEXT, **extra)

    def decision(self, command, principal=PARTICIPANT, **extra):
        return decide(self.state, command, self.template, self.ctx(principal, **extra))

    def do(self, command, principal=PARTICIPANT, **extra):
        events = self.decision(command, principal, **extra).events
        self.log.extend(events)
        self.state = fold(events, self.state)
        return self.state

    def create(self, principal=PARTICIPANT):
        return self.do(
            CreateWorkflow(str(uuid.uuid4()), str(TENANT), "BRP", str(uuid.uuid4())), principal
        )
