-- A per-user hourly budget of paid Gemini calls (security review, issue 20): each call the worker
-- reserves is logged here (append-only, like generation_creations), so a retry, which starts a
-- fresh per-run budget, still counts against the user's hour; create and retry refuse when spent.
CREATE TABLE IF NOT EXISTS gemini_paid_calls (
    owner_id  text        NOT NULL,
    called_at timestamptz NOT NULL
);

CREATE INDEX IF NOT EXISTS gemini_paid_calls_owner_called_idx ON gemini_paid_calls (owner_id, called_at);

GRANT SELECT ON gemini_paid_calls TO nanobanana_api;
GRANT SELECT, INSERT, DELETE ON gemini_paid_calls TO nanobanana_maintenance;

ALTER TABLE gemini_paid_calls ENABLE ROW LEVEL SECURITY;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE tablename = 'gemini_paid_calls' AND policyname = 'gemini_paid_calls_owner_isolation') THEN
        CREATE POLICY gemini_paid_calls_owner_isolation ON gemini_paid_calls TO nanobanana_api
            USING (owner_id = current_setting('app.user_id', true));
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE tablename = 'gemini_paid_calls' AND policyname = 'gemini_paid_calls_maintenance_all') THEN
        CREATE POLICY gemini_paid_calls_maintenance_all ON gemini_paid_calls TO nanobanana_maintenance
            USING (true) WITH CHECK (true);
    END IF;
END $$;
