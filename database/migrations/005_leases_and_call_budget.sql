-- Paid Gemini calls per run. The worker reserves one before each generateContent request
-- (write-ahead: a crash can only over-count), gives it back when Google certainly did no work
-- (429, 503, connection refused), and the claim stops once Gemini__MaxCallsPerRun is reached.
-- A retry by the owner starts a new run at 0.
ALTER TABLE generations ADD COLUMN IF NOT EXISTS run_gemini_calls integer NOT NULL DEFAULT 0;

-- The last transient failure of this run (set when a worker hands the generation back to wait),
-- so a run that ends on its limits fails with the real reason rather than a generic one.
ALTER TABLE generations ADD COLUMN IF NOT EXISTS last_error_code text;
ALTER TABLE generations ADD COLUMN IF NOT EXISTS last_error_message text;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'generations_run_gemini_calls_check') THEN
        ALTER TABLE generations ADD CONSTRAINT generations_run_gemini_calls_check CHECK (run_gemini_calls >= 0);
    END IF;
END $$;

-- The repair sweep runs every 30 s, so its questions must cost one index probe when there is
-- nothing to do: "whose lease ran out?" and "which pending generation has no live message?".
CREATE INDEX IF NOT EXISTS generations_processing_lease_idx
    ON generations (lease_expires_at) WHERE status = 'processing';
-- (A failed send, enqueued_at NULL, counts as sent at -infinity: due at once, in the same range scan.)
CREATE INDEX IF NOT EXISTS generations_pending_enqueued_idx
    ON generations ((coalesce(enqueued_at, '-infinity'::timestamptz))) WHERE status = 'pending';

-- Where long-running maintenance left off between runs (the orphan-blob listing's continuation).
CREATE TABLE IF NOT EXISTS maintenance_state (
    name       text        PRIMARY KEY,
    value      text,
    updated_at timestamptz NOT NULL
);

GRANT SELECT, INSERT, UPDATE, DELETE ON maintenance_state TO nanobanana_maintenance;
