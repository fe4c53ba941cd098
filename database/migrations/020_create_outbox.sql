-- A create that is one transaction (issue 24, item 2). The API no longer sends a generation's queue
-- message itself: the create (and the owner's retry) writes the row and an entry here in the same
-- statement, answers after the commit, and the instances' outbox dispatchers send the message
-- (Outbox/QueueOutboxDispatcher): woken by this table's NOTIFY, swept every Outbox__SweepSeconds as a
-- fallback. A crash between the commit and the send leaves the entry here, so nothing is lost; the
-- repair sweep's re-send of a pending generation whose message went out long ago stays behind it.
--
-- An entry names the queue its message goes to (Storage__QueueName of the app that wrote it): an
-- instance sends only its own queue's entries. queued_at is the generation's enqueued_at as written
-- with the entry; when the row's has moved since (the repair, a hand-back or the worker sent a message
-- of its own) or the generation is no longer pending, the entry is spent and is deleted unsent.
-- taken_at: a dispatcher took it (its send is under way); one taken longer ago than
-- Outbox__RetakeAfterSeconds belongs to an instance that died mid-send and is taken again.
CREATE TABLE IF NOT EXISTS queue_outbox (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    generation_id uuid        NOT NULL REFERENCES generations (id) ON DELETE CASCADE,
    owner_id      text        NOT NULL,
    queue_name    text        NOT NULL,
    queued_at     timestamptz NOT NULL,
    taken_at      timestamptz
);
-- Entries live for milliseconds; the table holds what is in flight (and, after an outage, its backlog).
CREATE INDEX IF NOT EXISTS queue_outbox_due_idx ON queue_outbox (queue_name, id);
-- A generation's delete (the owner's, the cleanup's) finds its entries without a scan.
CREATE INDEX IF NOT EXISTS queue_outbox_generation_idx ON queue_outbox (generation_id);

-- Delivered at commit, once per transaction and queue (Postgres folds identical payloads of one
-- transaction), to every instance's LISTEN session.
CREATE OR REPLACE FUNCTION queue_outbox_announce() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('nanobanana_generation_queued', NEW.queue_name);
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS queue_outbox_announce ON queue_outbox;
CREATE TRIGGER queue_outbox_announce AFTER INSERT ON queue_outbox
    FOR EACH ROW EXECUTE FUNCTION queue_outbox_announce();

-- The API writes entries for its caller's generations only; the dispatchers (maintenance role) take,
-- delete and hand back any.
GRANT INSERT ON queue_outbox TO nanobanana_api;
GRANT SELECT, UPDATE, DELETE ON queue_outbox TO nanobanana_maintenance;
ALTER TABLE queue_outbox ENABLE ROW LEVEL SECURITY;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE tablename = 'queue_outbox' AND policyname = 'queue_outbox_owner_isolation') THEN
        CREATE POLICY queue_outbox_owner_isolation ON queue_outbox TO nanobanana_api
            USING (owner_id = current_setting('app.user_id', true)) WITH CHECK (owner_id = current_setting('app.user_id', true));
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE tablename = 'queue_outbox' AND policyname = 'queue_outbox_maintenance_all') THEN
        CREATE POLICY queue_outbox_maintenance_all ON queue_outbox TO nanobanana_maintenance USING (true) WITH CHECK (true);
    END IF;
END $$;
