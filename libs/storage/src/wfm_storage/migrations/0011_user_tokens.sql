-- Invitations and password resets. An invited user exists with status 'invited' (no login)
-- until it follows the link it was mailed and sets its password. A link carries a token that
-- is kept here only as its SHA-256 digest: single-use (used_at), expiring, bound to one user.
-- Issuing a new token of a purpose voids the user's earlier unused ones of that purpose.
--
-- Invitations are issued by a signed-in administrator, under the tenant policies below. The
-- steps taken before anyone is signed in (asking for a reset, accepting an invitation,
-- resetting) go only through the narrow SECURITY DEFINER functions at the end, as 0003's
-- auth_* functions. Times are the services' clock (p_now), so that tests control expiry.

ALTER TABLE wfm.users DROP CONSTRAINT users_status_check;
ALTER TABLE wfm.users ADD CONSTRAINT users_status_check
    CHECK (status IN ('invited', 'active', 'disabled'));

CREATE TABLE wfm.user_tokens (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES wfm.users (id) ON DELETE CASCADE,
    tenant_id   uuid REFERENCES wfm.tenants (id),  -- the user's (NULL: market operations)
    purpose     text NOT NULL CHECK (purpose IN ('invitation', 'password_reset')),
    -- hex SHA-256 of the token: the token itself is never stored (it is in the mail alone)
    token_hash  text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    created_by  uuid,                                -- the inviter; NULL: a reset asked for
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL CHECK (expires_at > created_at),
    used_at     timestamptz                          -- used, or voided by a newer token
);
CREATE INDEX user_tokens_user_idx ON wfm.user_tokens (user_id, purpose) WHERE used_at IS NULL;
CREATE INDEX user_tokens_tenant_idx ON wfm.user_tokens (tenant_id);

ALTER TABLE wfm.user_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE wfm.user_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY user_tokens_tenant ON wfm.user_tokens FOR ALL
    USING ((SELECT wfm.is_market_ops()) OR tenant_id = (SELECT wfm.current_tenant_id()))
    WITH CHECK ((SELECT wfm.is_market_ops()) OR tenant_id = (SELECT wfm.current_tenant_id()));
CREATE POLICY user_tokens_owner ON wfm.user_tokens TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON wfm.user_tokens TO wfm_app;

-- The status a token's user must have for the token to be used.
CREATE FUNCTION wfm.user_token_status(p_purpose text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE p_purpose WHEN 'invitation' THEN 'invited' ELSE 'active' END
$$;

-- A password reset asked for by e-mail address, in one statement whether or not the address
-- is an active user's (so that both answers take the same time): a new token replaces the
-- user's unused ones. Returns the user to mail, or nothing.
CREATE FUNCTION wfm.user_tokens_request_reset(p_email text, p_id uuid, p_hash text,
                                              p_now timestamptz, p_expires timestamptz)
RETURNS TABLE (id uuid, tenant_id uuid, email text, role text, display_name text,
               locale text)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    WITH target AS (
        SELECT u.id, u.tenant_id, u.email, u.role, u.display_name, u.locale
          FROM wfm.users u
         WHERE lower(u.email) = lower(btrim(p_email)) AND u.status = 'active'
    ), voided AS (
        UPDATE wfm.user_tokens t SET used_at = p_now
          FROM target
         WHERE t.user_id = target.id AND t.purpose = 'password_reset' AND t.used_at IS NULL
    ), issued AS (
        INSERT INTO wfm.user_tokens (id, user_id, tenant_id, purpose, token_hash, created_at,
                                     expires_at)
        SELECT p_id, target.id, target.tenant_id, 'password_reset', p_hash, p_now, p_expires
          FROM target
    )
    SELECT target.id, target.tenant_id, target.email, target.role, target.display_name,
           target.locale
      FROM target
$$;

-- Whose a usable token is (unused, unexpired, its user in the status its purpose needs);
-- changes nothing. The service checks the new password against the user's e-mail address
-- before it redeems the token.
CREATE FUNCTION wfm.user_tokens_holder(p_hash text, p_purpose text, p_now timestamptz)
RETURNS TABLE (id uuid, tenant_id uuid, email text, role text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT u.id, u.tenant_id, u.email, u.role
      FROM wfm.user_tokens t
      JOIN wfm.users u ON u.id = t.user_id
     WHERE t.token_hash = p_hash AND t.purpose = p_purpose AND t.used_at IS NULL
       AND t.expires_at > p_now AND u.status = wfm.user_token_status(p_purpose)
$$;

-- Uses a token, once: sets the user's password (its sessions end: 0008's trigger), makes an
-- invited user active (with the display name it chose, if any) and voids the user's other
-- unused tokens of the purpose. Returns the user, or nothing when the token is unknown,
-- used, expired, of another purpose or its user no longer in the status it needs.
CREATE FUNCTION wfm.user_tokens_redeem(p_hash text, p_purpose text, p_now timestamptz,
                                       p_password_hash text, p_display_name text)
RETURNS TABLE (id uuid, tenant_id uuid, email text, role text, status text,
               display_name text, locale text, created_at timestamptz, token_version integer)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    tok wfm.user_tokens%ROWTYPE;
BEGIN
    SELECT * INTO tok FROM wfm.user_tokens t
     WHERE t.token_hash = p_hash AND t.purpose = p_purpose
       FOR UPDATE;
    IF NOT FOUND OR tok.used_at IS NOT NULL OR tok.expires_at <= p_now THEN
        RETURN;
    END IF;
    PERFORM 1 FROM wfm.users u
     WHERE u.id = tok.user_id AND u.status = wfm.user_token_status(p_purpose)
       FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    UPDATE wfm.user_tokens t SET used_at = p_now
     WHERE t.user_id = tok.user_id AND t.purpose = p_purpose AND t.used_at IS NULL;
    UPDATE wfm.users u
       SET password_hash = p_password_hash,
           status = 'active',
           display_name = coalesce(p_display_name, u.display_name),
           updated_at = now()
     WHERE u.id = tok.user_id;
    RETURN QUERY
        SELECT u.id, u.tenant_id, u.email, u.role, u.status, u.display_name, u.locale,
               u.created_at, u.token_version
          FROM wfm.users u
         WHERE u.id = tok.user_id;
END;
$$;

REVOKE ALL ON FUNCTION wfm.user_token_status(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION wfm.user_tokens_request_reset(text, uuid, text, timestamptz, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION wfm.user_tokens_holder(text, text, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION wfm.user_tokens_redeem(text, text, timestamptz, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wfm.user_tokens_request_reset(text, uuid, text, timestamptz, timestamptz) TO wfm_app;
GRANT EXECUTE ON FUNCTION wfm.user_tokens_holder(text, text, timestamptz) TO wfm_app;
GRANT EXECUTE ON FUNCTION wfm.user_tokens_redeem(text, text, timestamptz, text, text) TO wfm_app;
