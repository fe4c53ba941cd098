-- Liveness from the database (issue 21). While a worker holds a claim, its instance's direct
-- session holds the session advisory lock (21021, liveness_key), taken before live_since is set
-- and released after the claim ends. A session's locks go the moment its process dies (the kernel
-- closes the socket), so a processing row with live_since set whose lock nobody holds has lost its
-- worker: the abandoned-claim sweep hands it back in seconds instead of waiting for the lease.
-- Rows claimed without a liveness session (PgBouncer only, or the session was down) keep both
-- NULL and are left to the lease, as before. A new claim clears both.
ALTER TABLE generations ADD COLUMN IF NOT EXISTS liveness_key integer;
ALTER TABLE generations ADD COLUMN IF NOT EXISTS live_since timestamptz;

-- The sweep runs every few seconds on every instance: idle, it must be one probe of this index.
CREATE INDEX IF NOT EXISTS generations_processing_live_idx
    ON generations (live_since) WHERE status = 'processing' AND live_since IS NOT NULL;
