-- Triggers a person runs (manual) or a vendor's system calls (webhook, `POST /hooks/{id}`),
-- triggers switched off and on again, and the log of every run of every trigger.

-- A manual or webhook trigger may describe its input (a JSON Schema) and map it into the new
-- workflow's variables ({variable: "input.path.to.value"}). A webhook trigger has a signing
-- secret, sealed (wfm_shared.sealing): shown once, when the trigger is created.
-- enabled_at: the latest time it was switched on; a schedule fires no slot before it, so a
-- trigger switched on again does not catch up the slots it missed while off.
ALTER TABLE wfm.workflow_triggers DROP CONSTRAINT workflow_triggers_kind_check;
ALTER TABLE wfm.workflow_triggers
    ADD CONSTRAINT workflow_triggers_kind_check
        CHECK (kind IN ('schedule', 'event', 'manual', 'webhook')),
    ADD COLUMN input_schema   jsonb CHECK (jsonb_typeof(input_schema) = 'object'),
    ADD COLUMN variables      jsonb NOT NULL DEFAULT '{}'::jsonb
        CHECK (jsonb_typeof(variables) = 'object'),
    ADD COLUMN signing_secret text,
    ADD COLUMN enabled_at     timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN updated_at     timestamptz NOT NULL DEFAULT now(),
    ADD CONSTRAINT workflow_triggers_webhooks_sign
        CHECK ((kind = 'webhook') = (signing_secret IS NOT NULL)),
    ADD CONSTRAINT workflow_triggers_input_is_given
        CHECK (kind IN ('manual', 'webhook') OR (input_schema IS NULL AND variables = '{}'::jsonb));
UPDATE wfm.workflow_triggers SET enabled_at = created_at, updated_at = created_at;

-- One row per run: what fired it, what it started (or why it started nothing), under which
-- correlation id. `fire_key`: a schedule's slot, an event, a manual run's idempotency key
-- (one run each, whichever worker or retry records it); `webhook_id`: the webhook-id header
-- of a verified request, taken by its first run (a later one with the same id is a replay:
-- answered with the first run, logged as `duplicate`).
CREATE TABLE wfm.trigger_runs (
    id             uuid PRIMARY KEY,
    trigger_id     uuid NOT NULL REFERENCES wfm.workflow_triggers (id) ON DELETE CASCADE,
    tenant_id      uuid NOT NULL REFERENCES wfm.tenants (id),
    kind           text NOT NULL CHECK (kind IN ('schedule', 'event', 'manual', 'webhook')),
    outcome        text NOT NULL CHECK (outcome IN ('started', 'skipped', 'failed', 'duplicate')),
    workflow_id    uuid,                    -- the workflow started; NULL: none
    reason         text CHECK (length(reason) <= 1000),
    correlation_id text,
    webhook_id     text CHECK (length(webhook_id) <= 200),
    fire_key       text,
    at             timestamptz NOT NULL DEFAULT now(),
    CHECK ((outcome = 'started') = (workflow_id IS NOT NULL))
);
-- triggerRuns: one trigger's runs, newest first
CREATE INDEX trigger_runs_page_idx ON wfm.trigger_runs (trigger_id, at DESC, id DESC);
CREATE INDEX trigger_runs_tenant_idx ON wfm.trigger_runs (tenant_id);
CREATE UNIQUE INDEX trigger_runs_fire_key_idx ON wfm.trigger_runs (trigger_id, fire_key)
    WHERE fire_key IS NOT NULL;
CREATE UNIQUE INDEX trigger_runs_webhook_id_idx ON wfm.trigger_runs (trigger_id, webhook_id)
    WHERE webhook_id IS NOT NULL AND outcome IN ('started', 'skipped');

ALTER TABLE wfm.trigger_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE wfm.trigger_runs FORCE ROW LEVEL SECURITY;
CREATE POLICY trigger_runs_tenant ON wfm.trigger_runs FOR ALL
    USING ((SELECT wfm.is_market_ops()) OR tenant_id = (SELECT wfm.current_tenant_id()))
    WITH CHECK ((SELECT wfm.is_market_ops()) OR tenant_id = (SELECT wfm.current_tenant_id()));
CREATE POLICY trigger_runs_owner ON wfm.trigger_runs TO CURRENT_USER USING (true) WITH CHECK (true);
-- a log: written once, never changed (a trigger's removal takes its runs with it)
GRANT SELECT, INSERT ON wfm.trigger_runs TO wfm_app;
