-- The economy lane (issue 26): generations run through Gemini's Batch API at half price, with a promise on
-- when they are done. A generation asked for with speed "economy" is pending in lane 'economy' and is never
-- sent to the queue; the batcher gathers such rows per model into small batch jobs (economy_jobs), the
-- follower reads each job's results file and completes the rows through the same claim, complete and fail
-- statements the worker uses (so the event log of 014 gets the same events). A row still unfinished near its
-- promise (promised_by), or whose job expired, failed, was cancelled or stayed pending too long, is promoted:
-- lane 'standard', promoted_at and promoted_reason set, and queued like any other generation.
--
-- lane             'standard' (the queue and the worker) or 'economy' (the batch lane); only 'standard' rows
--                  are claimed by the worker, re-sent or requeued by the repair sweep.
-- promised_by      the latest finish promised at create (now + maxWaitHours); economy rows only.
-- promoted_at, promoted_reason  when and why an economy generation moved to the standard lane (at full price).
-- economy_job_id   the batch job the row was put in (null: still waiting to be gathered); batch_key its
--                  request's key in the job's JSONL file (the generation id). Set in the same statement as
--                  the reservation of its paid call, so a cancel after it says after_call.
ALTER TABLE generations ADD COLUMN IF NOT EXISTS lane text NOT NULL DEFAULT 'standard' CHECK (lane IN ('standard', 'economy'));
ALTER TABLE generations ADD COLUMN IF NOT EXISTS promised_by timestamptz;
ALTER TABLE generations ADD COLUMN IF NOT EXISTS promoted_at timestamptz;
ALTER TABLE generations ADD COLUMN IF NOT EXISTS promoted_reason text;
ALTER TABLE generations ADD COLUMN IF NOT EXISTS economy_job_id uuid;
ALTER TABLE generations ADD COLUMN IF NOT EXISTS batch_key text;

-- One batch job at Google. state: 'preparing' (the intent is recorded and its rows assigned; the file and
-- the job at Google may or may not exist yet: a crash here is recovered by looking the job up by its
-- display_name, never by submitting blindly again), 'open' (Google has it: gemini_name), 'done' (its
-- results are read, or it ended without them and its rows were promoted).
CREATE TABLE IF NOT EXISTS economy_jobs (
    id              uuid        PRIMARY KEY,
    model           text        NOT NULL,
    display_name    text        NOT NULL UNIQUE,
    state           text        NOT NULL CHECK (state IN ('preparing', 'open', 'done')),
    gemini_name     text,
    gemini_state    text,
    file_name       text,
    results_reads   integer     NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL,
    submitted_at    timestamptz,
    updated_at      timestamptz NOT NULL,
    ended_at        timestamptz,
    -- Who works on the job now (a batcher submitting, a follower polling): a lease, so a crashed one's job is taken over.
    claimed_until   timestamptz,
    next_poll_at    timestamptz
);

CREATE INDEX IF NOT EXISTS economy_jobs_active_idx ON economy_jobs (next_poll_at) WHERE state IN ('preparing', 'open');

-- The batcher's probe: economy rows waiting to be gathered, per model, oldest first.
CREATE INDEX IF NOT EXISTS generations_economy_waiting_idx
    ON generations ((options->>'model'), created_at) WHERE lane = 'economy' AND status = 'pending' AND economy_job_id IS NULL;
-- The follower's: the rows of a job, and the promise sweep's: economy rows by their promise.
CREATE INDEX IF NOT EXISTS generations_economy_job_idx ON generations (economy_job_id) WHERE economy_job_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS generations_economy_promise_idx
    ON generations (promised_by) WHERE lane = 'economy' AND status IN ('pending', 'processing');

ALTER TABLE generations DROP CONSTRAINT IF EXISTS generations_economy_promise_check;
ALTER TABLE generations ADD CONSTRAINT generations_economy_promise_check
    CHECK (lane = 'standard' OR promised_by IS NOT NULL);

GRANT SELECT, INSERT, UPDATE, DELETE ON economy_jobs TO nanobanana_maintenance;

-- A promotion is an event of the generation's log (014) of its own: its status may not change (pending stays
-- pending), so the trigger would record nothing, and a stream must still say why the price changed.
-- Appended by the promoting statement itself (EconomyTransitions), with {"reason": ...}.
ALTER TABLE generation_event_log DROP CONSTRAINT IF EXISTS generation_event_log_kind_check;
ALTER TABLE generation_event_log ADD CONSTRAINT generation_event_log_kind_check
    CHECK (kind IN ('queued', 'started', 'draft', 'stored', 'completed', 'failed', 'cancelled', 'expired', 'promoted'));
