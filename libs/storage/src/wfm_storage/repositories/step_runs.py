"""Step runs and a workflow's start and completion (migration 0018), written by the projection
from each event's changes (`wfm_engine.step_runs`), in the transaction that advances the
workflow's index row. Every statement is idempotent: a run is inserted once per activation,
and ended, compensated or marked as breached only from the state before, so replaying an
event changes nothing and a row only moves forward."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from wfm_engine import InstanceState
from wfm_engine.step_runs import (
    FailedRunRepeated,
    RunBegan,
    RunBreachedSla,
    RunChange,
    RunCompensated,
    RunEnded,
    WorkflowBegan,
    WorkflowCompleted,
)
from wfm_storage.postgres import Executor

# A new activation ends the run still under way (a rollback left it), then begins its own.
_BEGIN = """
WITH left_behind AS (
    UPDATE wfm.step_runs SET outcome = 'abandoned', ended_seq = $2, ended_at = $3
     WHERE workflow_id = $1 AND ended_seq IS NULL AND started_seq < $2
)
INSERT INTO wfm.step_runs (workflow_id, started_seq, started_at, step_id, tenant_id,
                           template_id, template_key, template_version)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (workflow_id, started_seq) DO NOTHING
"""
# A resume repeats the workflow's latest run before it if that run had ended failed by then
# (as of the resume, not as of now: a replay finds the same run, and the new one inserted).
_REPEAT_FAILED = """
INSERT INTO wfm.step_runs (workflow_id, started_seq, started_at, step_id, tenant_id,
                           template_id, template_key, template_version)
SELECT workflow_id, $2, $3, step_id, tenant_id, template_id, template_key, template_version
  FROM wfm.step_runs
 WHERE workflow_id = $1 AND outcome = 'failed' AND ended_seq < $2
   AND started_seq = (SELECT max(started_seq) FROM wfm.step_runs
                       WHERE workflow_id = $1 AND started_seq < $2)
ON CONFLICT (workflow_id, started_seq) DO NOTHING
"""
_END = """
UPDATE wfm.step_runs SET outcome = $4, ended_seq = $2, ended_at = $3
 WHERE workflow_id = $1 AND ended_seq IS NULL AND started_seq < $2
   AND ($5::text IS NULL OR step_id = $5)
"""
# The latest run of the step that had completed before the compensation: once compensated,
# it stays the latest, so a replay finds it compensated already and changes nothing.
_COMPENSATE = """
UPDATE wfm.step_runs SET outcome = 'compensated', compensated_seq = $2
 WHERE workflow_id = $1 AND outcome = 'completed' AND started_seq = (
       SELECT max(started_seq) FROM wfm.step_runs
        WHERE workflow_id = $1 AND step_id = $3 AND ended_seq < $2
          AND outcome IN ('completed', 'compensated'))
"""
# A run ended and the next begun by the same event (a step completed or failed, and the
# workflow went on): _END then _BEGIN in one statement. The statements of a WITH see the
# same rows, so the abandoning leaves out the run just ended, as it would after _END.
_END_THEN_BEGIN = """
WITH ended AS (
    UPDATE wfm.step_runs SET outcome = $9, ended_seq = $2, ended_at = $3
     WHERE workflow_id = $1 AND ended_seq IS NULL AND started_seq < $2
       AND ($10::text IS NULL OR step_id = $10)
    RETURNING started_seq
), left_behind AS (
    UPDATE wfm.step_runs SET outcome = 'abandoned', ended_seq = $2, ended_at = $3
     WHERE workflow_id = $1 AND ended_seq IS NULL AND started_seq < $2
       AND started_seq NOT IN (SELECT started_seq FROM ended)
)
INSERT INTO wfm.step_runs (workflow_id, started_seq, started_at, step_id, tenant_id,
                           template_id, template_key, template_version)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (workflow_id, started_seq) DO NOTHING
"""
# The activation breached; a run begun before migration 0018 (0) is the current one's.
_BREACH = """
UPDATE wfm.step_runs SET sla_breached_at = $4
 WHERE workflow_id = $1 AND step_id = $3 AND sla_breached_at IS NULL
   AND (started_seq = $2 OR (started_seq = 0 AND ended_seq IS NULL))
"""
_STARTED = (
    "UPDATE wfm.workflow_instances_index SET started_at = $2 WHERE id = $1 AND started_at IS NULL"
)
_COMPLETED = (
    "UPDATE wfm.workflow_instances_index SET completed_at = $2 "
    "WHERE id = $1 AND completed_at IS NULL"
)


class StepRunRepository:
    async def record(
        self, ex: Executor, state: InstanceState, changes: Sequence[RunChange]
    ) -> None:
        """Apply `changes` (of events of the workflow `state` is the latest state of): one
        statement each, or one for a run ended and the next begun by the same event."""
        workflow_id = uuid.UUID(state.id)
        run_of = (
            uuid.UUID(state.tenant_id),
            uuid.UUID(state.template_id),
            state.template_key,
            state.template_version,
        )
        pending = list(changes)
        while pending:
            change = pending.pop(0)
            following = pending[0] if pending else None
            if (
                isinstance(change, RunEnded)
                and isinstance(following, RunBegan)
                and (following.seq, following.at) == (change.seq, change.at)
            ):
                pending.pop(0)
                await ex.execute(
                    _END_THEN_BEGIN,
                    workflow_id,
                    following.seq,
                    following.at,
                    following.step_id,
                    *run_of,
                    change.outcome.value,
                    change.step_id,
                )
                continue
            match change:
                case RunBegan(step_id=step_id, seq=seq, at=at):
                    await ex.execute(_BEGIN, workflow_id, seq, at, step_id, *run_of)
                case FailedRunRepeated(seq=seq, at=at):
                    await ex.execute(_REPEAT_FAILED, workflow_id, seq, at)
                case RunEnded(step_id=step_id, seq=seq, at=at, outcome=outcome):
                    await ex.execute(_END, workflow_id, seq, at, outcome.value, step_id)
                case RunCompensated(step_id=step_id, seq=seq):
                    await ex.execute(_COMPENSATE, workflow_id, seq, step_id)
                case RunBreachedSla(step_id=step_id, activation_seq=activation, at=at):
                    await ex.execute(_BREACH, workflow_id, activation, step_id, at)
                case WorkflowBegan(at=at):
                    await ex.execute(_STARTED, workflow_id, at)
                case WorkflowCompleted(at=at):
                    await ex.execute(_COMPLETED, workflow_id, at)
