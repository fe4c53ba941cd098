-- What the database does when a generation changes: every trigger function on generations and queue_outbox and
-- the triggers that run them, in one file. The app's Generations/Lifecycle/GenerationTriggers lists each with its
-- effect and consumer; Lifecycle/StatusSetTests checks this file, that list, the C# status sets and pg_trigger agree.
--
-- Not a migration: database/migrate.sh applies every database/routines/*.sql after the migrations, and again
-- whenever the file's checksum differs from the one recorded in schema_routines, so a change is made here, in
-- place, and never as a new migration that copies a whole function again (migrations 003 to 020 defined and
-- redefined these; their text stays as history, since deployments recorded their checksums). Everything here is
-- re-runnable: CREATE OR REPLACE for functions and triggers (Postgres 14+), so a re-apply has no window without
-- a trigger. A change that needs a new column still needs its migration first (migrations run before this).

-- The sealed personal Gemini key (api_key_*) is kept only while the generation is active: leaving the active
-- set (pending, processing) erases it in the row being written (003; a CHECK refuses a terminal row with a key).
CREATE OR REPLACE FUNCTION generations_erase_api_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status NOT IN ('pending', 'processing') THEN
        NEW.api_key_ciphertext := NULL;
        NEW.api_key_key_id := NULL;
    END IF;
    RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER generations_erase_api_key BEFORE INSERT OR UPDATE ON generations
    FOR EACH ROW EXECUTE FUNCTION generations_erase_api_key();

-- Appends one event to generation_event_log (014). Definer's rights: neither the API's role nor the maintenance
-- role may write the log directly. Also what a writer that changes no status calls (the worker's drafts, a
-- promotion), inside the transaction that stores what the event describes. Announces the event at commit on
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

-- What a change of a generation row means as events (014, 015). A status names its event (pending -> queued,
-- processing -> started, and an ending status is its own kind: a new ending needs no line here); a reclaim
-- (processing again under a new attempt) is started again; result images appearing are stored, before the
-- ending that came with them. A cancelled or expired event carries what was billed (cancelOutcome, paidCalls).
CREATE OR REPLACE FUNCTION generations_record_event() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = public, pg_temp AS $$
DECLARE
    at timestamptz := coalesce(NEW.updated_at, now());
    data jsonb := '{}'::jsonb;
BEGIN
    IF TG_OP = 'UPDATE' AND jsonb_array_length(NEW.result_images) > 0 AND NEW.result_images IS DISTINCT FROM OLD.result_images THEN
        PERFORM generation_event_append(NEW.id, NEW.owner_id, 'stored', NEW.attempt, at,
            jsonb_build_object('images', jsonb_array_length(NEW.result_images)));
    END IF;
    IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status
       OR (NEW.status = 'processing' AND NEW.attempt IS DISTINCT FROM OLD.attempt) THEN
        IF NEW.error_code IS NOT NULL AND NEW.status NOT IN ('pending', 'processing') THEN
            data := jsonb_build_object('code', NEW.error_code, 'retryable', NEW.error_retryable);
        END IF;
        IF NEW.cancel_outcome IS NOT NULL THEN
            data := data || jsonb_build_object('cancelOutcome', NEW.cancel_outcome, 'paidCalls', NEW.paid_calls);
        END IF;
        PERFORM generation_event_append(NEW.id, NEW.owner_id,
            CASE NEW.status WHEN 'pending' THEN 'queued' WHEN 'processing' THEN 'started' ELSE NEW.status END,
            NEW.attempt, at, data);
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER generations_record_event_insert AFTER INSERT ON generations
    FOR EACH ROW EXECUTE FUNCTION generations_record_event();

-- The WHEN keeps the heartbeat's lease renewals (the most frequent UPDATE) out of plpgsql entirely.
CREATE OR REPLACE TRIGGER generations_record_event_update AFTER UPDATE ON generations
    FOR EACH ROW WHEN (NEW.status IS DISTINCT FROM OLD.status OR NEW.attempt IS DISTINCT FROM OLD.attempt
                       OR NEW.result_images IS DISTINCT FROM OLD.result_images)
    EXECUTE FUNCTION generations_record_event();

-- The notification outbox (007, 011, 015): an active generation that ends, for an owner with a push subscription
-- or a generation with a webhook, gets a generation_events row in the ending's own transaction, and a NOTIFY that
-- wakes the dispatchers (Realtime/GenerationEndings). Definer's rights with a pinned search path (011).
CREATE OR REPLACE FUNCTION generations_record_ending() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = public, pg_temp AS $$
BEGIN
    IF NEW.status IN ('completed', 'failed', 'cancelled', 'expired') AND OLD.status IN ('pending', 'processing')
       AND (EXISTS (SELECT 1 FROM push_subscriptions WHERE owner_id = NEW.owner_id)
            OR EXISTS (SELECT 1 FROM generation_webhooks WHERE generation_id = NEW.id)) THEN
        INSERT INTO generation_events (generation_id, owner_id, status, occurred_at)
        VALUES (NEW.id, NEW.owner_id, NEW.status, NEW.completed_at);
        PERFORM pg_notify('nanobanana_generation_ended', NEW.id::text);
    END IF;
    RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER generations_record_ending AFTER UPDATE OF status ON generations
    FOR EACH ROW EXECUTE FUNCTION generations_record_ending();

-- Polls answered from memory (Realtime/KnownVersions). An instance may answer a conditional poll with 304
-- without a query only if it knows what the query would say: the owner, the version (the ETag), the status
-- and, while pending, when the generation joined the queue (its place is in the ETag too). The channel of
-- 007/008 carries the id alone, so this one carries all of it, for every change of any of those:
--     "<id>:<version>:<status>:<queued at, microseconds since 1970>:<owner id>"   (the owner last: it may hold ':')
--     "<id>:deleted"                                                             (a delete anyone may hear of)
--     "purge"                                                                    (rows went unannounced: forget all)
-- The cleanup's quiet deletes (008) and a TRUNCATE name no row, but a listener must not keep answering for
-- rows that are gone: they say "purge", once per transaction (Postgres folds identical payloads of one
-- transaction into one notification), so a million-row cleanup still costs a listener one message a batch.
-- A generation inserted already finished (the importer's history) is not announced: nobody is waiting on it.
--
-- The 007/008 channel and its trigger stay as they are: instances deployed before this migration still
-- LISTEN on it during a rolling deployment. Instances from this one on listen here only (this channel
-- announces everything that one did, and more). Drop generations_announce_change once none older runs.
CREATE OR REPLACE FUNCTION generations_announce_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM pg_notify('nanobanana_generation_version', 'purge');
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        IF current_setting('nanobanana.quiet_deletes', true) IS DISTINCT FROM 'on' THEN
            PERFORM pg_notify('nanobanana_generation_version', OLD.id::text || ':deleted');
        ELSE
            PERFORM pg_notify('nanobanana_generation_version', 'purge');
        END IF;
        RETURN NULL;
    END IF;
    PERFORM pg_notify('nanobanana_generation_version', concat_ws(':',
        NEW.id, NEW.version, NEW.status,
        (extract(epoch FROM coalesce(NEW.enqueued_at, NEW.created_at)) * 1000000)::bigint,
        NEW.owner_id));
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER generations_announce_version_insert AFTER INSERT ON generations
    FOR EACH ROW WHEN (NEW.status = 'pending') EXECUTE FUNCTION generations_announce_version();

-- The WHEN keeps the heartbeat's lease renewals out of plpgsql. The queue place moves without a version
-- change when the repair re-sends a message (TakeUnsent, MarkNotEnqueued): announced too.
CREATE OR REPLACE TRIGGER generations_announce_version_update AFTER UPDATE ON generations
    FOR EACH ROW WHEN (NEW.version IS DISTINCT FROM OLD.version OR NEW.status IS DISTINCT FROM OLD.status
                       OR NEW.enqueued_at IS DISTINCT FROM OLD.enqueued_at OR NEW.created_at IS DISTINCT FROM OLD.created_at
                       OR NEW.owner_id IS DISTINCT FROM OLD.owner_id)
    EXECUTE FUNCTION generations_announce_version();

CREATE OR REPLACE TRIGGER generations_announce_version_delete AFTER DELETE ON generations
    FOR EACH ROW EXECUTE FUNCTION generations_announce_version();

CREATE OR REPLACE TRIGGER generations_announce_version_truncate AFTER TRUNCATE ON generations
    FOR EACH STATEMENT EXECUTE FUNCTION generations_announce_version();

-- The pre-017 channel (007, 008): the id of a changed or deleted generation, for instances of an earlier deployment
-- during a rolling one. Quiet deletes (the cleanup's batches, GenerationTransitions.QuietDeletes) say nothing.
CREATE OR REPLACE FUNCTION generations_announce_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF current_setting('nanobanana.quiet_deletes', true) IS DISTINCT FROM 'on' THEN
            PERFORM pg_notify('nanobanana_generation_changed', OLD.id::text);
        END IF;
        RETURN OLD;
    END IF;
    IF NEW.version IS DISTINCT FROM OLD.version THEN
        PERFORM pg_notify('nanobanana_generation_changed', NEW.id::text);
    END IF;
    RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER generations_announce_change AFTER UPDATE OR DELETE ON generations
    FOR EACH ROW EXECUTE FUNCTION generations_announce_change();

-- A queue message written to the outbox (020) wakes every instance's dispatcher at commit, once per transaction
-- and queue (Postgres folds identical payloads of one transaction).
CREATE OR REPLACE FUNCTION queue_outbox_announce() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('nanobanana_generation_queued', NEW.queue_name);
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER queue_outbox_announce AFTER INSERT ON queue_outbox
    FOR EACH ROW EXECUTE FUNCTION queue_outbox_announce();
