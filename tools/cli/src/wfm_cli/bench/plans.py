"""Query plans of the statements behind a dashboard page and a workflow's history: which
indexes PostgreSQL uses (the repository's own SQL, explained as `wfm_app` under RLS), and
which filters the MongoDB server answers from an index."""

from __future__ import annotations

import json
import uuid
from typing import Any

from wfm_shared.principal import Principal
from wfm_storage.bootstrap import Storage
from wfm_storage.mongo import EVENTS, INSTANCES
from wfm_storage.repositories.instance_index import InstanceFilter


class Explaining:
    """An executor that explains each statement before running it."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self.plans: list[dict[str, Any]] = []

    async def _explain(self, sql: str, args: tuple[Any, ...]) -> None:
        raw = await self._conn.fetchval(f"EXPLAIN (FORMAT JSON) {sql}", *args)
        plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
        self.plans.append({"sql": " ".join(sql.split())[:160], "nodes": sorted(_nodes(plan))})

    async def fetch(self, sql: str, *args: Any) -> Any:
        await self._explain(sql, args)
        return await self._conn.fetch(sql, *args)

    async def fetchrow(self, sql: str, *args: Any) -> Any:
        await self._explain(sql, args)
        return await self._conn.fetchrow(sql, *args)

    async def fetchval(self, sql: str, *args: Any) -> Any:
        await self._explain(sql, args)
        return await self._conn.fetchval(sql, *args)

    async def execute(self, sql: str, *args: Any) -> Any:
        return await self._conn.execute(sql, *args)


def _nodes(plan: dict[str, Any]) -> set[str]:
    name = plan["Node Type"]
    if "Index Name" in plan:
        name = f"{name} using {plan['Index Name']}"
    found = {name}
    for child in plan.get("Plans", []):
        found |= _nodes(child)
    return found


async def postgres_plans(
    storage: Storage, principal: Principal, instance_id: uuid.UUID
) -> list[dict[str, Any]]:
    async with storage.db.transaction(principal) as conn:
        explaining = Explaining(conn)
        page = await storage.index.page(explaining, InstanceFilter(), first=100, after=None)
        rows = page.rows
        tenant_ids = list({r.tenant_id for r in rows}) or [uuid.uuid4()]
        template_ids = list({r.template_id for r in rows}) or [uuid.uuid4()]
        await storage.tenants.by_ids(explaining, tenant_ids)
        await storage.templates.by_ids(explaining, template_ids)
        await storage.index.get(explaining, instance_id)
    return explaining.plans


def _pushdown(explained: dict[str, Any]) -> dict[str, Any]:
    """FerretDB says whether it pushed the filter down; MongoDB names its plan's stages."""
    stages: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            stage = value.get("stage")
            if isinstance(stage, str):
                stages.append(stage)
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    planner = explained.get("queryPlanner", {})
    walk(planner)
    # FerretDB adds its backend's own plan: SQLite's EXPLAIN QUERY PLAN lines
    backend = [str(line) for line in planner.get("Plan", [])] if isinstance(planner, dict) else []
    summary: dict[str, Any] = {"stages": stages}
    if backend:
        summary["backend_plan"] = backend
    for key in ("filterPushdown", "sortPushdown", "limitPushdown"):
        if key in explained:
            summary[key] = explained[key]
    summary["uses_index"] = any(s in {"IXSCAN", "IDHACK", "EXPRESS_IXSCAN"} for s in stages) or any(
        "USING INDEX" in line or "USING COVERING INDEX" in line for line in backend
    )
    return summary


async def mongo_plans(storage: Storage, mongo_ids: list[str]) -> dict[str, Any]:
    db = storage.mongo.db
    shapes = {
        "states of a page: _id $in": (INSTANCES, {"_id": {"$in": mongo_ids}}),
        "events of a page: workflowInstanceId $in": (
            EVENTS,
            {"workflowInstanceId": {"$in": mongo_ids}},
        ),
        "one document: _id": (INSTANCES, {"_id": mongo_ids[0]}),
        "one history: workflowInstanceId": (EVENTS, {"workflowInstanceId": mongo_ids[0]}),
    }
    found = {}
    for name, (collection, query) in shapes.items():
        explained = await db.command(
            {"explain": {"find": collection, "filter": query}, "verbosity": "queryPlanner"}
        )
        found[name] = _pushdown(explained)
    return found
