-- Finding a tenant's open onboarding for a market role (one at a time per role) reads
-- only the rows that are still open.
CREATE INDEX workflow_instances_open_role_idx
    ON wfm.workflow_instances_index (tenant_id, market_role)
    WHERE status NOT IN ('COMPLETED', 'CANCELLED');
