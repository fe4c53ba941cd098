-- Results that arrive without asking: long-polls woken by NOTIFY, Web Push subscriptions, signed
-- webhooks, and the queue position. Everything that announces a change is a trigger, so every writer
-- (the API, the worker, the repair sweep, an operator's SQL) is covered without code in each path.

-- Long-poll: every change of a generation's version, and its deletion, is announced on a channel.
-- Delivered at commit, once per transaction and payload; listeners re-read the row (the version is
-- the truth, the notification only a wake-up).
CREATE OR REPLACE FUNCTION generations_announce_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('nanobanana_generation_changed', OLD.id::text);
        RETURN OLD;
    END IF;
    IF NEW.version IS DISTINCT FROM OLD.version THEN
        PERFORM pg_notify('nanobanana_generation_changed', NEW.id::text);
    END IF;
    RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS generations_announce_change ON generations;
CREATE TRIGGER generations_announce_change AFTER UPDATE OR DELETE ON generations
    FOR EACH ROW EXECUTE FUNCTION generations_announce_change();

-- Web Push: a caller's browser subscriptions (RFC 8030 endpoint, RFC 8291 keys).
CREATE TABLE IF NOT EXISTS push_subscriptions (
    id         uuid        PRIMARY KEY,
    owner_id   text        NOT NULL CHECK (owner_id <> ''),
    endpoint   text        NOT NULL,
    p256dh     text        NOT NULL,   -- the browser's P-256 public key, base64url
    auth       text        NOT NULL,   -- the browser's 16-byte auth secret, base64url
    created_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS push_subscriptions_owner_endpoint_idx ON push_subscriptions (owner_id, endpoint);

-- Signed webhooks: where a generation's endings are delivered (set at create, gone with the generation).
CREATE TABLE IF NOT EXISTS generation_webhooks (
    generation_id uuid   PRIMARY KEY REFERENCES generations (id) ON DELETE CASCADE,
    owner_id      text   NOT NULL,
    url           text   NOT NULL,
    events        text[] NOT NULL      -- of completed, failed, cancelled
);

-- The outbox: a generation ended and someone is to be told (a push subscription or a webhook).
-- Written by the same transaction as the terminal transition, so a crash cannot lose it; taken by
-- the notification dispatcher (sent_at), finished by the notification function (done_at).
CREATE TABLE IF NOT EXISTS generation_events (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    generation_id uuid        NOT NULL REFERENCES generations (id) ON DELETE CASCADE,
    owner_id      text        NOT NULL,
    status        text        NOT NULL CHECK (status IN ('completed', 'failed', 'cancelled')),
    occurred_at   timestamptz NOT NULL,
    sent_at       timestamptz,         -- its queue message went out; NULL = not yet, or the send failed
    done_at       timestamptz
);
CREATE INDEX IF NOT EXISTS generation_events_due_idx ON generation_events (sent_at NULLS FIRST, id) WHERE done_at IS NULL;
CREATE INDEX IF NOT EXISTS generation_events_generation_idx ON generation_events (generation_id);

-- Definer's rights: the API's role (cancel) and the maintenance role (worker, repair) both end
-- generations, and neither may write the outbox directly.
CREATE OR REPLACE FUNCTION generations_record_ending() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path FROM CURRENT AS $$
BEGIN
    IF NEW.status IN ('completed', 'failed', 'cancelled') AND OLD.status IN ('pending', 'processing')
       AND (EXISTS (SELECT 1 FROM push_subscriptions WHERE owner_id = NEW.owner_id)
            OR EXISTS (SELECT 1 FROM generation_webhooks WHERE generation_id = NEW.id)) THEN
        INSERT INTO generation_events (generation_id, owner_id, status, occurred_at)
        VALUES (NEW.id, NEW.owner_id, NEW.status, NEW.completed_at);
        PERFORM pg_notify('nanobanana_generation_ended', NEW.id::text);
    END IF;
    RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS generations_record_ending ON generations;
CREATE TRIGGER generations_record_ending AFTER UPDATE OF status ON generations
    FOR EACH ROW EXECUTE FUNCTION generations_record_ending();

-- The webhook delivery log: one row per attempt, listed by the generation's owner.
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    generation_id   uuid        NOT NULL REFERENCES generations (id) ON DELETE CASCADE,
    owner_id        text        NOT NULL,
    event_id        bigint      NOT NULL,
    message_id      text        NOT NULL,   -- the webhook-id header, the same on every attempt
    event_type      text        NOT NULL,
    attempt         integer     NOT NULL CHECK (attempt >= 1),
    attempted_at    timestamptz NOT NULL,
    response_status integer,
    error           text,
    duration_ms     integer     NOT NULL,
    succeeded       boolean     NOT NULL,
    next_attempt_at timestamptz            -- when the next attempt is due; NULL = no more
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_generation_idx ON webhook_deliveries (generation_id, id);

-- Queue position: pending generations in the order the worker takes them, and recent durations.
CREATE INDEX IF NOT EXISTS generations_pending_queue_idx
    ON generations ((coalesce(enqueued_at, created_at))) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS generations_recently_completed_idx
    ON generations (completed_at DESC) WHERE status = 'completed';

GRANT SELECT, INSERT, UPDATE, DELETE ON push_subscriptions TO nanobanana_api;
GRANT SELECT, DELETE ON push_subscriptions TO nanobanana_maintenance;
GRANT SELECT, INSERT ON generation_webhooks TO nanobanana_api;
GRANT SELECT ON generation_webhooks TO nanobanana_maintenance;
GRANT SELECT, UPDATE ON generation_events TO nanobanana_maintenance;
GRANT SELECT ON webhook_deliveries TO nanobanana_api;
GRANT SELECT, INSERT ON webhook_deliveries TO nanobanana_maintenance;

ALTER TABLE push_subscriptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE generation_webhooks ENABLE ROW LEVEL SECURITY;
ALTER TABLE generation_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY;

DO $$
DECLARE
    owned text;
BEGIN
    FOREACH owned IN ARRAY ARRAY['push_subscriptions', 'generation_webhooks', 'webhook_deliveries'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE tablename = owned AND policyname = owned || '_owner_isolation') THEN
            EXECUTE format('CREATE POLICY %I ON %I TO nanobanana_api USING (owner_id = current_setting(''app.user_id'', true)) '
                           'WITH CHECK (owner_id = current_setting(''app.user_id'', true))', owned || '_owner_isolation', owned);
        END IF;
    END LOOP;
    FOREACH owned IN ARRAY ARRAY['push_subscriptions', 'generation_webhooks', 'generation_events', 'webhook_deliveries'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE tablename = owned AND policyname = owned || '_maintenance_all') THEN
            EXECUTE format('CREATE POLICY %I ON %I TO nanobanana_maintenance USING (true) WITH CHECK (true)', owned || '_maintenance_all', owned);
        END IF;
    END LOOP;
END $$;
