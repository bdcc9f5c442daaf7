-- Attachments: files uploaded to a form step of a workflow (`POST /files`), referred to from
-- the step's data by id. A row holds what is known of the file; its bytes are in MongoDB
-- (the GridFS bucket `attachments`, wfm_storage.file_bytes), written before the row: a file
-- has a row only once all of its bytes are stored. Rows are never deleted: a file removed
-- (retention) keeps its row, stamped `deleted_at`, its bytes gone.
--
-- status: `pending` until the virus scanner has judged it (only when one is configured),
-- then `clean` or `infected` (never downloadable; its bytes are deleted); `unscanned`: no
-- scanner is configured, the file was accepted as it came.
CREATE TABLE wfm.files (
    id             uuid PRIMARY KEY,
    tenant_id      uuid NOT NULL REFERENCES wfm.tenants (id),
    workflow_id    uuid NOT NULL REFERENCES wfm.workflow_instances_index (id),
    step_id        text NOT NULL CHECK (step_id <> '' AND length(step_id) <= 200),
    name           text NOT NULL CHECK (name <> '' AND length(name) <= 255),
    -- read from the bytes, never from the name or what the client declared
    content_type   text NOT NULL CHECK (content_type <> '' AND length(content_type) <= 200),
    size_bytes     bigint NOT NULL CHECK (size_bytes >= 0),
    sha256         text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    status         text NOT NULL CHECK (status IN ('pending', 'clean', 'infected', 'unscanned')),
    uploaded_by    uuid NOT NULL,  -- the user (kept if they leave)
    uploaded_at    timestamptz NOT NULL,
    scanned_at     timestamptz,
    scan_signature text CHECK (length(scan_signature) <= 500),  -- what the scanner found
    deleted_at     timestamptz,
    CONSTRAINT files_scan_is_whole
        CHECK ((status IN ('clean', 'infected')) = (scanned_at IS NOT NULL)),
    CONSTRAINT files_signature_of_infected CHECK (status = 'infected' OR scan_signature IS NULL)
);
-- a workflow's files (Workflow.files, the gate, retention), oldest first
CREATE INDEX files_workflow_idx ON wfm.files (workflow_id, uploaded_at);
-- what a person uploaded (the export of their data)
CREATE INDEX files_uploader_idx ON wfm.files (tenant_id, uploaded_by);

ALTER TABLE wfm.files ENABLE ROW LEVEL SECURITY;
ALTER TABLE wfm.files FORCE ROW LEVEL SECURITY;
CREATE POLICY files_tenant ON wfm.files FOR ALL
    USING ((SELECT wfm.is_market_ops()) OR tenant_id = (SELECT wfm.current_tenant_id()))
    WITH CHECK ((SELECT wfm.is_market_ops()) OR tenant_id = (SELECT wfm.current_tenant_id()));
CREATE POLICY files_owner ON wfm.files TO CURRENT_USER USING (true) WITH CHECK (true);
-- no DELETE: a file removed keeps its row (deleted_at)
GRANT SELECT, INSERT, UPDATE ON wfm.files TO wfm_app;
