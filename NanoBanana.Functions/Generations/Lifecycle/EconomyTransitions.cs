using NanoBanana.Functions.Data;

namespace NanoBanana.Functions.Generations.Lifecycle;

/// <summary>
/// The economy lane's statements (issue 26), beside <see cref="GenerationTransitions"/>: its rows of the state
/// machine and the batch jobs' own. Economy generations stay pending while Google works on their job; a result
/// is claimed like a worker's claim (a new attempt, a lease) and ended by the worker's own Complete and Fail, so
/// the event log (migration 014's trigger) records started, stored and completed or failed as in the standard lane.
/// </summary>
/// <remarks>
/// transition      from                                   to                       by        fenced by
/// --------------  -------------------------------------  -----------------------  --------  --------------------------------------------------
/// Assign          pending economy, in no job             pending, in a job        batcher   SKIP LOCKED; the job's intent row in the same statement; a paid call reserved (cancel is after_call from here)
/// ClaimResult     pending economy of the job, or         processing, attempt + 1  follower  lane, job, status, lease (a crashed follower's claim is taken again and completed from the file)
///                 processing + lease over
/// Complete/Fail   processing                             completed / failed       follower  attempt = the claim's (GenerationTransitions)
/// Promote         pending economy, or processing +       pending standard, queued batcher,  lane, status, lease; the run's budgets back to 0 (a new run at full price); a 'promoted' event
///                 lease over                                                      follower
/// </remarks>
internal static class EconomyTransitions
{
    private const string Columns = GenerationRow.Columns;

    /// <summary>An economy row nobody is completing now: waiting, or claimed by a follower that stopped (its lease over).</summary>
    private const string EconomyUnclaimed = "lane = 'economy' AND (status = 'pending' OR (status = 'processing' AND lease_expires_at <= @now))";

    private const string Waiting = "lane = 'economy' AND status = 'pending' AND economy_job_id IS NULL";

    /// <summary>Per model: economy generations waiting for a job, and when the oldest was created.</summary>
    public const string WaitingByModel = $"""
        SELECT options->>'model' AS model, count(*) AS waiting, min(created_at) AS oldest
        FROM generations WHERE {Waiting}
        GROUP BY 1
        """;

    /// <summary>
    /// The submission intent, in one statement: a job row (preparing, held by this batcher for @lease) and up to
    /// @batch waiting rows of @model assigned to it, each keyed by its id and with its paid call reserved and logged
    /// against the owner's hourly budget. No job row when nothing waits. Returns the assigned ids.
    /// Parameters: @job, @model, @display_name, @now, @lease, @batch.
    /// </summary>
    public const string Assign = $"""
        WITH picked AS (
            SELECT id FROM generations WHERE {Waiting} AND options->>'model' = @model
            ORDER BY created_at LIMIT @batch FOR UPDATE SKIP LOCKED),
        job AS (
            INSERT INTO economy_jobs (id, model, display_name, state, created_at, updated_at, claimed_until)
            SELECT @job, @model, @display_name, 'preparing', @now, @now, @now + @lease WHERE EXISTS (SELECT 1 FROM picked)
            RETURNING id),
        assigned AS (
            UPDATE generations g
            SET economy_job_id = job.id, batch_key = g.id::text,
                run_gemini_calls = g.run_gemini_calls + 1, paid_calls = g.paid_calls + 1, updated_at = @now, version = g.version + 1
            FROM picked, job
            WHERE g.id = picked.id
            RETURNING g.id, g.owner_id),
        logged AS (
            INSERT INTO gemini_paid_calls (owner_id, called_at) SELECT owner_id, @now FROM assigned)
        SELECT id FROM assigned
        """;

    /// <summary>What goes into a job's JSONL file: its rows still waiting for it (a cancelled one is left out). Parameters: @job.</summary>
    public const string JobRequests = """
        SELECT id, prompt, options FROM generations
        WHERE economy_job_id = @job AND lane = 'economy' AND status = 'pending'
        ORDER BY created_at
        """;

    /// <summary>Jobs whose batcher stopped between the intent and the record (their hold over): taken over for @lease. Parameters: @now, @lease, @batch.</summary>
    public const string TakeUnrecorded = """
        WITH taken AS (
            SELECT id FROM economy_jobs WHERE state = 'preparing' AND claimed_until <= @now
            ORDER BY created_at LIMIT @batch FOR UPDATE SKIP LOCKED)
        UPDATE economy_jobs j SET claimed_until = @now + @lease, updated_at = @now
        FROM taken WHERE j.id = taken.id
        RETURNING j.id, j.model, j.display_name, j.file_name
        """;

    /// <summary>The uploaded input file, kept so a resubmission after a crash does not upload again. Parameters: @job, @file, @now.</summary>
    public const string RecordFile = "UPDATE economy_jobs SET file_name = @file, updated_at = @now WHERE id = @job AND state = 'preparing'";

    /// <summary>Google has the job: open, to be polled. Parameters: @job, @name, @state, @now, @poll.</summary>
    public const string RecordSubmitted = """
        UPDATE economy_jobs
        SET state = 'open', gemini_name = @name, gemini_state = @state, submitted_at = @now, next_poll_at = @now + @poll,
            claimed_until = NULL, updated_at = @now
        WHERE id = @job AND state = 'preparing'
        RETURNING id
        """;

    /// <summary>
    /// Open jobs due a poll, held for @lease and due again in @poll; each with its active (pending or processing) economy rows.
    /// Parameters: @now, @lease, @poll, @batch.
    /// </summary>
    public static readonly string TakeDue = $"""
        WITH taken AS (
            SELECT id FROM economy_jobs
            WHERE state = 'open' AND next_poll_at <= @now AND coalesce(claimed_until, '-infinity'::timestamptz) <= @now
            ORDER BY next_poll_at LIMIT @batch FOR UPDATE SKIP LOCKED)
        UPDATE economy_jobs j SET claimed_until = @now + @lease, next_poll_at = @now + @poll, updated_at = @now
        FROM taken WHERE j.id = taken.id
        RETURNING j.id, j.model, j.gemini_name, j.submitted_at, j.results_reads,
            (SELECT count(*) FROM generations g WHERE g.economy_job_id = j.id AND g.lane = 'economy' AND g.status IN {GenerationStatuses.ActiveSql}) AS active
        """;

    /// <summary>
    /// A signed webhook from Google says the job named @name ended: due now (the follower asks Google itself; the
    /// webhook is only a hint), unless this delivery (@webhook_id) woke it already. Returns the job, its state,
    /// and whether it was woken; no row when we have no job of that name. Parameters: @name, @webhook_id, @now.
    /// </summary>
    public const string WakeJob = """
        WITH job AS (SELECT id, state, last_webhook_id FROM economy_jobs WHERE gemini_name = @name FOR UPDATE),
        woken AS (
            UPDATE economy_jobs j SET next_poll_at = least(j.next_poll_at, @now), last_webhook_id = @webhook_id, updated_at = @now
            FROM job WHERE j.id = job.id AND job.state = 'open' AND job.last_webhook_id IS DISTINCT FROM @webhook_id
            RETURNING j.id)
        SELECT job.id, job.state, EXISTS (SELECT 1 FROM woken WHERE woken.id = job.id) AS woken FROM job
        """;

    /// <summary>What Google said of a job still at work, and the hold given up (the next poll is already set by TakeDue). Parameters: @job, @state, @now.</summary>
    public const string SawState = "UPDATE economy_jobs SET gemini_state = @state, claimed_until = NULL, updated_at = @now WHERE id = @job";

    /// <summary>
    /// A read of a succeeded job's results file starts: counted before it starts, so a follower that crashes on
    /// every read still runs out of tries (and the promise sweep then takes the rows). Returns the reads so far.
    /// Parameters: @job, @now.
    /// </summary>
    public const string BeginRead = """
        UPDATE economy_jobs SET gemini_state = 'SUCCEEDED', results_reads = results_reads + 1, updated_at = @now
        WHERE id = @job
        RETURNING results_reads
        """;

    /// <summary>A read of the results file broke off: due again at the next sweep. Parameters: @job, @now.</summary>
    public const string ReadBroke = "UPDATE economy_jobs SET claimed_until = NULL, next_poll_at = @now, updated_at = @now WHERE id = @job";

    /// <summary>
    /// When the last claim another reader holds on a row of the job runs out (null: none runs). A read that reached the
    /// end of the file while one runs must not end the job: that reader may have died holding it, and a row left
    /// processing under a done job is read by nobody (promoted near its promise, and paid again). Parameters: @job, @now.
    /// </summary>
    public const string ClaimsHeldUntil = """
        SELECT max(lease_expires_at) FROM generations
        WHERE economy_job_id = @job AND lane = 'economy' AND status = 'processing' AND lease_expires_at > @now
        """;

    /// <summary>The file is read again once those claims ran out (ClaimResult then takes them over): due at @at, the hold given up. Parameters: @job, @at, @now.</summary>
    public const string ReadAgainAt = "UPDATE economy_jobs SET claimed_until = NULL, next_poll_at = @at, updated_at = @now WHERE id = @job";

    /// <summary>The job is over for us: its results read, or it ended without them. Parameters: @job, @state, @now.</summary>
    public const string EndJob = """
        UPDATE economy_jobs SET state = 'done', gemini_state = @state, ended_at = @now, claimed_until = NULL, updated_at = @now
        WHERE id = @job
        """;

    /// <summary>
    /// The result of a row of the job is in the file: the row is claimed as a worker claims (attempt + 1, a lease),
    /// also when a follower that claimed it before crashed (processing, lease over): it is completed from the file,
    /// never promoted at full price. Parameters: @id, @job, @now, @lease.
    /// </summary>
    public const string ClaimResult = $"""
        UPDATE generations
        SET status = 'processing', attempt = attempt + 1, run_attempt = run_attempt + 1,
            lease_expires_at = @now + @lease, started_at = coalesce(started_at, @now),
            liveness_key = NULL, live_since = NULL, updated_at = @now, version = version + 1
        WHERE id = @id AND economy_job_id = @job AND {EconomyUnclaimed}
        RETURNING {Columns}
        """;

    // Promoted: the standard lane, pending and queued now, as a new run (at full price); @refund gives back the
    // call reserved at Assign when Google never had the job.
    private const string Promoted = """
        lane = 'standard', promoted_at = @now, promoted_reason = @reason,
        status = 'pending', lease_expires_at = NULL, liveness_key = NULL, live_since = NULL,
        paid_calls = greatest(g.paid_calls - @refund * g.run_gemini_calls, 0),
        run_attempt = 0, run_gemini_calls = 0, enqueued_at = @now, updated_at = @now, version = g.version + 1
        """;

    // Every promotion logs its 'promoted' event in the same statement (the status may not change, so no trigger would).
    private const string LogPromoted = """
        SELECT id, generation_event_append(id, owner_id, 'promoted', attempt, @now, jsonb_build_object('reason', @reason::text)) FROM promoted
        """;

    /// <summary>The job's rows nobody is completing -> the standard lane (its job ended without their results). Parameters: @job, @now, @reason, @refund.</summary>
    public const string PromoteJob = $"""
        WITH batch AS (
            SELECT id FROM generations WHERE economy_job_id = @job AND {EconomyUnclaimed}
            FOR UPDATE SKIP LOCKED),
        promoted AS (
            UPDATE generations g SET {Promoted}
            FROM batch WHERE g.id = batch.id AND {EconomyUnclaimed}
            RETURNING g.id, g.owner_id, g.attempt)
        {LogPromoted}
        """;

    /// <summary>A result claimed by this follower whose line is an error that may clear -> the standard lane. Parameters: @id, @attempt, @now, @reason, @refund.</summary>
    public const string PromoteClaimed = $"""
        WITH promoted AS (
            UPDATE generations g SET {Promoted}
            WHERE g.id = @id AND g.attempt = @attempt AND g.status = 'processing' AND g.lane = 'economy'
            RETURNING g.id, g.owner_id, g.attempt)
        {LogPromoted}
        """;

    /// <summary>
    /// Economy rows whose promise is near (before @due) and that nobody completes -> the standard lane; not a row of
    /// a job Google says succeeded whose file is still being read (the follower completes it from the file, or
    /// promotes it past Economy__MaxResultReads). Parameters: @now, @due, @reason, @refund, @max_reads, @batch.
    /// </summary>
    public static readonly string PromoteDue = $"""
        WITH batch AS (
            SELECT g.id FROM generations g
            WHERE g.lane = 'economy' AND g.status IN {GenerationStatuses.ActiveSql} AND g.promised_by <= @due
              AND (g.status = 'pending' OR g.lease_expires_at <= @now)
              AND NOT EXISTS (SELECT 1 FROM economy_jobs j WHERE j.id = g.economy_job_id AND j.state = 'open'
                              AND j.gemini_state = 'SUCCEEDED' AND j.results_reads < @max_reads)
            ORDER BY g.promised_by LIMIT @batch FOR UPDATE OF g SKIP LOCKED),
        promoted AS (
            UPDATE generations g SET {Promoted}
            FROM batch WHERE g.id = batch.id AND {EconomyUnclaimed}
            RETURNING g.id, g.owner_id, g.attempt)
        {LogPromoted}
        """;

    /// <summary>
    /// The daily cleanup's: jobs done before @cutoff that no generation refers to any more (theirs were deleted
    /// with the retention), a bounded batch. Returns how many went. Parameters: @cutoff, @batch.
    /// </summary>
    public const string DeleteEndedJobs = """
        WITH doomed AS (
            SELECT j.id FROM economy_jobs j
            WHERE j.state = 'done' AND j.ended_at < @cutoff
              AND NOT EXISTS (SELECT 1 FROM generations g WHERE g.economy_job_id = j.id)
            LIMIT @batch FOR UPDATE SKIP LOCKED)
        DELETE FROM economy_jobs j USING doomed WHERE j.id = doomed.id
        """;
}
