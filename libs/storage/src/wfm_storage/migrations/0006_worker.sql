-- What the background worker keeps: timers (SLA, approval deadlines, delays), webhook
-- subscriptions and deliveries, in-app notifications, triggers that start workflows, and
-- the API access provisioned in Kong. Every table is tenant data under RLS.

CREATE TABLE wfm.workflow_timers (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id      uuid NOT NULL REFERENCES wfm.tenants (id),
    instance_id    uuid NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('sla', 'approval_deadline', 'delay')),
    step_id        text,                    -- NULL: the submission's approval
    activation_seq integer NOT NULL,        -- the event that started what the timer measures
    due_at         timestamptz,             -- NULL while paused
    remaining      interval,                -- what was left when paused
    status         text NOT NULL DEFAULT 'armed' CHECK (status IN ('armed', 'paused', 'fired', 'cancelled')),
    fired_at       timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (instance_id, kind, activation_seq)
);
CREATE INDEX workflow_timers_due_idx ON wfm.workflow_timers (due_at) WHERE status = 'armed';
CREATE INDEX workflow_timers_instance_idx ON wfm.workflow_timers (instance_id) WHERE status IN ('armed', 'paused');

CREATE TABLE wfm.webhook_subscriptions (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES wfm.tenants (id),
    url         text NOT NULL CHECK (url ~ '^https?://'),
    secret      text NOT NULL,
    event_types text[] NOT NULL CHECK (cardinality(event_types) > 0),
    description text,
    active      boolean NOT NULL DEFAULT true,
    created_by  uuid NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_subscriptions_tenant_idx ON wfm.webhook_subscriptions (tenant_id) WHERE active;

CREATE TABLE wfm.webhook_deliveries (
    id               uuid PRIMARY KEY,
    subscription_id  uuid NOT NULL REFERENCES wfm.webhook_subscriptions (id) ON DELETE CASCADE,
    tenant_id        uuid NOT NULL REFERENCES wfm.tenants (id),
    message_id       text NOT NULL,         -- the webhook-id header: receivers dedupe on it
    event_type       text NOT NULL,
    payload          jsonb NOT NULL,
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    last_status_code integer,
    last_error       text,
    last_attempt_at  timestamptz,
    delivered_at     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (subscription_id, message_id)
);
CREATE INDEX webhook_deliveries_status_idx ON wfm.webhook_deliveries (status, created_at DESC);

CREATE TABLE wfm.webhook_attempts (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id  uuid NOT NULL REFERENCES wfm.webhook_deliveries (id) ON DELETE CASCADE,
    tenant_id    uuid NOT NULL REFERENCES wfm.tenants (id),
    attempt      integer NOT NULL,
    status_code  integer,
    error        text,
    duration_ms  integer NOT NULL,
    attempted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_attempts_delivery_idx ON wfm.webhook_attempts (delivery_id, attempt);

CREATE TABLE wfm.notifications (
    id          uuid PRIMARY KEY,
    tenant_id   uuid REFERENCES wfm.tenants (id),  -- NULL for market operations staff
    user_id     uuid NOT NULL REFERENCES wfm.users (id) ON DELETE CASCADE,
    workflow_id uuid,
    kind        text NOT NULL,
    subject     text NOT NULL,
    body        text NOT NULL,
    locale      text NOT NULL,
    dedupe_key  text NOT NULL,
    read_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, dedupe_key)
);
CREATE INDEX notifications_user_idx ON wfm.notifications (user_id, created_at DESC);

CREATE TABLE wfm.workflow_triggers (
    id           uuid PRIMARY KEY,
    -- NULL: a platform trigger of market operations, for every tenant (e.g. tenant.created)
    tenant_id    uuid REFERENCES wfm.tenants (id),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind         text NOT NULL CHECK (kind IN ('schedule', 'event')),
    cron         text,
    timezone     text,
    event_type   text,
    filter       jsonb NOT NULL DEFAULT '{}'::jsonb,
    template_key text NOT NULL,
    market_role  text NOT NULL CHECK (market_role IN ('BRP', 'BSP', 'GU', 'ACH', 'CRM', 'ESP', 'DSO')),
    active       boolean NOT NULL DEFAULT true,
    created_by   uuid NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'schedule') = (cron IS NOT NULL AND timezone IS NOT NULL)),
    CHECK ((kind = 'event') = (event_type IS NOT NULL)),
    CHECK (tenant_id IS NOT NULL OR kind = 'event')
);
CREATE INDEX workflow_triggers_kind_idx ON wfm.workflow_triggers (kind, tenant_id) WHERE active;

-- One start per schedule slot or per event, whichever worker gets there first.
CREATE TABLE wfm.trigger_firings (
    trigger_id  uuid NOT NULL REFERENCES wfm.workflow_triggers (id) ON DELETE CASCADE,
    fire_key    text NOT NULL,
    tenant_id   uuid NOT NULL REFERENCES wfm.tenants (id),
    fired_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (trigger_id, fire_key)
);

CREATE TABLE wfm.api_access (
    tenant_id         uuid NOT NULL REFERENCES wfm.tenants (id),
    market_role       text NOT NULL,
    consumer_username text NOT NULL,
    consumer_id       text,
    credential_id     uuid NOT NULL,
    provisioned_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, market_role)
);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['workflow_timers', 'webhook_subscriptions', 'webhook_deliveries',
                             'webhook_attempts', 'workflow_triggers', 'trigger_firings', 'api_access']
    LOOP
        EXECUTE format('ALTER TABLE wfm.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE wfm.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY %I ON wfm.%I FOR ALL
                 USING ((SELECT wfm.is_market_ops()) OR tenant_id = (SELECT wfm.current_tenant_id()))
                 WITH CHECK ((SELECT wfm.is_market_ops()) OR tenant_id = (SELECT wfm.current_tenant_id()))',
            t || '_tenant', t);
        EXECUTE format('CREATE POLICY %I ON wfm.%I TO CURRENT_USER USING (true) WITH CHECK (true)', t || '_owner', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON wfm.%I TO wfm_app', t);
    END LOOP;
END
$$;

-- Notifications belong to a user: each sees only their own (the platform, acting as market
-- operations, checks what it has already delivered).
ALTER TABLE wfm.notifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE wfm.notifications FORCE ROW LEVEL SECURITY;
CREATE POLICY notifications_own ON wfm.notifications FOR SELECT
    USING (user_id = NULLIF(current_setting('app.user_id', true), '')::uuid OR (SELECT wfm.is_market_ops()));
CREATE POLICY notifications_mark_read ON wfm.notifications FOR UPDATE
    USING (user_id = NULLIF(current_setting('app.user_id', true), '')::uuid)
    WITH CHECK (user_id = NULLIF(current_setting('app.user_id', true), '')::uuid);
-- written by the platform (market operations' view) for any user
CREATE POLICY notifications_deliver ON wfm.notifications FOR INSERT WITH CHECK ((SELECT wfm.is_market_ops()));
CREATE POLICY notifications_owner ON wfm.notifications TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON wfm.notifications TO wfm_app;
