-- Personal data (wfm_shared.personal_data): the keys its values are encrypted under in
-- MongoDB, one per data subject and workflow instance. A key's material is 32 random bytes
-- sealed under the keyring of the settings (WFM_SECRET_KEYS, wfm_shared.sealing): this table
-- never holds one in plaintext, and `wfm secrets rotate-key` reseals them in place.
-- Erasing a subject destroys its keys (sealed_key NULL, with when, by whom and why): every
-- copy of its values in the event log and the instance documents becomes unreadable, while
-- the log itself stays as written. An erased key never changes again; a workflow that goes
-- on naming the subject afterwards does so under a new key (one live key per subject and
-- instance).
CREATE TABLE wfm.subject_keys (
    id             uuid PRIMARY KEY,
    tenant_id      uuid NOT NULL REFERENCES wfm.tenants (id),
    subject_id     uuid NOT NULL,
    instance_id    text NOT NULL CHECK (instance_id <> ''),  -- the MongoDB instance id
    sealed_key     bytea,
    created_at     timestamptz NOT NULL DEFAULT now(),
    erased_at      timestamptz,
    erased_by      uuid,               -- NULL: the platform (a retention sweep)
    erasure_reason text CHECK (length(erasure_reason) BETWEEN 1 AND 500),
    CONSTRAINT subject_keys_erased CHECK ((sealed_key IS NULL) = (erased_at IS NOT NULL)),
    CONSTRAINT subject_keys_erased_why CHECK (erased_at IS NULL OR erasure_reason IS NOT NULL)
);
CREATE UNIQUE INDEX subject_keys_live_idx ON wfm.subject_keys (subject_id, instance_id)
    WHERE erased_at IS NULL;
-- a subject's keys (erasure, export), an instance's (retention), a tenant's (RLS)
CREATE INDEX subject_keys_subject_idx ON wfm.subject_keys (subject_id);
CREATE INDEX subject_keys_instance_idx ON wfm.subject_keys (instance_id);
CREATE INDEX subject_keys_tenant_idx ON wfm.subject_keys (tenant_id);

CREATE FUNCTION wfm.subject_key_unchanged_once_erased() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.erased_at IS NOT NULL THEN
        RAISE EXCEPTION 'subject key % is erased: an erased key never changes', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    IF (NEW.id, NEW.tenant_id, NEW.subject_id, NEW.instance_id, NEW.created_at)
       IS DISTINCT FROM (OLD.id, OLD.tenant_id, OLD.subject_id, OLD.instance_id, OLD.created_at) THEN
        RAISE EXCEPTION 'subject key %: only its sealed material and its erasure change', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER subject_keys_erasure_is_final BEFORE UPDATE ON wfm.subject_keys
    FOR EACH ROW EXECUTE FUNCTION wfm.subject_key_unchanged_once_erased();

ALTER TABLE wfm.subject_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE wfm.subject_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY subject_keys_tenant ON wfm.subject_keys FOR ALL
    USING ((SELECT wfm.is_market_ops()) OR tenant_id = (SELECT wfm.current_tenant_id()))
    WITH CHECK ((SELECT wfm.is_market_ops()) OR tenant_id = (SELECT wfm.current_tenant_id()));
CREATE POLICY subject_keys_owner ON wfm.subject_keys TO CURRENT_USER USING (true) WITH CHECK (true);
-- never deleted: an erased key is the record that (and when) the data was erased
GRANT SELECT, INSERT, UPDATE ON wfm.subject_keys TO wfm_app;
