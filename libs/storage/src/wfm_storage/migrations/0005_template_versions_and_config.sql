-- Versions are numbered per template key *and* market role: a role's variant of a template
-- (an overlay) keeps the base's key and has its own version line.
ALTER TABLE wfm.workflow_templates DROP CONSTRAINT workflow_templates_key_version_key;
ALTER TABLE wfm.workflow_templates
    ADD CONSTRAINT workflow_templates_key_role_version UNIQUE NULLS NOT DISTINCT (key, market_role, version);
ALTER TABLE wfm.workflow_templates ADD COLUMN published_by uuid;
ALTER TABLE wfm.workflow_templates ADD COLUMN deprecated_at timestamptz;

-- Per-tenant workflow configuration, resolved tenant -> market role -> template defaults.
-- Every change is a new version; the latest version of a scope is in force.
CREATE TABLE wfm.workflow_configs (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id    uuid REFERENCES wfm.tenants (id),  -- NULL: the market role's configuration
    market_role  text NOT NULL CHECK (market_role IN ('BRP', 'BSP', 'GU', 'ACH', 'CRM', 'ESP', 'DSO')),
    template_key text NOT NULL,
    version      integer NOT NULL CHECK (version > 0),
    flags        jsonb NOT NULL DEFAULT '{}'::jsonb,
    settings     jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_by   uuid NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT workflow_configs_scope_version UNIQUE NULLS NOT DISTINCT (tenant_id, market_role, template_key, version)
);
CREATE INDEX workflow_configs_scope_idx
    ON wfm.workflow_configs (template_key, market_role, tenant_id, version DESC);

ALTER TABLE wfm.workflow_configs ENABLE ROW LEVEL SECURITY;
ALTER TABLE wfm.workflow_configs FORCE ROW LEVEL SECURITY;
-- a tenant reads its own configuration and the market roles' (they are not secret)
CREATE POLICY workflow_configs_read ON wfm.workflow_configs FOR SELECT
    USING ((SELECT wfm.is_market_ops()) OR tenant_id = (SELECT wfm.current_tenant_id())
           OR (tenant_id IS NULL AND (SELECT wfm.has_principal())));
-- a tenant's administrators change its configuration; market operations change any
CREATE POLICY workflow_configs_write ON wfm.workflow_configs FOR INSERT
    WITH CHECK ((SELECT wfm.is_market_ops())
                OR (tenant_id = (SELECT wfm.current_tenant_id())
                    AND current_setting('app.role', true) = 'tenant_admin'));
CREATE POLICY workflow_configs_owner ON wfm.workflow_configs TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT ON wfm.workflow_configs TO wfm_app;
