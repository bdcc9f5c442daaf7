-- The work queue: what waits for a person on each workflow, kept on its index row by the
-- projection (wfm_engine.work.waiting_work at each event), so that `workItems` and the new
-- `workflows` filters read Postgres alone. work_kind NULL: nothing waits for a person.
ALTER TABLE wfm.workflow_instances_index
    ADD COLUMN template_key  text,
    ADD COLUMN work_kind     text CHECK (work_kind IN ('STEP', 'APPROVAL', 'SUBMISSION', 'FAILURE')),
    ADD COLUMN work_step     text,                       -- NULL: the submission
    ADD COLUMN waiting_since timestamptz,                -- the activation of what waits
    ADD COLUMN due_at        timestamptz,                -- its SLA or approval deadline
    ADD COLUMN work_roles    text[] NOT NULL DEFAULT '{}', -- the roles it waits for
    ADD COLUMN escalated_to  text,                       -- the role an SLA breach added
    ADD COLUMN assignee_id   uuid,                       -- the user it is assigned to
    -- the version of the rules the work columns were written by: 0, never (the rows before
    -- this migration: the reconciler fills them in from each workflow's state)
    ADD COLUMN work_version  smallint NOT NULL DEFAULT 0,
    ADD CONSTRAINT workflow_instances_work_is_whole
        CHECK (work_kind IS NOT NULL OR (assignee_id IS NULL AND due_at IS NULL));

-- What waits for market operations, the one role whose queue spans every tenant (a tenant's
-- queue goes through the tenant's index). A column of its own: row-level security keeps an
-- operator that is not leakproof, such as the array's @>, out of an index's conditions.
ALTER TABLE wfm.workflow_instances_index
    ADD COLUMN for_market_ops boolean NOT NULL
        GENERATED ALWAYS AS (work_kind IS NOT NULL AND 'market_ops' = ANY (work_roles)) STORED;

-- The template key is known from the template row: filled in here for every row.
UPDATE wfm.workflow_instances_index i
   SET template_key = t.key
  FROM wfm.workflow_templates t
 WHERE t.id = i.template_id;
ALTER TABLE wfm.workflow_instances_index ALTER COLUMN template_key SET NOT NULL;

-- The queue's order: due date (none last), then waiting since; over every tenant (market
-- operations), within one tenant, and one assignee's.
CREATE INDEX workflow_work_queue_idx
    ON wfm.workflow_instances_index (coalesce(due_at, 'infinity'::timestamptz), waiting_since, id)
    WHERE work_kind IS NOT NULL;
CREATE INDEX workflow_work_queue_tenant_idx
    ON wfm.workflow_instances_index
       (tenant_id, coalesce(due_at, 'infinity'::timestamptz), waiting_since, id)
    WHERE work_kind IS NOT NULL;
CREATE INDEX workflow_work_assignee_idx
    ON wfm.workflow_instances_index
       (assignee_id, coalesce(due_at, 'infinity'::timestamptz), waiting_since, id)
    WHERE assignee_id IS NOT NULL;
CREATE INDEX workflow_work_market_ops_idx
    ON wfm.workflow_instances_index
       (coalesce(due_at, 'infinity'::timestamptz), waiting_since, id)
    WHERE for_market_ops;
-- the queue's step filter
CREATE INDEX workflow_work_step_idx
    ON wfm.workflow_instances_index (work_step)
    WHERE work_kind IS NOT NULL;
-- what is overdue: the few with a due date (the queue's and the list's `overdue`)
CREATE INDEX workflow_work_due_idx
    ON wfm.workflow_instances_index (due_at)
    WHERE due_at IS NOT NULL;

-- The `workflows` filters, each in the list's order (newest first) where it can be.
CREATE INDEX workflow_instances_template_page_idx
    ON wfm.workflow_instances_index (template_key, created_at DESC, id DESC);
CREATE INDEX workflow_instances_step_page_idx
    ON wfm.workflow_instances_index (current_step, created_at DESC, id DESC)
    WHERE current_step IS NOT NULL;
CREATE INDEX workflow_instances_updated_idx
    ON wfm.workflow_instances_index (updated_at);
