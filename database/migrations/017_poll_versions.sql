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

DROP TRIGGER IF EXISTS generations_announce_version_insert ON generations;
CREATE TRIGGER generations_announce_version_insert AFTER INSERT ON generations
    FOR EACH ROW WHEN (NEW.status = 'pending') EXECUTE FUNCTION generations_announce_version();

-- The WHEN keeps the heartbeat's lease renewals out of plpgsql. The queue place moves without a version
-- change when the repair re-sends a message (TakeUnsent, MarkNotEnqueued): announced too.
DROP TRIGGER IF EXISTS generations_announce_version_update ON generations;
CREATE TRIGGER generations_announce_version_update AFTER UPDATE ON generations
    FOR EACH ROW WHEN (NEW.version IS DISTINCT FROM OLD.version OR NEW.status IS DISTINCT FROM OLD.status
                       OR NEW.enqueued_at IS DISTINCT FROM OLD.enqueued_at OR NEW.created_at IS DISTINCT FROM OLD.created_at
                       OR NEW.owner_id IS DISTINCT FROM OLD.owner_id)
    EXECUTE FUNCTION generations_announce_version();

DROP TRIGGER IF EXISTS generations_announce_version_delete ON generations;
CREATE TRIGGER generations_announce_version_delete AFTER DELETE ON generations
    FOR EACH ROW EXECUTE FUNCTION generations_announce_version();

DROP TRIGGER IF EXISTS generations_announce_version_truncate ON generations;
CREATE TRIGGER generations_announce_version_truncate AFTER TRUNCATE ON generations
    FOR EACH STATEMENT EXECUTE FUNCTION generations_announce_version();
