-- Webhooks you can debug (issue 23, item 7): a manual redeliver of a logged delivery.
--
-- A redelivery is a row of the delivery log like any other, marked with the number (its place in the
-- generation's log, 1 = oldest) of the delivery it sent again; NULL for the scheduled attempts.
ALTER TABLE webhook_deliveries ADD COLUMN IF NOT EXISTS redelivery_of integer CHECK (redelivery_of >= 1);

-- The redeliveries asked for per generation, for its rate limit: a request takes its slot here before
-- anything is sent (the delivery row is written only once the receiver answered, up to
-- Webhooks__TimeoutSeconds later, too late to count a storm of concurrent requests). Each request
-- prunes its generation's rows older than the window, so the table holds a handful of rows per
-- generation at most.
CREATE TABLE IF NOT EXISTS webhook_redelivery_requests (
    generation_id uuid        NOT NULL REFERENCES generations (id) ON DELETE CASCADE,
    requested_at  timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS webhook_redelivery_requests_generation_idx ON webhook_redelivery_requests (generation_id, requested_at);

GRANT SELECT, INSERT, DELETE ON webhook_redelivery_requests TO nanobanana_maintenance;
ALTER TABLE webhook_redelivery_requests ENABLE ROW LEVEL SECURITY;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE tablename = 'webhook_redelivery_requests'
                   AND policyname = 'webhook_redelivery_requests_maintenance_all') THEN
        CREATE POLICY webhook_redelivery_requests_maintenance_all ON webhook_redelivery_requests TO nanobanana_maintenance
            USING (true) WITH CHECK (true);
    END IF;
END $$;
