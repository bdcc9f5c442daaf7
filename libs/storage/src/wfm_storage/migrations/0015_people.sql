-- People named in what a caller reads (who performed an event, created a workflow, approved
-- it): a tenant sees its own users, and market operations staff who acted on its workflows
-- by their display name alone. RLS shows a tenant none of the staff (they belong to no
-- tenant), hence this narrow SECURITY DEFINER function. It answers under the settings of
-- the caller's transaction: market operations see everyone in full; a tenant its own users
-- in full and the staff's id, role and display name (no e-mail, no status); never a user
-- of another tenant; no principal, nobody. Ids it does not answer read as "not on file".
CREATE FUNCTION wfm.people_by_ids(p_ids uuid[])
RETURNS TABLE (id uuid, tenant_id uuid, role text, display_name text, email text, status text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT u.id, u.tenant_id, u.role, u.display_name,
           CASE WHEN seen.in_full THEN u.email END,
           CASE WHEN seen.in_full THEN u.status END
      FROM wfm.users u
     CROSS JOIN LATERAL (
         SELECT wfm.is_market_ops() OR u.tenant_id = wfm.current_tenant_id() AS in_full
     ) seen
     WHERE u.id = ANY (p_ids)
       AND (seen.in_full OR (u.role = 'market_ops' AND wfm.current_tenant_id() IS NOT NULL))
$$;
REVOKE ALL ON FUNCTION wfm.people_by_ids(uuid[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wfm.people_by_ids(uuid[]) TO wfm_app;
