-- A retried createWorkflow with the same idempotency key finds the instance the first
-- attempt reserved, instead of creating a second one.
ALTER TABLE wfm.workflow_instances_index ADD COLUMN idempotency_key text
    CHECK (idempotency_key IS NULL OR length(idempotency_key) BETWEEN 1 AND 200);
CREATE UNIQUE INDEX workflow_instances_create_key
    ON wfm.workflow_instances_index (tenant_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
-- the reconciler walks the index in id order
CREATE INDEX workflow_instances_lagging_idx
    ON wfm.workflow_instances_index (id) WHERE projected_version < version OR version = 0;
