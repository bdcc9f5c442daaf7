-- Step drafts: the data a participant saved on a form step without completing it, so that
-- "Save" survives a reload and another device. A draft is not an event: the event log stays
-- the truth of what was done, and a draft is neither validated against the step's schema
-- nor projected from the log. One per (workflow, step); saving again overwrites it. The
-- projection of the step's completion deletes it, and the workflow's end all of its drafts,
-- in the transaction that advances the workflow's index row.
CREATE TABLE wfm.step_drafts (
    workflow_id uuid NOT NULL REFERENCES wfm.workflow_instances_index (id) ON DELETE CASCADE,
    step_id     text NOT NULL CHECK (step_id <> ''),
    tenant_id   uuid NOT NULL REFERENCES wfm.tenants (id),
    data        jsonb NOT NULL CHECK (jsonb_typeof(data) = 'object'),
    saved_by    uuid NOT NULL,          -- the user who saved it last (kept if they leave)
    saved_at    timestamptz NOT NULL,
    PRIMARY KEY (workflow_id, step_id)  -- also serves a page's drafts: workflow_id = ANY
);
CREATE INDEX step_drafts_tenant_idx ON wfm.step_drafts (tenant_id);

ALTER TABLE wfm.step_drafts ENABLE ROW LEVEL SECURITY;
ALTER TABLE wfm.step_drafts FORCE ROW LEVEL SECURITY;
CREATE POLICY step_drafts_tenant ON wfm.step_drafts FOR ALL
    USING ((SELECT wfm.is_market_ops()) OR tenant_id = (SELECT wfm.current_tenant_id()))
    WITH CHECK ((SELECT wfm.is_market_ops()) OR tenant_id = (SELECT wfm.current_tenant_id()));
CREATE POLICY step_drafts_owner ON wfm.step_drafts TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON wfm.step_drafts TO wfm_app;
