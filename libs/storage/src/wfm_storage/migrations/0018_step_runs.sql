-- Execution statistics (`templateStats`), computed from Postgres and never from the event log:
-- when each workflow started and completed, on its index row, and every run of a step (one
-- activation: from the event that made the step current to the one that ended it) in
-- `step_runs`. Both are projections of the log (wfm_engine.step_runs says what each event
-- does to them), written in the transaction that advances the index row; a row only ever
-- moves forward, so replaying an event changes nothing.

ALTER TABLE wfm.workflow_instances_index
    ADD COLUMN started_at   timestamptz,  -- WORKFLOW_STARTED (NULL: not started, or not on record)
    ADD COLUMN completed_at timestamptz;  -- WORKFLOW_APPROVED: the workflow COMPLETED

CREATE TABLE wfm.step_runs (
    workflow_id      uuid NOT NULL,
    -- the seq of the event that made the step current (its activation); 0: a run under way
    -- when this table was made whose activation is not on record (one per workflow at most)
    started_seq      integer NOT NULL CHECK (started_seq >= 0),
    tenant_id        uuid NOT NULL,
    template_id      uuid NOT NULL,
    template_key     text NOT NULL,
    template_version integer NOT NULL,
    step_id          text NOT NULL CHECK (step_id <> ''),
    started_at       timestamptz,  -- NULL: not on record (see started_seq)
    -- how the run ended: the step completed, failed (its runner), or was left (a rollback, a
    -- cancellation); a completed run that a rollback undid later becomes `compensated`
    outcome          text CHECK (outcome IN ('completed', 'failed', 'compensated', 'abandoned')),
    ended_seq        integer,
    ended_at         timestamptz,
    compensated_seq  integer,
    sla_breached_at  timestamptz,  -- the first STEP_SLA_BREACHED of this activation
    PRIMARY KEY (workflow_id, started_seq),  -- also finds a workflow's open run
    CONSTRAINT step_runs_end_is_whole
        CHECK ((outcome IS NULL) = (ended_seq IS NULL) AND (ended_seq IS NULL) = (ended_at IS NULL)),
    CONSTRAINT step_runs_compensation_is_whole
        CHECK ((outcome IS NOT DISTINCT FROM 'compensated') = (compensated_seq IS NOT NULL))
);  -- its foreign keys and other indexes follow the backfill (faster built than kept up)

ALTER TABLE wfm.step_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE wfm.step_runs FORCE ROW LEVEL SECURITY;
CREATE POLICY step_runs_tenant ON wfm.step_runs FOR ALL
    USING ((SELECT wfm.is_market_ops()) OR tenant_id = (SELECT wfm.current_tenant_id()))
    WITH CHECK ((SELECT wfm.is_market_ops()) OR tenant_id = (SELECT wfm.current_tenant_id()));
CREATE POLICY step_runs_owner ON wfm.step_runs TO CURRENT_USER USING (true) WITH CHECK (true);
-- no DELETE: a run is history
GRANT SELECT, INSERT, UPDATE ON wfm.step_runs TO wfm_app;

-- backfill --
-- The workflows and runs before this migration, from what Postgres holds. The projection
-- wrote an audit entry per event ({seq, stepId}, in the command's own transaction), so the
-- audit trail tells which events each workflow had and, within the command's latency, when
-- (an entry's time is when the event was projected: later for events the reconciler
-- caught up after a crash). What cannot be recovered without reading the event log:
--   * the exact time of each event (the log's occurredAt): the audit's time stands in for it;
--   * runs that a rollback abandoned (the audit does not name the step that was current);
--   * anything of workflows without audit entries (loaded in bulk, like the benchmark's):
--     their current step's run is recorded as under way since an unknown time, so that
--     its end is counted; its start is the work queue's `waiting_since` when a person waits
--     on it (exact: its activation), else unknown.
-- Each statement fills in only what is missing: run again, the backfill changes nothing.
CREATE TEMPORARY TABLE step_run_history ON COMMIT DROP AS
SELECT i.id AS workflow_id,
       (a.details ->> 'seq')::integer AS seq,
       a.action,
       a.details ->> 'stepId' AS step_id,
       a.occurred_at AS at
  FROM wfm.audit_log a
  JOIN wfm.workflow_instances_index i ON i.id::text = a.target_id
 WHERE a.target_type = 'workflow'
   AND a.action IN ('WORKFLOW_STARTED', 'STEP_COMPLETED', 'WORKFLOW_REJECTED',
                    'WORKFLOW_ROLLED_BACK', 'WORKFLOW_FAILED', 'WORKFLOW_CANCELLED',
                    'STEP_COMPENSATED', 'STEP_SLA_BREACHED')
   AND jsonb_typeof(a.details -> 'seq') = 'number';
CREATE INDEX ON step_run_history (workflow_id, seq);
ANALYZE step_run_history;

-- When each workflow started (its WORKFLOW_STARTED entry) and completed: a COMPLETED
-- workflow's last event is its approval, so `updated_at` is its exact time. One pass over
-- the rows that gain either (every index of the table is written with each).
CREATE TEMPORARY TABLE workflow_started ON COMMIT DROP AS
SELECT workflow_id, min(at) AS at FROM step_run_history
 WHERE action = 'WORKFLOW_STARTED' GROUP BY workflow_id;
CREATE INDEX ON workflow_started (workflow_id);
ANALYZE workflow_started;
UPDATE wfm.workflow_instances_index i
   SET started_at = coalesce(i.started_at, least(s.at, i.updated_at)),
       completed_at = CASE WHEN i.status = 'COMPLETED' THEN coalesce(i.completed_at, i.updated_at)
                      END
  FROM wfm.workflow_instances_index j
  LEFT JOIN workflow_started s ON s.workflow_id = j.id
 WHERE i.id = j.id
   AND ((i.started_at IS NULL AND s.at IS NOT NULL)
        OR (i.status = 'COMPLETED' AND i.completed_at IS NULL));

-- Each event with the activation before it: the latest event that made a step current
-- (wfm_engine.evolve's _ACTIVATING), whose step is the one current until this event.
CREATE TEMPORARY TABLE step_run_events ON COMMIT DROP AS
SELECT h.*,
       max(h.seq) FILTER (WHERE h.action IN ('WORKFLOW_STARTED', 'STEP_COMPLETED',
                                             'WORKFLOW_REJECTED', 'WORKFLOW_ROLLED_BACK'))
           OVER (PARTITION BY h.workflow_id ORDER BY h.seq
                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS activation_seq
  FROM step_run_history h;
CREATE INDEX ON step_run_events (action);
ANALYZE step_run_events;

-- the runs a step's completion ended
INSERT INTO wfm.step_runs (workflow_id, started_seq, tenant_id, template_id, template_key,
                           template_version, step_id, started_at, outcome, ended_seq, ended_at)
SELECT e.workflow_id, e.activation_seq, i.tenant_id, i.template_id, i.template_key, t.version,
       e.step_id, a.at, 'completed', e.seq, e.at
  FROM step_run_events e
  JOIN step_run_history a ON a.workflow_id = e.workflow_id AND a.seq = e.activation_seq
  JOIN wfm.workflow_instances_index i ON i.id = e.workflow_id
  JOIN wfm.workflow_templates t ON t.id = i.template_id
 WHERE e.action = 'STEP_COMPLETED' AND e.step_id IS NOT NULL
ON CONFLICT DO NOTHING;

-- the run under way at each workflow's last activation (its step is the index's current
-- step): failed, if the workflow failed on that step (a FAILED workflow could only be
-- cancelled since: nothing activated another step after), left at a cancellation, else open
INSERT INTO wfm.step_runs (workflow_id, started_seq, tenant_id, template_id, template_key,
                           template_version, step_id, started_at, outcome, ended_seq, ended_at)
SELECT i.id, last.seq, i.tenant_id, i.template_id, i.template_key, t.version, i.current_step,
       last.at, ended.outcome, ended.seq, ended.at
  FROM wfm.workflow_instances_index i
  JOIN wfm.workflow_templates t ON t.id = i.template_id
  CROSS JOIN LATERAL (
      SELECT h.seq, h.at FROM step_run_history h
       WHERE h.workflow_id = i.id
         AND h.action IN ('WORKFLOW_STARTED', 'STEP_COMPLETED', 'WORKFLOW_REJECTED',
                          'WORKFLOW_ROLLED_BACK')
       ORDER BY h.seq DESC LIMIT 1
  ) last
  LEFT JOIN LATERAL (
      SELECT CASE h.action WHEN 'WORKFLOW_FAILED' THEN 'failed' ELSE 'abandoned' END AS outcome,
             h.seq, h.at
        FROM step_run_history h
       WHERE h.workflow_id = i.id AND h.seq > last.seq
         AND (h.action = 'WORKFLOW_CANCELLED'
              OR (h.action = 'WORKFLOW_FAILED' AND h.step_id = i.current_step))
       ORDER BY h.seq LIMIT 1
  ) ended ON true
 WHERE i.current_step IS NOT NULL
ON CONFLICT DO NOTHING;

-- a step under way with nothing on record: its end will be counted, its start if known
INSERT INTO wfm.step_runs (workflow_id, started_seq, tenant_id, template_id, template_key,
                           template_version, step_id, started_at)
SELECT i.id, 0, i.tenant_id, i.template_id, i.template_key, t.version, i.current_step,
       CASE WHEN i.work_kind = 'STEP' AND i.work_step = i.current_step THEN i.waiting_since END
  FROM wfm.workflow_instances_index i
  JOIN wfm.workflow_templates t ON t.id = i.template_id
 WHERE i.current_step IS NOT NULL AND i.version > 0
   AND i.status NOT IN ('COMPLETED', 'CANCELLED')
   AND NOT EXISTS (SELECT FROM step_run_history h WHERE h.workflow_id = i.id)
ON CONFLICT DO NOTHING;

-- compensations: the latest completed run of the step before each one
UPDATE wfm.step_runs r
   SET outcome = 'compensated', compensated_seq = c.seq
  FROM (
      SELECT e.workflow_id, e.seq,
             (SELECT max(run.started_seq) FROM wfm.step_runs run
               WHERE run.workflow_id = e.workflow_id AND run.step_id = e.step_id
                 AND run.ended_seq < e.seq AND run.outcome IN ('completed', 'compensated')
             ) AS started_seq
        FROM step_run_events e
       WHERE e.action = 'STEP_COMPENSATED'
  ) c
 WHERE r.workflow_id = c.workflow_id AND r.started_seq = c.started_seq AND r.outcome = 'completed';

-- SLA breaches: of the activation they followed, when it is the breached step's
UPDATE wfm.step_runs r
   SET sla_breached_at = b.at
  FROM (
      SELECT DISTINCT ON (workflow_id, activation_seq) workflow_id, activation_seq, step_id, at
        FROM step_run_events
       WHERE action = 'STEP_SLA_BREACHED'
       ORDER BY workflow_id, activation_seq, seq
  ) b
 WHERE r.workflow_id = b.workflow_id AND r.started_seq = b.activation_seq
   AND r.step_id = b.step_id AND r.sla_breached_at IS NULL;

-- end of backfill --

ALTER TABLE wfm.step_runs
    ADD CONSTRAINT step_runs_workflow_fkey FOREIGN KEY (workflow_id)
        REFERENCES wfm.workflow_instances_index (id) ON DELETE CASCADE,
    ADD CONSTRAINT step_runs_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES wfm.tenants (id),
    ADD CONSTRAINT step_runs_template_fkey FOREIGN KEY (template_id)
        REFERENCES wfm.workflow_templates (id);
-- templateStats reads the runs of one template that began in a period: across tenants
-- (market operations), and within one tenant (row-level security adds the tenant to every
-- tenant role's query, and the service names it). Its workflows, created in the period, are
-- found by 0013's (template_key, created_at) index, or a tenant's by 0001's (tenant_id,
-- created_at): no index is added to the index table, which every command writes.
CREATE INDEX step_runs_template_idx ON wfm.step_runs (template_key, started_at);
CREATE INDEX step_runs_tenant_template_idx ON wfm.step_runs (tenant_id, template_key, started_at);
