-- The daily cleanup deletes expired generations by the hundred thousand. Nobody long-polls those,
-- yet a NOTIFY per deleted row made every instance's LISTEN session read a million notifications
-- during a large cleanup. A transaction that sets nanobanana.quiet_deletes = 'on' (the cleanup's
-- batches, GenerationTransitions.QuietDeletes) deletes without announcing; every other write, a user's delete included, still wakes its waiters.
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
