-- Access tokens that die with their user. Every access token carries the user's
-- token_version; every transaction opened for it checks, in the statement that sets the
-- tenant, that the user is active, its tenant active, its role the token's role and its
-- version the token's. Logout, a new password, disabling, a new role or tenant bump the
-- version (or change what is checked): the user's access tokens stop working at once.

ALTER TABLE wfm.users ADD COLUMN token_version integer NOT NULL DEFAULT 1
    CHECK (token_version > 0);

-- SECURITY INVOKER on purpose: it runs as wfm_app under the settings the same statement
-- has just set, so the rows it must find (the user's own row, its own tenant) are rows
-- RLS already shows that principal. It grants nothing, and it checks exactly the
-- settings every policy of the transaction will read. (A SECURITY DEFINER function
-- taking the claims as arguments would also answer for users the caller cannot see.)
CREATE FUNCTION wfm.require_current_session(p_token_version integer) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM 1
       FROM wfm.users u
       LEFT JOIN wfm.tenants t ON t.id = u.tenant_id AND t.deleted_at IS NULL
      WHERE u.id = NULLIF(current_setting('app.user_id', true), '')::uuid
        AND u.role = current_setting('app.role', true)
        AND u.tenant_id IS NOT DISTINCT FROM wfm.current_tenant_id()
        AND u.token_version = p_token_version
        AND u.status = 'active'
        AND (u.tenant_id IS NULL OR t.status = 'active');
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the session has ended; log in again'
              USING ERRCODE = 'invalid_authorization_specification';
    END IF;
END;
$$;
REVOKE ALL ON FUNCTION wfm.require_current_session(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wfm.require_current_session(integer) TO wfm_app;

-- Whichever path writes it (the CLI, a service, an operator's SQL), a new password, a
-- status change, a new role or a new tenant ends every session of the user: access
-- tokens by their version, refresh tokens revoked. SECURITY DEFINER because wfm_app may
-- not write refresh tokens; it only runs for a row the caller could update under RLS.
CREATE FUNCTION wfm.users_end_sessions() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NEW.password_hash IS DISTINCT FROM OLD.password_hash
       OR NEW.status IS DISTINCT FROM OLD.status
       OR NEW.role IS DISTINCT FROM OLD.role
       OR NEW.tenant_id IS DISTINCT FROM OLD.tenant_id THEN
        NEW.token_version := OLD.token_version + 1;
        UPDATE wfm.refresh_tokens SET revoked_at = now()
         WHERE user_id = OLD.id AND revoked_at IS NULL;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER users_end_sessions
    BEFORE UPDATE OF password_hash, status, role, tenant_id ON wfm.users
    FOR EACH ROW EXECUTE FUNCTION wfm.users_end_sessions();

-- The login lookup also returns the version the new access token carries.
DROP FUNCTION wfm.auth_find_user(text);
CREATE FUNCTION wfm.auth_find_user(p_email text)
RETURNS TABLE (id uuid, tenant_id uuid, email text, password_hash text, role text,
               status text, tenant_status text, token_version integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT u.id, u.tenant_id, u.email, u.password_hash, u.role, u.status, t.status,
           u.token_version
      FROM wfm.users u
      LEFT JOIN wfm.tenants t ON t.id = u.tenant_id AND t.deleted_at IS NULL
     WHERE lower(u.email) = lower(p_email)
$$;
REVOKE ALL ON FUNCTION wfm.auth_find_user(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wfm.auth_find_user(text) TO wfm_app;

-- As in 0003, and: the access token of a refresh carries the current version; a reused
-- refresh token (a leak) ends the user's access tokens as well as the family.
DROP FUNCTION wfm.auth_rotate_refresh_token(text, text, timestamptz);
CREATE FUNCTION wfm.auth_rotate_refresh_token(p_hash text, p_new_hash text, p_expires timestamptz)
RETURNS TABLE (outcome text, user_id uuid, tenant_id uuid, role text, token_version integer)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    tok wfm.refresh_tokens%ROWTYPE;
    usr record;
BEGIN
    SELECT * INTO tok FROM wfm.refresh_tokens WHERE token_hash = p_hash FOR UPDATE;
    IF NOT FOUND OR tok.revoked_at IS NOT NULL OR tok.expires_at <= now() THEN
        RETURN QUERY SELECT 'invalid'::text, NULL::uuid, NULL::uuid, NULL::text, NULL::integer;
        RETURN;
    END IF;
    IF tok.rotated_at IS NOT NULL THEN
        UPDATE wfm.refresh_tokens SET revoked_at = now()
         WHERE family_id = tok.family_id AND revoked_at IS NULL;
        UPDATE wfm.users u SET token_version = u.token_version + 1 WHERE u.id = tok.user_id;
        RETURN QUERY SELECT 'reused'::text, tok.user_id, tok.tenant_id, NULL::text, NULL::integer;
        RETURN;
    END IF;
    SELECT u.id, u.tenant_id, u.role, u.status, u.token_version, t.status AS tenant_status
      INTO usr
      FROM wfm.users u LEFT JOIN wfm.tenants t ON t.id = u.tenant_id AND t.deleted_at IS NULL
     WHERE u.id = tok.user_id;
    IF usr.status <> 'active' OR (usr.tenant_id IS NOT NULL AND coalesce(usr.tenant_status, '') <> 'active') THEN
        UPDATE wfm.refresh_tokens SET revoked_at = now()
         WHERE family_id = tok.family_id AND revoked_at IS NULL;
        RETURN QUERY SELECT 'invalid'::text, NULL::uuid, NULL::uuid, NULL::text, NULL::integer;
        RETURN;
    END IF;
    UPDATE wfm.refresh_tokens SET rotated_at = now() WHERE id = tok.id;
    INSERT INTO wfm.refresh_tokens (id, user_id, tenant_id, family_id, token_hash, expires_at)
    VALUES (gen_random_uuid(), tok.user_id, tok.tenant_id, tok.family_id, p_new_hash, p_expires);
    RETURN QUERY SELECT 'ok'::text, usr.id, usr.tenant_id, usr.role, usr.token_version;
END;
$$;
REVOKE ALL ON FUNCTION wfm.auth_rotate_refresh_token(text, text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wfm.auth_rotate_refresh_token(text, text, timestamptz) TO wfm_app;

-- Logout revokes the refresh token's family and ends the user's access tokens (all of
-- them: the version is the user's; another device's next refresh gets a current one).
CREATE OR REPLACE FUNCTION wfm.auth_revoke_refresh_family(p_hash text)
RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    WITH target AS (SELECT family_id FROM wfm.refresh_tokens WHERE token_hash = p_hash),
         revoked AS (
             UPDATE wfm.refresh_tokens r SET revoked_at = now()
               FROM target
              WHERE r.family_id = target.family_id AND r.revoked_at IS NULL
             RETURNING r.user_id),
         ended AS (
             UPDATE wfm.users u SET token_version = u.token_version + 1
              WHERE u.id IN (SELECT user_id FROM revoked))
    SELECT EXISTS (SELECT 1 FROM target)
$$;
