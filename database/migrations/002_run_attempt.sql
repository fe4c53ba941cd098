-- Claims since the owner last queued the generation (create or retry). The attempt limit bounds
-- this, while generations.attempt keeps counting every claim as the fencing token.
ALTER TABLE generations ADD COLUMN IF NOT EXISTS run_attempt integer NOT NULL DEFAULT 0;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'generations_run_attempt_check') THEN
        ALTER TABLE generations ADD CONSTRAINT generations_run_attempt_check CHECK (run_attempt >= 0 AND run_attempt <= attempt);
    END IF;
END $$;
