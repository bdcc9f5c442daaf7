-- Multi-factor sign-in (TOTP, RFC 6238). A user has at most one second factor: its secret
-- is pending until a first code confirms it, and is never shown again once confirmed. The
-- last time step accepted is kept, so that a code is accepted once. The secret is stored
-- sealed (Fernet, under a key derived from WFM_CREDENTIAL_SECRET): a copy of the database
-- alone does not give the codes. Recovery codes and login challenges are kept only as
-- SHA-256 hashes.
--
-- The signed-in steps (enrol, confirm, disable, reset) run under the tenant policies below;
-- the steps of a login, before any tenant is known, only through the narrow SECURITY
-- DEFINER functions at the end (as 0003's auth_* functions).

CREATE TABLE wfm.user_mfa (
    user_id        uuid PRIMARY KEY REFERENCES wfm.users (id) ON DELETE CASCADE,
    tenant_id      uuid REFERENCES wfm.tenants (id),  -- the user's (NULL: market operations)
    secret         text NOT NULL CHECK (length(secret) BETWEEN 32 AND 400),  -- sealed
    enabled_at     timestamptz,                       -- NULL: pending its first code
    last_used_step bigint,                            -- the TOTP time step last accepted
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);
CREATE INDEX user_mfa_tenant_idx ON wfm.user_mfa (tenant_id);

CREATE TABLE wfm.mfa_recovery_codes (
    user_id    uuid NOT NULL REFERENCES wfm.user_mfa (user_id) ON DELETE CASCADE,
    tenant_id  uuid REFERENCES wfm.tenants (id),
    code_hash  text NOT NULL,   -- SHA-256 of the user id and the code: no code is kept
    used_at    timestamptz,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, code_hash)
);
CREATE INDEX mfa_recovery_codes_tenant_idx ON wfm.mfa_recovery_codes (tenant_id);

-- A login whose password was right, waiting for its second factor: single-use, expiring,
-- bound to its user.
CREATE TABLE wfm.mfa_challenges (
    token_hash text PRIMARY KEY,   -- SHA-256 of the challenge handed to the client
    user_id    uuid NOT NULL REFERENCES wfm.users (id) ON DELETE CASCADE,
    tenant_id  uuid REFERENCES wfm.tenants (id),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX mfa_challenges_user_idx ON wfm.mfa_challenges (user_id);
CREATE INDEX mfa_challenges_tenant_idx ON wfm.mfa_challenges (tenant_id);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['user_mfa', 'mfa_recovery_codes', 'mfa_challenges']
    LOOP
        EXECUTE format('ALTER TABLE wfm.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE wfm.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY %I ON wfm.%I FOR ALL
                 USING ((SELECT wfm.is_market_ops()) OR tenant_id = (SELECT wfm.current_tenant_id()))
                 WITH CHECK ((SELECT wfm.is_market_ops()) OR tenant_id = (SELECT wfm.current_tenant_id()))',
            t || '_tenant', t);
        EXECUTE format('CREATE POLICY %I ON wfm.%I TO CURRENT_USER USING (true) WITH CHECK (true)', t || '_owner', t);
    END LOOP;
END
$$;
GRANT SELECT, INSERT, UPDATE, DELETE ON wfm.user_mfa, wfm.mfa_recovery_codes TO wfm_app;
-- challenges are written only by the functions below; a reset deletes its user's
GRANT SELECT, DELETE ON wfm.mfa_challenges TO wfm_app;

-- After a right password: a challenge for the user if it has a confirmed second factor
-- (true), else nothing (false). Drops the user's challenges that are used or expired.
CREATE FUNCTION wfm.auth_mfa_open_challenge(p_user uuid, p_hash text, p_now timestamptz,
                                            p_expires timestamptz)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM 1 FROM wfm.user_mfa m WHERE m.user_id = p_user AND m.enabled_at IS NOT NULL;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    DELETE FROM wfm.mfa_challenges c
     WHERE c.user_id = p_user AND (c.used_at IS NOT NULL OR c.expires_at <= p_now);
    INSERT INTO wfm.mfa_challenges (token_hash, user_id, tenant_id, created_at, expires_at)
    SELECT p_hash, u.id, u.tenant_id, p_now, p_expires FROM wfm.users u WHERE u.id = p_user;
    RETURN true;
END;
$$;

-- The user a challenge stands for and what checking its code needs, while the challenge
-- is unused, unexpired and its user's factor confirmed; nothing otherwise.
CREATE FUNCTION wfm.auth_mfa_challenge(p_hash text, p_now timestamptz)
RETURNS TABLE (user_id uuid, email text, secret text, last_used_step bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT u.id, u.email, m.secret, m.last_used_step
      FROM wfm.mfa_challenges c
      JOIN wfm.users u ON u.id = c.user_id
      JOIN wfm.user_mfa m ON m.user_id = c.user_id AND m.enabled_at IS NOT NULL
     WHERE c.token_hash = p_hash AND c.used_at IS NULL AND c.expires_at > p_now
$$;

-- Completes a challenge with a code the caller checked (`p_step`, the TOTP time step it
-- matched) or with a recovery code (`p_recovery_hash`), atomically:
--   'ok'      the challenge is used up, and the step recorded or the recovery code used up
--   'invalid' the challenge is unknown, used or expired (nothing changes)
--   'refused' the step is not after the last one accepted (a replayed code), or the
--             recovery code is unknown or used (nothing changes: the challenge stays)
CREATE FUNCTION wfm.auth_mfa_complete(p_hash text, p_now timestamptz, p_step bigint,
                                      p_recovery_hash text)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    challenge wfm.mfa_challenges%ROWTYPE;
BEGIN
    SELECT * INTO challenge FROM wfm.mfa_challenges c WHERE c.token_hash = p_hash FOR UPDATE;
    IF NOT FOUND OR challenge.used_at IS NOT NULL OR challenge.expires_at <= p_now THEN
        RETURN 'invalid';
    END IF;
    IF p_step IS NOT NULL THEN
        UPDATE wfm.user_mfa m SET last_used_step = p_step, updated_at = p_now
         WHERE m.user_id = challenge.user_id AND m.enabled_at IS NOT NULL
           AND (m.last_used_step IS NULL OR m.last_used_step < p_step);
        IF NOT FOUND THEN
            RETURN 'refused';
        END IF;
    ELSE
        UPDATE wfm.mfa_recovery_codes r SET used_at = p_now
         WHERE r.user_id = challenge.user_id AND r.code_hash = p_recovery_hash
           AND r.used_at IS NULL;
        IF NOT FOUND THEN
            RETURN 'refused';
        END IF;
        INSERT INTO wfm.audit_log (tenant_id, actor_id, actor_role, action, target_type,
                                   target_id, details)
        SELECT u.tenant_id, u.id, u.role, 'MFA_RECOVERY_CODE_USED', 'user', u.id::text,
               jsonb_build_object('email', u.email, 'recoveryCodesLeft',
                   (SELECT count(*) FROM wfm.mfa_recovery_codes r
                     WHERE r.user_id = u.id AND r.used_at IS NULL))
          FROM wfm.users u WHERE u.id = challenge.user_id;
    END IF;
    UPDATE wfm.mfa_challenges c SET used_at = p_now WHERE c.token_hash = p_hash;
    RETURN 'ok';
END;
$$;

REVOKE ALL ON FUNCTION wfm.auth_mfa_open_challenge(uuid, text, timestamptz, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION wfm.auth_mfa_challenge(text, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION wfm.auth_mfa_complete(text, timestamptz, bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wfm.auth_mfa_open_challenge(uuid, text, timestamptz, timestamptz) TO wfm_app;
GRANT EXECUTE ON FUNCTION wfm.auth_mfa_challenge(text, timestamptz) TO wfm_app;
GRANT EXECUTE ON FUNCTION wfm.auth_mfa_complete(text, timestamptz, bigint, text) TO wfm_app;
