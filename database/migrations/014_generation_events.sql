-- The event log of each generation (issue 23): what happened to it, numbered, kept as long as the
-- generation. The name generation_events already belongs to the notification outbox (007), so the
-- log is generation_event_log.
--
-- Written by triggers on generations, not by the transitions' SQL: every writer (the API, the worker,
-- the repair and liveness sweeps, an operator's UPDATE, a transition added later) changes status
-- through an UPDATE of generations, so a trigger cannot miss one, and it runs in that UPDATE's
-- transaction: an event exists if and only if its change committed.
--
-- Two numbers per event:
--   seq        per generation (1, 2, 3...): the SSE id of GET /api/generations/{id}/events;
--   owner_seq  per owner: the caller-wide cursor of GET /api/events and of ?changedSince=.
-- Both are taken under a lock on the owner's row of generation_event_owners, held until commit, so
-- they are handed out in commit order: a reader that saw N can never later find a committed N-1
-- (a global identity would be allocated in statement order and commit out of order, and a resumed
-- stream would skip the late one).
CREATE TABLE IF NOT EXISTS generation_event_owners (
    owner_id  text   PRIMARY KEY,
    last_seq  bigint NOT NULL
);

CREATE TABLE IF NOT EXISTS generation_event_log (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    generation_id uuid        NOT NULL REFERENCES generations (id) ON DELETE CASCADE,
    owner_id      text        NOT NULL,
    seq           integer     NOT NULL CHECK (seq >= 1),
    owner_seq     bigint      NOT NULL CHECK (owner_seq >= 1),
    -- The one list of kinds (Generations/GenerationEventKind.cs says the same, and a test holds them equal).
    kind          text        NOT NULL CHECK (kind IN ('queued', 'started', 'draft', 'stored', 'completed', 'failed', 'cancelled', 'expired')),
    attempt       integer     NOT NULL,
    at            timestamptz NOT NULL,
    data          jsonb       NOT NULL DEFAULT '{}'::jsonb CHECK (octet_length(data::text) <= 2048)
);
CREATE UNIQUE INDEX IF NOT EXISTS generation_event_log_generation_seq_idx ON generation_event_log (generation_id, seq);
CREATE UNIQUE INDEX IF NOT EXISTS generation_event_log_owner_seq_idx ON generation_event_log (owner_id, owner_seq);

-- Appends one event. Definer's rights: neither the API's role nor the maintenance role may write the
-- log directly. Also what a writer that changes no status calls (the worker's drafts, issue 23 item 4),
-- inside the transaction that stores what the event describes. Announces the event at commit on
-- nanobanana_generation_event ("<generation id>:<owner id>"), which wakes both streams.
CREATE OR REPLACE FUNCTION generation_event_append(
    p_generation_id uuid, p_owner_id text, p_kind text, p_attempt integer, p_at timestamptz, p_data jsonb)
    RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    next_owner_seq bigint;
    next_seq integer;
BEGIN
    INSERT INTO generation_event_owners AS o (owner_id, last_seq) VALUES (p_owner_id, 1)
    ON CONFLICT (owner_id) DO UPDATE SET last_seq = o.last_seq + 1
    RETURNING last_seq INTO next_owner_seq;
    -- Under the owner's lock just taken, so no other transaction numbers this generation meanwhile.
    SELECT coalesce(max(seq), 0) + 1 INTO next_seq FROM generation_event_log WHERE generation_id = p_generation_id;
    INSERT INTO generation_event_log (generation_id, owner_id, seq, owner_seq, kind, attempt, at, data)
    VALUES (p_generation_id, p_owner_id, next_seq, next_owner_seq, p_kind, p_attempt, p_at, coalesce(p_data, '{}'::jsonb));
    PERFORM pg_notify('nanobanana_generation_event', p_generation_id::text || ':' || p_owner_id);
    RETURN next_owner_seq;
END $$;

-- What a change of a generation row means as events. A status names its event (pending -> queued,
-- processing -> started, and an ending status is its own kind: a new ending such as expired needs no
-- line here); a reclaim (processing again under a new attempt) is started again; result images
-- appearing are stored, before the ending that came with them.
CREATE OR REPLACE FUNCTION generations_record_event() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = public, pg_temp AS $$
DECLARE
    at timestamptz := coalesce(NEW.updated_at, now());
BEGIN
    IF TG_OP = 'UPDATE' AND jsonb_array_length(NEW.result_images) > 0 AND NEW.result_images IS DISTINCT FROM OLD.result_images THEN
        PERFORM generation_event_append(NEW.id, NEW.owner_id, 'stored', NEW.attempt, at,
            jsonb_build_object('images', jsonb_array_length(NEW.result_images)));
    END IF;
    IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status
       OR (NEW.status = 'processing' AND NEW.attempt IS DISTINCT FROM OLD.attempt) THEN
        PERFORM generation_event_append(NEW.id, NEW.owner_id,
            CASE NEW.status WHEN 'pending' THEN 'queued' WHEN 'processing' THEN 'started' ELSE NEW.status END,
            NEW.attempt, at,
            CASE WHEN NEW.error_code IS NOT NULL AND NEW.status NOT IN ('pending', 'processing')
                 THEN jsonb_build_object('code', NEW.error_code, 'retryable', NEW.error_retryable)
                 ELSE '{}'::jsonb END);
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS generations_record_event_insert ON generations;
CREATE TRIGGER generations_record_event_insert AFTER INSERT ON generations
    FOR EACH ROW EXECUTE FUNCTION generations_record_event();

-- The WHEN keeps the heartbeat's lease renewals (the most frequent UPDATE) out of plpgsql entirely.
DROP TRIGGER IF EXISTS generations_record_event_update ON generations;
CREATE TRIGGER generations_record_event_update AFTER UPDATE ON generations
    FOR EACH ROW WHEN (NEW.status IS DISTINCT FROM OLD.status OR NEW.attempt IS DISTINCT FROM OLD.attempt
                       OR NEW.result_images IS DISTINCT FROM OLD.result_images)
    EXECUTE FUNCTION generations_record_event();

-- Generations from before this migration get one event for where they stand, so ?changedSince=0
-- lists them and a stream of an old one has an ending to end on.
INSERT INTO generation_event_log (generation_id, owner_id, seq, owner_seq, kind, attempt, at, data)
SELECT g.id, g.owner_id, 1,
       row_number() OVER (PARTITION BY g.owner_id ORDER BY g.updated_at, g.id),
       CASE g.status WHEN 'pending' THEN 'queued' WHEN 'processing' THEN 'started' ELSE g.status END,
       g.attempt, g.updated_at, '{}'::jsonb
FROM generations g
WHERE NOT EXISTS (SELECT 1 FROM generation_event_log e WHERE e.generation_id = g.id);
INSERT INTO generation_event_owners (owner_id, last_seq)
SELECT owner_id, max(owner_seq) FROM generation_event_log GROUP BY owner_id
ON CONFLICT (owner_id) DO UPDATE SET last_seq = greatest(generation_event_owners.last_seq, EXCLUDED.last_seq);

GRANT SELECT ON generation_event_log TO nanobanana_api, nanobanana_maintenance;
ALTER TABLE generation_event_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE generation_event_owners ENABLE ROW LEVEL SECURITY; -- nobody but the definer functions touches it

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE tablename = 'generation_event_log' AND policyname = 'generation_event_log_owner_isolation') THEN
        CREATE POLICY generation_event_log_owner_isolation ON generation_event_log TO nanobanana_api
            USING (owner_id = current_setting('app.user_id', true));
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE tablename = 'generation_event_log' AND policyname = 'generation_event_log_maintenance_all') THEN
        CREATE POLICY generation_event_log_maintenance_all ON generation_event_log TO nanobanana_maintenance
            USING (true);
    END IF;
END $$;
