-- Gemini's batch webhooks (issue 26 item 3): a signed POST from Google when a batch job ends is a hint that
-- the job's state changed; the follower then asks Google itself, without waiting for the job's next poll
-- (Economy/GeminiWebhooks). Polling stays the fallback: a lost or never configured webhook changes nothing.
--
-- last_webhook_id  the webhook-id of the last delivery that woke the job: Google delivers at least once and
--                  retries for up to 24 h, so a delivery seen again wakes nothing (a job ends once, so one
--                  id per job is enough; it goes with the row when the daily cleanup deletes the job).
ALTER TABLE economy_jobs ADD COLUMN IF NOT EXISTS last_webhook_id text;

-- A delivery names the job by Google's name (batches/...): found without a scan of every job kept.
CREATE INDEX IF NOT EXISTS economy_jobs_gemini_name_idx ON economy_jobs (gemini_name) WHERE gemini_name IS NOT NULL;
