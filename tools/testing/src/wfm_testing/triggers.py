"""Triggers as the tests write them: `createWorkflowTrigger` with every argument a variable,
a schedule trigger's variables, and an access point as a manual or webhook trigger's input
(its JSON Schema)."""

from __future__ import annotations

from typing import Any


def create_trigger(fields: str) -> str:
    """The `createWorkflowTrigger` mutation answering `fields`; a variable left out leaves its
    argument out."""
    return f"""
mutation($tenantId: ID, $name: String!, $kind: TriggerKind!, $templateKey: String!,
         $marketRole: MarketRole!, $cron: String, $timezone: String, $eventType: String,
         $filter: JSON, $inputSchema: JSON, $variables: JSON) {{
  createWorkflowTrigger(tenantId: $tenantId, name: $name, kind: $kind, templateKey: $templateKey,
                        marketRole: $marketRole, cron: $cron, timezone: $timezone,
                        eventType: $eventType, filter: $filter, inputSchema: $inputSchema,
                        variables: $variables) {{ {fields} }}
}}"""


# the variables of `create_trigger` for a weekly schedule
SCHEDULE: dict[str, Any] = {
    "name": "Monday portfolio review",
    "kind": "SCHEDULE",
    "templateKey": "portfolio-management",
    "marketRole": "BRP",
    "cron": "0 6 * * 1",
    "timezone": "Europe/Brussels",
}

# an access point (its EAN-18 required, its capacity optional) and a list of other points
ACCESS_POINT: dict[str, Any] = {
    "type": "object",
    "required": ["accessPoint"],
    "properties": {
        "accessPoint": {
            "type": "object",
            "required": ["ean"],
            "properties": {
                "ean": {"type": "string", "format": "ean18"},
                "capacityKw": {"type": "number", "minimum": 0},
            },
        },
        "points": {"type": "array", "items": {"type": "string"}},
    },
}
