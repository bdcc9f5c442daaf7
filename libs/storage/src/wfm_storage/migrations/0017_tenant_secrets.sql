-- Tenant secrets: values a tenant's actions use (an ERP's API key), kept sealed under the
-- keyring of the settings (WFM_SECRET_KEYS, wfm_shared.sealing): this table never holds a
-- value in plaintext, and no API reads one back. Replacing a value keeps the row (its name,
-- creator and creation time); `wfm secrets rotate-key` reseals the values in place.
CREATE TABLE wfm.tenant_secrets (
    tenant_id    uuid NOT NULL REFERENCES wfm.tenants (id),
    name         text NOT NULL CHECK (name ~ '^[A-Za-z][A-Za-z0-9_]{0,63}$'),
    sealed_value text NOT NULL CHECK (sealed_value <> ''),
    created_by   uuid NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_by   uuid NOT NULL,
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, name)  -- also serves a tenant's list, by name
);

ALTER TABLE wfm.tenant_secrets ENABLE ROW LEVEL SECURITY;
ALTER TABLE wfm.tenant_secrets FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_secrets_tenant ON wfm.tenant_secrets FOR ALL
    USING ((SELECT wfm.is_market_ops()) OR tenant_id = (SELECT wfm.current_tenant_id()))
    WITH CHECK ((SELECT wfm.is_market_ops()) OR tenant_id = (SELECT wfm.current_tenant_id()));
CREATE POLICY tenant_secrets_owner ON wfm.tenant_secrets TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON wfm.tenant_secrets TO wfm_app;

-- A webhook subscription's signing secret moves under the same keyring: new subscriptions
-- keep it sealed in `sealed_secret`. SQL has no key to seal the existing ones with, so
-- they stay readable in `secret` until `wfm secrets rotate-key` seals them (it moves each
-- into `sealed_secret` and clears `secret`); exactly one of the two is set.
ALTER TABLE wfm.webhook_subscriptions ALTER COLUMN secret DROP NOT NULL;
ALTER TABLE wfm.webhook_subscriptions ADD COLUMN sealed_secret text;
ALTER TABLE wfm.webhook_subscriptions ADD CONSTRAINT webhook_subscriptions_one_secret
    CHECK (num_nonnulls(secret, sealed_secret) = 1);
