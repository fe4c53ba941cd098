-- Creations per user, append-only: the hourly limit counts these, so deleting generations does not
-- give a user their quota back. The daily cleanup prunes rows older than a day.
CREATE TABLE IF NOT EXISTS generation_creations (
    owner_id   text        NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE INDEX IF NOT EXISTS generation_creations_owner_created_idx
    ON generation_creations (owner_id, created_at);

GRANT SELECT, INSERT ON generation_creations TO nanobanana_api;
GRANT SELECT, DELETE ON generation_creations TO nanobanana_maintenance;

ALTER TABLE generation_creations ENABLE ROW LEVEL SECURITY;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE tablename = 'generation_creations' AND policyname = 'generation_creations_owner_isolation') THEN
        CREATE POLICY generation_creations_owner_isolation ON generation_creations TO nanobanana_api
            USING (owner_id = current_setting('app.user_id', true))
            WITH CHECK (owner_id = current_setting('app.user_id', true));
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE tablename = 'generation_creations' AND policyname = 'generation_creations_maintenance_all') THEN
        CREATE POLICY generation_creations_maintenance_all ON generation_creations TO nanobanana_maintenance
            USING (true) WITH CHECK (true);
    END IF;
END $$;
