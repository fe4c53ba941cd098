-- Isolation in the database: the API acts as nanobanana_api, which row-level security limits to
-- the rows of the user set per transaction (set_config('app.user_id', ..., true)); the worker and
-- the maintenance sweeps act as nanobanana_maintenance. Roles are cluster-wide, so creating them
-- tolerates another database (or a concurrent run) having created them first.
DO $$
BEGIN
    CREATE ROLE nanobanana_api NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;

DO $$
BEGIN
    CREATE ROLE nanobanana_maintenance NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;

DO $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO nanobanana_api, nanobanana_maintenance', current_schema());
END $$;
GRANT SELECT, INSERT, UPDATE, DELETE ON generations TO nanobanana_api, nanobanana_maintenance;
GRANT SELECT ON schema_migrations TO nanobanana_maintenance;

-- Whoever migrates can act as both; the app's own login role needs the same grant (README, Security).
GRANT nanobanana_api, nanobanana_maintenance TO CURRENT_USER;

ALTER TABLE generations ENABLE ROW LEVEL SECURITY;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE tablename = 'generations' AND policyname = 'generations_owner_isolation') THEN
        CREATE POLICY generations_owner_isolation ON generations TO nanobanana_api
            USING (owner_id = current_setting('app.user_id', true))
            WITH CHECK (owner_id = current_setting('app.user_id', true));
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE tablename = 'generations' AND policyname = 'generations_maintenance_all') THEN
        CREATE POLICY generations_maintenance_all ON generations TO nanobanana_maintenance
            USING (true) WITH CHECK (true);
    END IF;
END $$;

-- A user's own Gemini key for one generation: AES-GCM ciphertext and the id of the key that
-- sealed it (for rotation). It exists only while the generation is active.
ALTER TABLE generations ADD COLUMN IF NOT EXISTS api_key_ciphertext bytea;
ALTER TABLE generations ADD COLUMN IF NOT EXISTS api_key_key_id text;

-- The database erases the key the moment a generation ends, whichever code path ends it.
CREATE OR REPLACE FUNCTION generations_erase_api_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status NOT IN ('pending', 'processing') THEN
        NEW.api_key_ciphertext := NULL;
        NEW.api_key_key_id := NULL;
    END IF;
    RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS generations_erase_api_key ON generations;
CREATE TRIGGER generations_erase_api_key BEFORE INSERT OR UPDATE ON generations
    FOR EACH ROW EXECUTE FUNCTION generations_erase_api_key();

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'generations_api_key_pair_check') THEN
        ALTER TABLE generations ADD CONSTRAINT generations_api_key_pair_check
            CHECK ((api_key_ciphertext IS NULL) = (api_key_key_id IS NULL));
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'generations_api_key_active_check') THEN
        ALTER TABLE generations ADD CONSTRAINT generations_api_key_active_check
            CHECK (status IN ('pending', 'processing') OR api_key_ciphertext IS NULL);
    END IF;
END $$;
