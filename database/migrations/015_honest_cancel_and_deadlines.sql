-- Honest cancel and deadlines (issue 23 items 5 and 6).
--
-- paid_calls     every paid Gemini call this generation ever made (all runs; a call Google certainly did
--                no work for is given back, as run_gemini_calls'). What the API shows as paidCalls.
-- cancel_outcome on a cancelled or expired generation: 'before_call' when its run made no paid call
--                (nothing billed), 'after_call' when it had (one was in flight or done: Google may bill it).
--                Decided by the ending statement itself from run_gemini_calls, which the worker raises in
--                the same row before each call (ReserveCall), so a cancel and a reservation are ordered
--                by the row lock and the answer cannot be wrong either way.
-- deadline_at    the caller's deadline (deadlineSeconds or Cancel-After at create): no claim after it;
--                a pending generation past it is expired, a processing one cancelled.
ALTER TABLE generations ADD COLUMN IF NOT EXISTS paid_calls integer NOT NULL DEFAULT 0 CHECK (paid_calls >= 0);
ALTER TABLE generations ADD COLUMN IF NOT EXISTS cancel_outcome text CHECK (cancel_outcome IN ('before_call', 'after_call'));
ALTER TABLE generations ADD COLUMN IF NOT EXISTS deadline_at timestamptz;

-- Rows from before: their current run's calls are the best count there is.
UPDATE generations SET paid_calls = run_gemini_calls WHERE paid_calls = 0 AND run_gemini_calls > 0;

-- A new ending: expired (the deadline passed before a worker started it, or while it waited to run again).
ALTER TABLE generations DROP CONSTRAINT IF EXISTS generations_status_check;
ALTER TABLE generations ADD CONSTRAINT generations_status_check
    CHECK (status IN ('pending', 'processing', 'completed', 'failed', 'cancelled', 'expired'));
ALTER TABLE generations DROP CONSTRAINT IF EXISTS generations_terminal_completed_at_check;
ALTER TABLE generations ADD CONSTRAINT generations_terminal_completed_at_check
    CHECK ((status IN ('completed', 'failed', 'cancelled', 'expired')) = (completed_at IS NOT NULL));
ALTER TABLE generations DROP CONSTRAINT IF EXISTS generations_cancel_outcome_check;
ALTER TABLE generations ADD CONSTRAINT generations_cancel_outcome_check
    CHECK ((status IN ('cancelled', 'expired')) = (cancel_outcome IS NOT NULL)) NOT VALID;
-- NOT VALID, then validated: older cancelled rows get their outcome first (from what their run paid).
UPDATE generations SET cancel_outcome = CASE WHEN run_gemini_calls > 0 THEN 'after_call' ELSE 'before_call' END
WHERE status = 'cancelled' AND cancel_outcome IS NULL;
ALTER TABLE generations VALIDATE CONSTRAINT generations_cancel_outcome_check;

-- The repair sweep finds active rows past their deadline with one range scan of this (small) index.
CREATE INDEX IF NOT EXISTS generations_active_deadline_idx
    ON generations (deadline_at) WHERE deadline_at IS NOT NULL AND status IN ('pending', 'processing');

-- The outbox (007) learns the new ending: push subscribers and webhooks hear of an expiry.
ALTER TABLE generation_events DROP CONSTRAINT IF EXISTS generation_events_status_check;
ALTER TABLE generation_events ADD CONSTRAINT generation_events_status_check
    CHECK (status IN ('completed', 'failed', 'cancelled', 'expired'));

CREATE OR REPLACE FUNCTION generations_record_ending() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = public, pg_temp AS $$
BEGIN
    IF NEW.status IN ('completed', 'failed', 'cancelled', 'expired') AND OLD.status IN ('pending', 'processing')
       AND (EXISTS (SELECT 1 FROM push_subscriptions WHERE owner_id = NEW.owner_id)
            OR EXISTS (SELECT 1 FROM generation_webhooks WHERE generation_id = NEW.id)) THEN
        INSERT INTO generation_events (generation_id, owner_id, status, occurred_at)
        VALUES (NEW.id, NEW.owner_id, NEW.status, NEW.completed_at);
        PERFORM pg_notify('nanobanana_generation_ended', NEW.id::text);
    END IF;
    RETURN NEW;
END $$;

-- The event log (014) carries the outcome on a cancelled or expired event, so a stream says what was billed.
CREATE OR REPLACE FUNCTION generations_record_event() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = public, pg_temp AS $$
DECLARE
    at timestamptz := coalesce(NEW.updated_at, now());
    data jsonb := '{}'::jsonb;
BEGIN
    IF TG_OP = 'UPDATE' AND jsonb_array_length(NEW.result_images) > 0 AND NEW.result_images IS DISTINCT FROM OLD.result_images THEN
        PERFORM generation_event_append(NEW.id, NEW.owner_id, 'stored', NEW.attempt, at,
            jsonb_build_object('images', jsonb_array_length(NEW.result_images)));
    END IF;
    IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status
       OR (NEW.status = 'processing' AND NEW.attempt IS DISTINCT FROM OLD.attempt) THEN
        IF NEW.error_code IS NOT NULL AND NEW.status NOT IN ('pending', 'processing') THEN
            data := jsonb_build_object('code', NEW.error_code, 'retryable', NEW.error_retryable);
        END IF;
        IF NEW.cancel_outcome IS NOT NULL THEN
            data := data || jsonb_build_object('cancelOutcome', NEW.cancel_outcome, 'paidCalls', NEW.paid_calls);
        END IF;
        PERFORM generation_event_append(NEW.id, NEW.owner_id,
            CASE NEW.status WHEN 'pending' THEN 'queued' WHEN 'processing' THEN 'started' ELSE NEW.status END,
            NEW.attempt, at, data);
    END IF;
    RETURN NULL;
END $$;
