-- Notifications end, whatever happens (security review, issue 20): each event is dispatched a
-- bounded number of times, ends in a recorded outcome, and each push subscription it reached is
-- remembered so a re-dispatch sends only to the ones it did not.
ALTER TABLE generation_events ADD COLUMN IF NOT EXISTS dispatches int NOT NULL DEFAULT 0;
-- delivered: all sent (or the subscription was gone); gave_up: dispatches spent with sends still
-- failing; poisoned: the queue gave up on its message.
ALTER TABLE generation_events ADD COLUMN IF NOT EXISTS outcome text
    CHECK (outcome IN ('delivered', 'gave_up', 'poisoned'));

CREATE TABLE IF NOT EXISTS push_deliveries (
    event_id        bigint      NOT NULL REFERENCES generation_events (id) ON DELETE CASCADE,
    subscription_id uuid        NOT NULL,
    delivered_at    timestamptz NOT NULL,
    PRIMARY KEY (event_id, subscription_id)
);

GRANT SELECT, INSERT ON push_deliveries TO nanobanana_maintenance;
ALTER TABLE push_deliveries ENABLE ROW LEVEL SECURITY;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE tablename = 'push_deliveries' AND policyname = 'push_deliveries_maintenance_all') THEN
        CREATE POLICY push_deliveries_maintenance_all ON push_deliveries TO nanobanana_maintenance USING (true) WITH CHECK (true);
    END IF;
END $$;
