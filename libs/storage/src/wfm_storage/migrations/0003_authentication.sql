-- Authentication happens before a tenant is known, so it cannot go through the tenant
-- policies. These narrow SECURITY DEFINER functions are the only way the app role reads
-- credentials or touches refresh tokens.

CREATE FUNCTION wfm.auth_find_user(p_email text)
RETURNS TABLE (id uuid, tenant_id uuid, email text, password_hash text, role text,
               status text, tenant_status text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT u.id, u.tenant_id, u.email, u.password_hash, u.role, u.status, t.status
      FROM wfm.users u
      LEFT JOIN wfm.tenants t ON t.id = u.tenant_id AND t.deleted_at IS NULL
     WHERE lower(u.email) = lower(p_email)
$$;

CREATE FUNCTION wfm.auth_store_refresh_token(p_user uuid, p_family uuid, p_hash text,
                                             p_expires timestamptz)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    INSERT INTO wfm.refresh_tokens (id, user_id, tenant_id, family_id, token_hash, expires_at)
    SELECT gen_random_uuid(), u.id, u.tenant_id, p_family, p_hash, p_expires
      FROM wfm.users u WHERE u.id = p_user
$$;

-- Exchanges a refresh token for a new one in the same family. Presenting a token that was
-- already rotated means it leaked: the whole family is revoked.
CREATE FUNCTION wfm.auth_rotate_refresh_token(p_hash text, p_new_hash text, p_expires timestamptz)
RETURNS TABLE (outcome text, user_id uuid, tenant_id uuid, role text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    tok wfm.refresh_tokens%ROWTYPE;
    usr record;
BEGIN
    SELECT * INTO tok FROM wfm.refresh_tokens WHERE token_hash = p_hash FOR UPDATE;
    IF NOT FOUND OR tok.revoked_at IS NOT NULL OR tok.expires_at <= now() THEN
        RETURN QUERY SELECT 'invalid'::text, NULL::uuid, NULL::uuid, NULL::text;
        RETURN;
    END IF;
    IF tok.rotated_at IS NOT NULL THEN
        UPDATE wfm.refresh_tokens SET revoked_at = now()
         WHERE family_id = tok.family_id AND revoked_at IS NULL;
        RETURN QUERY SELECT 'reused'::text, tok.user_id, tok.tenant_id, NULL::text;
        RETURN;
    END IF;
    SELECT u.id, u.tenant_id, u.role, u.status, t.status AS tenant_status INTO usr
      FROM wfm.users u LEFT JOIN wfm.tenants t ON t.id = u.tenant_id AND t.deleted_at IS NULL
     WHERE u.id = tok.user_id;
    IF usr.status <> 'active' OR (usr.tenant_id IS NOT NULL AND coalesce(usr.tenant_status, '') <> 'active') THEN
        UPDATE wfm.refresh_tokens SET revoked_at = now()
         WHERE family_id = tok.family_id AND revoked_at IS NULL;
        RETURN QUERY SELECT 'invalid'::text, NULL::uuid, NULL::uuid, NULL::text;
        RETURN;
    END IF;
    UPDATE wfm.refresh_tokens SET rotated_at = now() WHERE id = tok.id;
    INSERT INTO wfm.refresh_tokens (id, user_id, tenant_id, family_id, token_hash, expires_at)
    VALUES (gen_random_uuid(), tok.user_id, tok.tenant_id, tok.family_id, p_new_hash, p_expires);
    RETURN QUERY SELECT 'ok'::text, usr.id, usr.tenant_id, usr.role;
END;
$$;

CREATE FUNCTION wfm.auth_revoke_refresh_family(p_hash text)
RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    WITH target AS (SELECT family_id FROM wfm.refresh_tokens WHERE token_hash = p_hash),
         revoked AS (
             UPDATE wfm.refresh_tokens r SET revoked_at = now()
               FROM target
              WHERE r.family_id = target.family_id AND r.revoked_at IS NULL
             RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM target)
$$;

REVOKE ALL ON FUNCTION wfm.auth_find_user(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION wfm.auth_store_refresh_token(uuid, uuid, text, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION wfm.auth_rotate_refresh_token(text, text, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION wfm.auth_revoke_refresh_family(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wfm.auth_find_user(text) TO wfm_app;
GRANT EXECUTE ON FUNCTION wfm.auth_store_refresh_token(uuid, uuid, text, timestamptz) TO wfm_app;
GRANT EXECUTE ON FUNCTION wfm.auth_rotate_refresh_token(text, text, timestamptz) TO wfm_app;
GRANT EXECUTE ON FUNCTION wfm.auth_revoke_refresh_family(text) TO wfm_app;
