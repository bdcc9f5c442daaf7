-- Tenant isolation in the database itself. The app role (wfm_app) is neither superuser nor
-- BYPASSRLS; every request sets app.tenant_id / app.role with set_config(..., true) inside
-- its transaction. No setting means no rows.

CREATE FUNCTION wfm.current_tenant_id() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid
$$;

CREATE FUNCTION wfm.is_market_ops() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(current_setting('app.role', true), '') = 'market_ops'
$$;

CREATE FUNCTION wfm.has_principal() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT wfm.is_market_ops() OR wfm.current_tenant_id() IS NOT NULL
$$;

GRANT USAGE ON SCHEMA wfm TO wfm_app;
GRANT EXECUTE ON FUNCTION wfm.current_tenant_id(), wfm.is_market_ops(), wfm.has_principal() TO wfm_app;

-- tenants: a tenant sees itself; market operations see and manage all.
ALTER TABLE wfm.tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE wfm.tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenants_read ON wfm.tenants FOR SELECT
    USING ((SELECT wfm.is_market_ops()) OR id = (SELECT wfm.current_tenant_id()));
CREATE POLICY tenants_manage ON wfm.tenants FOR ALL
    USING ((SELECT wfm.is_market_ops())) WITH CHECK ((SELECT wfm.is_market_ops()));
GRANT SELECT, INSERT, UPDATE ON wfm.tenants TO wfm_app;

-- users
ALTER TABLE wfm.users ENABLE ROW LEVEL SECURITY;
ALTER TABLE wfm.users FORCE ROW LEVEL SECURITY;
CREATE POLICY users_tenant ON wfm.users FOR ALL
    USING ((SELECT wfm.is_market_ops()) OR tenant_id = (SELECT wfm.current_tenant_id()))
    WITH CHECK ((SELECT wfm.is_market_ops()) OR tenant_id = (SELECT wfm.current_tenant_id()));
GRANT SELECT, INSERT, UPDATE ON wfm.users TO wfm_app;

-- refresh tokens: written only through the SECURITY DEFINER functions of 0003.
ALTER TABLE wfm.refresh_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE wfm.refresh_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY refresh_tokens_tenant ON wfm.refresh_tokens FOR SELECT
    USING ((SELECT wfm.is_market_ops()) OR tenant_id = (SELECT wfm.current_tenant_id()));
GRANT SELECT ON wfm.refresh_tokens TO wfm_app;

-- market roles held by a tenant: read by the tenant; a tenant may only register a pending
-- application (when it starts an onboarding); market operations activate and manage them.
ALTER TABLE wfm.tenant_market_roles ENABLE ROW LEVEL SECURITY;
ALTER TABLE wfm.tenant_market_roles FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_market_roles_read ON wfm.tenant_market_roles FOR SELECT
    USING ((SELECT wfm.is_market_ops()) OR tenant_id = (SELECT wfm.current_tenant_id()));
CREATE POLICY tenant_market_roles_apply ON wfm.tenant_market_roles FOR INSERT
    WITH CHECK ((SELECT wfm.is_market_ops())
                OR (tenant_id = (SELECT wfm.current_tenant_id()) AND status = 'pending'));
CREATE POLICY tenant_market_roles_manage ON wfm.tenant_market_roles FOR UPDATE
    USING ((SELECT wfm.is_market_ops())) WITH CHECK ((SELECT wfm.is_market_ops()));
GRANT SELECT, INSERT, UPDATE ON wfm.tenant_market_roles TO wfm_app;

-- templates are shared by all tenants; only market operations change them.
ALTER TABLE wfm.workflow_templates ENABLE ROW LEVEL SECURITY;
ALTER TABLE wfm.workflow_templates FORCE ROW LEVEL SECURITY;
CREATE POLICY workflow_templates_read ON wfm.workflow_templates FOR SELECT
    USING ((SELECT wfm.has_principal()));
CREATE POLICY workflow_templates_manage ON wfm.workflow_templates FOR ALL
    USING ((SELECT wfm.is_market_ops())) WITH CHECK ((SELECT wfm.is_market_ops()));
GRANT SELECT, INSERT, UPDATE ON wfm.workflow_templates TO wfm_app;

ALTER TABLE wfm.workflow_instances_index ENABLE ROW LEVEL SECURITY;
ALTER TABLE wfm.workflow_instances_index FORCE ROW LEVEL SECURITY;
CREATE POLICY workflow_instances_tenant ON wfm.workflow_instances_index FOR ALL
    USING ((SELECT wfm.is_market_ops()) OR tenant_id = (SELECT wfm.current_tenant_id()))
    WITH CHECK ((SELECT wfm.is_market_ops()) OR tenant_id = (SELECT wfm.current_tenant_id()));
GRANT SELECT, INSERT, UPDATE ON wfm.workflow_instances_index TO wfm_app;

-- audit log: append and read only.
ALTER TABLE wfm.audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE wfm.audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_log_read ON wfm.audit_log FOR SELECT
    USING ((SELECT wfm.is_market_ops()) OR tenant_id = (SELECT wfm.current_tenant_id()));
CREATE POLICY audit_log_append ON wfm.audit_log FOR INSERT
    WITH CHECK ((SELECT wfm.is_market_ops()) OR tenant_id = (SELECT wfm.current_tenant_id()));
GRANT SELECT, INSERT ON wfm.audit_log TO wfm_app;

-- The owner (the role running migrations) keeps full access even when it is not a
-- superuser, since FORCE applies RLS to table owners too; the SECURITY DEFINER functions
-- of 0003 run as this role.
CREATE POLICY tenants_owner ON wfm.tenants TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY users_owner ON wfm.users TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY refresh_tokens_owner ON wfm.refresh_tokens TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY tenant_market_roles_owner ON wfm.tenant_market_roles TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY workflow_templates_owner ON wfm.workflow_templates TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY workflow_instances_owner ON wfm.workflow_instances_index TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY audit_log_owner ON wfm.audit_log TO CURRENT_USER USING (true) WITH CHECK (true);
