-- Retention: how long a finished (COMPLETED or CANCELLED) workflow keeps the personal data in
-- it. A template may declare a default (`retention: {afterDays}`); market operations override
-- it per tenant, for one template or for every template of the tenant. Past its period, the
-- worker's sweep erases the workflow's subject keys (its personal data in the log and the
-- documents becomes unreadable), deletes its files and step drafts, and stamps its index row;
-- the audit trail keeps the fact (which workflows, how much), never the data.

-- When the sweep erased the workflow's personal data (NULL: not yet, or never due).
ALTER TABLE wfm.workflow_instances_index
    ADD COLUMN personal_data_erased_at timestamptz;
-- The sweep's candidates, by when they finished: a COMPLETED workflow's approval, a
-- CANCELLED one's last event (its cancellation).
CREATE INDEX workflow_instances_retention_idx
    ON wfm.workflow_instances_index (coalesce(completed_at, updated_at))
    WHERE status IN ('COMPLETED', 'CANCELLED') AND personal_data_erased_at IS NULL;

-- A tenant's overrides: for one template (by key, every version and market role), or for
-- every template of the tenant (template_key NULL). The most specific one applies.
CREATE TABLE wfm.retention_policies (
    tenant_id    uuid NOT NULL REFERENCES wfm.tenants (id),
    template_key text CHECK (template_key <> ''),
    after_days   integer NOT NULL CHECK (after_days BETWEEN 1 AND 36500),
    updated_at   timestamptz NOT NULL,
    updated_by   uuid NOT NULL,
    CONSTRAINT retention_policies_scope UNIQUE NULLS NOT DISTINCT (tenant_id, template_key)
);

ALTER TABLE wfm.retention_policies ENABLE ROW LEVEL SECURITY;
ALTER TABLE wfm.retention_policies FORCE ROW LEVEL SECURITY;
CREATE POLICY retention_policies_tenant ON wfm.retention_policies FOR ALL
    USING ((SELECT wfm.is_market_ops()) OR tenant_id = (SELECT wfm.current_tenant_id()))
    WITH CHECK ((SELECT wfm.is_market_ops()) OR tenant_id = (SELECT wfm.current_tenant_id()));
CREATE POLICY retention_policies_owner ON wfm.retention_policies TO CURRENT_USER
    USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON wfm.retention_policies TO wfm_app;
