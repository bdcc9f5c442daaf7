-- The API's per-client limits (failed logins per account, login attempts per client
-- address, and any later one) counted here, so that one budget holds behind every API
-- process. Not tenant data: the app role reaches the table only through the three
-- functions below, which run as the owner.
--
-- A row is one key's sliding window: its latest events (never more than the limit) and when
-- the window of the last one ends. Admissions prune a bounded batch of dead rows each, so
-- the table holds about as many rows as there are keys active within their windows.

CREATE TABLE wfm.throttle_windows (
    scope      text NOT NULL,            -- which limit: login_account, login_address, ...
    key_digest bytea NOT NULL,           -- SHA-256 of the key: no e-mail or address is kept
    events     timestamptz[] NOT NULL,   -- the latest events, oldest first
    expires_at timestamptz NOT NULL,     -- the last event + the window: dead after it
    PRIMARY KEY (scope, key_digest)
);
CREATE INDEX throttle_windows_expiry_idx ON wfm.throttle_windows (expires_at);

ALTER TABLE wfm.throttle_windows ENABLE ROW LEVEL SECURITY;
ALTER TABLE wfm.throttle_windows FORCE ROW LEVEL SECURITY;
CREATE POLICY throttle_windows_owner ON wfm.throttle_windows TO CURRENT_USER
    USING (true) WITH CHECK (true);

-- Counts one event now for every key, or none: returns 0 when admitted, otherwise the
-- seconds until every key may have another event. The keys' rows are locked in one order
-- (two admissions never wait on each other in a cycle); the prune skips rows others hold.
CREATE FUNCTION wfm.throttle_admit(p_scopes text[], p_keys bytea[], p_limits integer[],
                                   p_windows double precision[], p_at timestamptz)
RETURNS double precision
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    wait double precision := 0;
    span interval;
    live timestamptz[];
BEGIN
    INSERT INTO wfm.throttle_windows AS w (scope, key_digest, events, expires_at)
    SELECT s, k, '{}', p_at FROM unnest(p_scopes, p_keys) AS u (s, k) ORDER BY s, k
    ON CONFLICT (scope, key_digest) DO UPDATE SET events = w.events;

    FOR i IN 1 .. cardinality(p_keys) LOOP
        span := make_interval(secs => p_windows[i]);
        SELECT ARRAY(SELECT e FROM unnest(w.events) AS e WHERE e > p_at - span ORDER BY e)
          INTO live
          FROM wfm.throttle_windows w
         WHERE w.scope = p_scopes[i] AND w.key_digest = p_keys[i];
        IF cardinality(live) >= p_limits[i] THEN
            wait := greatest(wait, extract(epoch FROM
                live[cardinality(live) - p_limits[i] + 1] + span - p_at)::double precision);
        END IF;
    END LOOP;

    IF wait = 0 THEN
        FOR i IN 1 .. cardinality(p_keys) LOOP
            span := make_interval(secs => p_windows[i]);
            UPDATE wfm.throttle_windows w
               SET events = ARRAY(
                       SELECT e FROM (
                           SELECT e FROM unnest(w.events || p_at) AS e
                            WHERE e > p_at - span ORDER BY e DESC LIMIT p_limits[i]
                       ) AS latest ORDER BY e),
                   expires_at = greatest(w.expires_at, p_at + span)
             WHERE w.scope = p_scopes[i] AND w.key_digest = p_keys[i];
        END LOOP;
    END IF;

    DELETE FROM wfm.throttle_windows
     WHERE ctid IN (SELECT ctid FROM wfm.throttle_windows WHERE expires_at < p_at
                     ORDER BY expires_at LIMIT 100 FOR UPDATE SKIP LOCKED);
    RETURN wait;
END;
$$;

-- Takes back one event counted at p_at (an attempt that turned out not to count).
CREATE FUNCTION wfm.throttle_release(p_scope text, p_key bytea, p_at timestamptz)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    UPDATE wfm.throttle_windows
       SET events = events[:array_position(events, p_at) - 1]
                    || events[array_position(events, p_at) + 1:]
     WHERE scope = p_scope AND key_digest = p_key AND p_at = ANY (events)
$$;

-- Forgets a key's events (a successful login clears its account's failures).
CREATE FUNCTION wfm.throttle_reset(p_scope text, p_key bytea)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    DELETE FROM wfm.throttle_windows WHERE scope = p_scope AND key_digest = p_key
$$;

REVOKE ALL ON FUNCTION wfm.throttle_admit(text[], bytea[], integer[], double precision[], timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION wfm.throttle_release(text, bytea, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION wfm.throttle_reset(text, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wfm.throttle_admit(text[], bytea[], integer[], double precision[], timestamptz) TO wfm_app;
GRANT EXECUTE ON FUNCTION wfm.throttle_release(text, bytea, timestamptz) TO wfm_app;
GRANT EXECUTE ON FUNCTION wfm.throttle_reset(text, bytea) TO wfm_app;
