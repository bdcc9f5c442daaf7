-- Core tables of Workflow Manager. Tenancy is enforced by row-level security (0002).

CREATE SCHEMA IF NOT EXISTS wfm;

CREATE TABLE wfm.tenants (
    id            uuid PRIMARY KEY,
    slug          text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    company_name  text NOT NULL CHECK (length(company_name) BETWEEN 1 AND 200),
    vat_number    text,
    status        text NOT NULL DEFAULT 'active' CHECK (status IN ('pending', 'active', 'suspended')),
    feature_flags jsonb NOT NULL DEFAULT '{}'::jsonb,
    config        jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    deleted_at    timestamptz
);

CREATE TABLE wfm.users (
    id            uuid PRIMARY KEY,
    tenant_id     uuid REFERENCES wfm.tenants (id),
    email         text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
    password_hash text NOT NULL,
    role          text NOT NULL CHECK (role IN ('market_ops', 'tenant_admin', 'tenant_user')),
    status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    display_name  text,
    locale        text NOT NULL DEFAULT 'en' CHECK (locale IN ('en', 'fr', 'nl')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    -- market operations staff belong to no tenant; every other user to exactly one
    CHECK ((role = 'market_ops') = (tenant_id IS NULL))
);
CREATE UNIQUE INDEX users_email_key ON wfm.users (lower(email));
CREATE INDEX users_tenant_idx ON wfm.users (tenant_id);

CREATE TABLE wfm.refresh_tokens (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES wfm.users (id) ON DELETE CASCADE,
    tenant_id   uuid REFERENCES wfm.tenants (id),
    family_id   uuid NOT NULL,
    token_hash  text NOT NULL UNIQUE,
    issued_at   timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    rotated_at  timestamptz,
    revoked_at  timestamptz
);
CREATE INDEX refresh_tokens_family_idx ON wfm.refresh_tokens (family_id);
CREATE INDEX refresh_tokens_tenant_idx ON wfm.refresh_tokens (tenant_id);

CREATE TABLE wfm.tenant_market_roles (
    tenant_id          uuid NOT NULL REFERENCES wfm.tenants (id),
    role               text NOT NULL CHECK (role IN ('BRP', 'BSP', 'GU', 'ACH', 'CRM', 'ESP', 'DSO')),
    status             text NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending', 'active', 'suspended', 'terminated')),
    contract_reference text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, role)
);

CREATE TABLE wfm.workflow_templates (
    id          uuid PRIMARY KEY,
    key         text NOT NULL CHECK (key ~ '^[a-z][a-z0-9-]{1,62}$'),
    version     integer NOT NULL CHECK (version > 0),
    name        jsonb NOT NULL,
    market_role text CHECK (market_role IN ('BRP', 'BSP', 'GU', 'ACH', 'CRM', 'ESP', 'DSO')),
    extends     text,
    definition  jsonb NOT NULL,
    checksum    text NOT NULL,
    status      text NOT NULL DEFAULT 'active' CHECK (status IN ('draft', 'active', 'deprecated')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (key, version)
);

CREATE TABLE wfm.workflow_instances_index (
    id                uuid PRIMARY KEY,
    tenant_id         uuid NOT NULL REFERENCES wfm.tenants (id),
    template_id       uuid NOT NULL REFERENCES wfm.workflow_templates (id),
    market_role       text NOT NULL,
    mongo_id          text NOT NULL UNIQUE,
    status            text NOT NULL,
    current_step      text,
    version           integer NOT NULL DEFAULT 0 CHECK (version >= 0),
    projected_version integer NOT NULL DEFAULT 0 CHECK (projected_version >= 0),
    created_by        uuid NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
-- Keyset pagination, newest first: within a tenant, and across tenants for market operations.
CREATE INDEX workflow_instances_tenant_page_idx
    ON wfm.workflow_instances_index (tenant_id, created_at DESC, id DESC);
CREATE INDEX workflow_instances_page_idx
    ON wfm.workflow_instances_index (created_at DESC, id DESC);
CREATE INDEX workflow_instances_status_idx
    ON wfm.workflow_instances_index (status, created_at DESC);

CREATE TABLE wfm.audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id   uuid REFERENCES wfm.tenants (id),
    actor_id    uuid,
    actor_role  text,
    action      text NOT NULL,
    target_type text NOT NULL,
    target_id   text NOT NULL,
    details     jsonb NOT NULL DEFAULT '{}'::jsonb,
    request_id  text,
    occurred_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_tenant_idx ON wfm.audit_log (tenant_id, occurred_at DESC);
CREATE INDEX audit_log_target_idx ON wfm.audit_log (target_type, target_id);

CREATE FUNCTION wfm.audit_log_is_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON wfm.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION wfm.audit_log_is_append_only();
