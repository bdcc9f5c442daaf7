-- Tenants and market roles managed through the API: why a tenant or a market role changed
-- status, archived tenants (0001's deleted_at: hidden, data kept, logins refused by 0008's
-- auth_find_user), searching the tenants, and the API credential a participant reads once.

-- Substring search (ILIKE '%…%') on company name, slug and VAT number, served by trigram
-- indexes. pg_trgm is a trusted extension: the database owner creates it without superuser.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE wfm.tenants
    ADD COLUMN status_reason text CHECK (length(status_reason) BETWEEN 1 AND 500);

CREATE INDEX tenants_company_name_search_idx
    ON wfm.tenants USING gin (company_name gin_trgm_ops) WHERE deleted_at IS NULL;
CREATE INDEX tenants_slug_search_idx
    ON wfm.tenants USING gin (slug gin_trgm_ops) WHERE deleted_at IS NULL;
-- (also serves the equality the service checks before a VAT number is given to a tenant)
CREATE INDEX tenants_vat_number_search_idx
    ON wfm.tenants USING gin (vat_number gin_trgm_ops) WHERE deleted_at IS NULL;
-- The list's order, company name then id, and its keyset pages.
CREATE INDEX tenants_page_idx ON wfm.tenants (company_name, id) WHERE deleted_at IS NULL;

-- A market role's status: pending (applied for) -> active (its onboarding approved) ->
-- suspended <-> active; any of them -> terminated, which is final.
ALTER TABLE wfm.tenant_market_roles
    ADD COLUMN status_reason text CHECK (length(status_reason) BETWEEN 1 AND 500);

CREATE FUNCTION wfm.tenant_market_roles_terminated_is_final() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the % market role of tenant % is terminated: terminated is final',
          OLD.role, OLD.tenant_id
          USING ERRCODE = 'check_violation';
END;
$$;
CREATE TRIGGER tenant_market_roles_terminated_is_final
    BEFORE UPDATE OF status ON wfm.tenant_market_roles
    FOR EACH ROW WHEN (OLD.status = 'terminated' AND NEW.status <> 'terminated')
    EXECUTE FUNCTION wfm.tenant_market_roles_terminated_is_final();

-- The API credential of a tenant's market role (a Kong key-auth credential), whose key the
-- platform generates. status: provisioning (chosen, not yet confirmed by Kong), active,
-- revoked (deleted from Kong; a restored role gets a new credential id and key).
-- pending_key: the key until the participant reads it once, encrypted (a Fernet token,
-- hence the prefix check: never plain text); NULL once read, after a rotation, or when
-- revoked. Rows written before this migration hold credentials already in Kong.
ALTER TABLE wfm.api_access
    ADD COLUMN status text NOT NULL DEFAULT 'active'
        CHECK (status IN ('provisioning', 'active', 'revoked')),
    ADD COLUMN pending_key text CHECK (pending_key LIKE 'gAAAAA%'),
    ADD COLUMN revealed_at timestamptz,
    ADD COLUMN rotated_at timestamptz,
    ADD COLUMN revoked_at timestamptz,
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
    ADD CONSTRAINT api_access_pending_key_is_live
        CHECK (pending_key IS NULL OR status <> 'revoked');
