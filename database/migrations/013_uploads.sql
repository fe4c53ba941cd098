-- Reference images a phone uploads straight to Blob Storage (issue 19 item 4, the Valet Key pattern).
-- POST /uploads records what the caller declared and hands out a write-only SAS for the blob named
-- after the row's id; a create that names the upload checks this row (owner) and the blob (size).
-- Nothing here holds image bytes. used_by is the first generation that used the upload, for the
-- operator; whether an upload is still needed is decided by the generations that refer to it in
-- input_images ({"uploadId": ...}), so a deleted generation releases its uploads to the cleanup.
CREATE TABLE IF NOT EXISTS uploads (
    id             uuid        PRIMARY KEY,
    owner_id       text        NOT NULL CHECK (owner_id <> '' AND length(owner_id) <= 256),
    mime_type      text        NOT NULL,
    declared_bytes bigint      NOT NULL CHECK (declared_bytes > 0),
    created_at     timestamptz NOT NULL,
    used_by        uuid
);

-- The cleanup's probe: uploads older than the grace, oldest first.
CREATE INDEX IF NOT EXISTS uploads_created_idx ON uploads (created_at);

GRANT SELECT, INSERT, UPDATE ON uploads TO nanobanana_api;
GRANT SELECT, DELETE ON uploads TO nanobanana_maintenance;

-- The same wall as generations (003): the API's role sees and writes only the caller's uploads.
ALTER TABLE uploads ENABLE ROW LEVEL SECURITY;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE tablename = 'uploads' AND policyname = 'uploads_owner_isolation') THEN
        CREATE POLICY uploads_owner_isolation ON uploads TO nanobanana_api
            USING (owner_id = current_setting('app.user_id', true))
            WITH CHECK (owner_id = current_setting('app.user_id', true));
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE tablename = 'uploads' AND policyname = 'uploads_maintenance_all') THEN
        CREATE POLICY uploads_maintenance_all ON uploads TO nanobanana_maintenance
            USING (true) WITH CHECK (true);
    END IF;
END $$;
