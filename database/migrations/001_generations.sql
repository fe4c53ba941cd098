-- One row per image generation: the request, its processing state and the result's metadata.
-- Image bytes live in Blob Storage; this table holds only names, types and sizes.
CREATE TABLE IF NOT EXISTS generations (
    id               uuid        PRIMARY KEY,
    owner_id         text        NOT NULL CHECK (owner_id <> '' AND length(owner_id) <= 256),
    status           text        NOT NULL DEFAULT 'pending',
    prompt           text        NOT NULL CHECK (prompt <> ''),
    options          jsonb       NOT NULL DEFAULT '{}'::jsonb,   -- aspectRatio, resolution, model
    input_images     jsonb       NOT NULL DEFAULT '[]'::jsonb,   -- [{blobName, mimeType, bytes}]
    idempotency_key  text,
    request_hash     bytea,                                     -- what the key was first used for
    attempt          integer     NOT NULL DEFAULT 0 CHECK (attempt >= 0),  -- fencing token: +1 per claim
    retry_count      integer     NOT NULL DEFAULT 0 CHECK (retry_count >= 0),
    lease_expires_at timestamptz,                               -- set while processing
    enqueued_at      timestamptz,                               -- last queue send; NULL = send failed
    version          bigint      NOT NULL DEFAULT 1,            -- +1 per change; the API's ETag
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    started_at       timestamptz,
    completed_at     timestamptz,
    error_code       text,
    error_message    text,
    error_retryable  boolean,
    result_images    jsonb       NOT NULL DEFAULT '[]'::jsonb,   -- [{blobName, mimeType, bytes}]
    result_text      text,
    result_metadata  jsonb,                                     -- model version, token usage
    CONSTRAINT generations_status_check
        CHECK (status IN ('pending', 'processing', 'completed', 'failed', 'cancelled')),
    CONSTRAINT generations_idempotency_pair_check
        CHECK ((idempotency_key IS NULL) = (request_hash IS NULL)),
    CONSTRAINT generations_terminal_completed_at_check
        CHECK ((status IN ('completed', 'failed', 'cancelled')) = (completed_at IS NOT NULL)),
    CONSTRAINT generations_failed_error_check
        CHECK (status <> 'failed' OR error_code IS NOT NULL)
);

-- "My history, newest first" (and its cursor: (created_at, id) < (last seen)).
CREATE INDEX IF NOT EXISTS generations_owner_created_idx
    ON generations (owner_id, created_at DESC, id DESC);
-- The same history filtered by status.
CREATE INDEX IF NOT EXISTS generations_owner_status_created_idx
    ON generations (owner_id, status, created_at DESC, id DESC);
-- Active work by status, for repair sweeps and stats; stays small because rows leave it when done.
CREATE INDEX IF NOT EXISTS generations_active_idx
    ON generations (status, updated_at) WHERE status IN ('pending', 'processing');
-- "Older than N days", for retention cleanup.
CREATE INDEX IF NOT EXISTS generations_created_idx
    ON generations (created_at);
-- One generation per (caller, Idempotency-Key).
CREATE UNIQUE INDEX IF NOT EXISTS generations_owner_idempotency_key_idx
    ON generations (owner_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
