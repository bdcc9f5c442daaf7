-- The audit trail, searchable: from which address each entry came and how the action ended
-- (ok, refused: FORBIDDEN or a throttled login, failed: a wrong password). The table stays
-- append-only (0001's trigger refuses UPDATE, DELETE and TRUNCATE); adding columns with a
-- default rewrites no row and fires no trigger.

ALTER TABLE wfm.audit_log
    ADD COLUMN client_address text,
    ADD COLUMN outcome text NOT NULL DEFAULT 'ok' CHECK (outcome IN ('ok', 'refused', 'failed'));

-- Newest first, by (occurred_at, id): across tenants (market operations), within a tenant
-- (row-level security adds the tenant to every tenant role's query), by actor, by action;
-- refusals apart, for whoever watches them. The object filter uses 0001's target index.
CREATE INDEX audit_log_page_idx ON wfm.audit_log (occurred_at DESC, id DESC);
CREATE INDEX audit_log_tenant_page_idx ON wfm.audit_log (tenant_id, occurred_at DESC, id DESC);
DROP INDEX wfm.audit_log_tenant_idx;  -- the index above serves whatever it served
CREATE INDEX audit_log_actor_idx ON wfm.audit_log (actor_id, occurred_at DESC, id DESC);
CREATE INDEX audit_log_action_idx ON wfm.audit_log (action, occurred_at DESC, id DESC);
CREATE INDEX audit_log_refusals_idx ON wfm.audit_log (occurred_at DESC, id DESC)
    WHERE outcome <> 'ok';

-- A login refused before anyone is known (a wrong password, an unknown or disabled account,
-- too many attempts). Recorded under the account's tenant when the e-mail names a user, so
-- that its administrators see it; an unknown e-mail is kept only as its SHA-256 digest
-- (repeated guesses at one address stay visible together without the text being stored).
-- Never a password. SECURITY DEFINER: nobody is signed in, and the lookup spans tenants.
CREATE FUNCTION wfm.audit_login_refused(p_email text, p_throttled boolean,
                                        p_client_address text, p_request_id text)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    INSERT INTO wfm.audit_log (tenant_id, actor_id, actor_role, action, target_type, target_id,
                               details, request_id, client_address, outcome)
    SELECT u.tenant_id, NULL, NULL,
           CASE WHEN p_throttled THEN 'LOGIN_THROTTLED' ELSE 'LOGIN_FAILED' END,
           CASE WHEN u.id IS NULL THEN 'account' ELSE 'user' END,
           coalesce(u.id::text,
                    'sha256:' || encode(sha256(convert_to(lower(btrim(p_email)), 'UTF8')), 'hex')),
           '{}'::jsonb,
           left(p_request_id, 64),
           left(p_client_address, 100),
           CASE WHEN p_throttled THEN 'refused' ELSE 'failed' END
      FROM (SELECT 1) AS attempt
      LEFT JOIN wfm.users u ON lower(u.email) = lower(btrim(p_email))
$$;
REVOKE ALL ON FUNCTION wfm.audit_login_refused(text, boolean, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wfm.audit_login_refused(text, boolean, text, text) TO wfm_app;
