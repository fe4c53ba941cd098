using NanoBanana.Functions.Data;

namespace NanoBanana.Functions.Generations.Lifecycle;

/// <summary>
/// The generation state machine in one place: every change of a generation's status, who makes it,
/// what fences it, and the one conditional statement that makes it. A statement names the rows it
/// accepts in its WHERE, so when two actors race for a row (a cancel and a worker, two workers, two
/// sweeping instances) exactly one wins and the other finds nothing.
/// </summary>
/// <remarks>
/// The Lifecycle module is this folder: the statuses and their sets (<see cref="GenerationStatuses"/>), the run's
/// limits (<see cref="RunLimits"/>), these statements and the economy lane's (<see cref="EconomyTransitions"/>), what
/// the database does on entering a state (<see cref="GenerationTriggers"/>), and what a refused owner's transition
/// says (<see cref="TransitionOutcome"/>). Who runs what follows the database roles (Data/ScopedBatch): the API's
/// transitions run in Data/ApiRoleStore as the caller, under row-level security; the worker's and the sweeps' in
/// Data/MaintenanceRoleStore. To add a transition: a row in the table, a statement below, a method on the store
/// of the role that runs it, and a test that races it. To add a status: the enum, its sets, a migration for the
/// CHECKs and trigger functions (<c>Lifecycle/StatusSetTests</c> fails until every copy agrees).
/// </remarks>
internal static class GenerationTransitions
{
    // transition          from                               to          by       fenced by
    // ------------------  ---------------------------------  ----------  -------  ------------------------------------------------
    // Create              (no row)                           pending     API      the user's lock; active and hourly limits; Idempotency-Key
    // Retry               failed, cancelled, expired         pending     API      status; the user's limits (active, hourly, paid calls), under the user's lock (a new run: budgets back to 0, no deadline; logged as a creation; always the standard lane)
    // Cancel              pending, processing                cancelled   API      status (the worker's later writes then find nothing); cancel_outcome from the run's paid calls
    // Delete              any                                (no row)    API      owner
    // Claim               pending, processing + lease over   processing  worker   status, lease, the run's attempts and paid calls below their limits, deadline not passed; attempt + 1
    //                                                                             (Claim, ExpireUnclaimed and FailExhausted are one statement for a delivery: Take)
    // ExpireUnclaimed     pending, processing + lease over   expired /   worker   as Claim, with the deadline passed (DEADLINE_EXCEEDED; pending -> expired, processing -> cancelled)
    //                                                        cancelled
    // StopAtDeadline      processing                         cancelled   worker   attempt = the claim's, status; the worker's own deadline timer (DEADLINE_EXCEEDED)
    // FailExhausted       pending, processing + lease over   failed      worker   as Claim, with the run's attempts or paid calls used up (the last failure, or STUCK)
    // Complete            processing                         completed   worker   attempt = the claim's, status
    // Fail                processing                         failed      worker   attempt = the claim's, status
    // Release             processing                         pending     worker   attempt = the claim's, status (retry after a delay, host shutdown, or an error)
    // FailUndeliverable   pending, processing + lease over   failed      worker   nobody holds a live claim (DELIVERY_FAILED)
    // RequeueExpired      processing + lease over            pending     repair   lease, attempts and paid calls below their limits; SKIP LOCKED batch
    // RequeueAbandoned    processing, liveness lock gone     pending     liveness attempt seen unlocked a grace ago, lock still gone, limits as RequeueExpired; SKIP LOCKED
    // FailAbandoned       processing, liveness lock gone     failed      liveness as RequeueAbandoned, at a limit of the run (the last failure, or STUCK)
    // FailStuck           processing + lease over            failed      repair   lease, attempts or paid calls at their limit (the last failure, or STUCK); SKIP LOCKED batch
    // EndOverdue          pending, processing past deadline  expired /   repair   deadline_at; SKIP LOCKED batch (a live worker's heartbeat then finds its claim gone and aborts the call)
    //                                                        cancelled
    // DeleteExpired       any, created before the cutoff     (no row)    cleanup  created_at; SKIP LOCKED batch; announces nothing (QuietDeletes)
    //
    // The economy lane's (EconomyTransitions): Assign (pending economy rows -> a batch job, their paid call reserved),
    // ClaimResult (as Claim, for a row of a job whose results file is read), then Complete / Fail above, and
    // Promote (economy -> standard lane, pending and queued). Claim, the repair's requeue/resend and the
    // liveness sweeps take standard-lane rows only.
    //
    // Not status changes, but fenced the same way:
    // RenewLease          processing: lease = now + lease    (worker's heartbeat; finding nothing means the claim is gone: stop the call)
    // MarkLive            processing: liveness_key, live_since (worker, once its instance's liveness session holds the claim's lock)
    // AddDraft            processing: draft_images + 1, a 'draft' event (worker, an interim image of the streamed call; a change the client sees: bumps version)
    // ReserveCall         processing: run_gemini_calls + 1   (worker, before each paid Gemini call; below Gemini__MaxCallsPerRun; paid_calls + 1)
    // MarkNotEnqueued     pending: enqueued_at = null        (a sweep's or the worker's send failed; the next repair sweep re-sends)
    // (Create and Retry write their queue message to queue_outbox in the same statement; the outbox dispatcher sends it.)
    // TakeUnsent          pending: enqueued_at = now         (repair: whoever gets the row back sends its message)
    //
    // On entering a state the database does the rest (GenerationTriggers, in full): every insert and status change
    // appends its event to generation_event_log (queued, started, stored, completed, failed, cancelled, expired) and
    // wakes the event streams; every change a client sees NOTIFYs its new version (KnownVersions' 304s, long-polls);
    // Active -> Terminal writes the notification outbox row (push, webhooks) for those who asked; leaving Active erases
    // a personal key; an outbox entry (Create, Retry) wakes the queue dispatcher. The statements here never repeat them.
    //
    // Every status change bumps version (the API's ETag) and updated_at; a lease renewal or a call
    // reservation changes nothing a client sees, so it bumps neither. attempt counts every claim ever
    // and is the fencing token; run_attempt and run_gemini_calls count claims and paid Gemini calls
    // since the owner last queued the generation, and are what the run's limits bound; paid_calls
    // counts paid calls over every run (the API's paidCalls).
    //
    // Every cancelled or expired row says what it cost (cancel_outcome, migration 015): before_call when
    // its run made no paid call, after_call when it had. The ending statement decides it from
    // run_gemini_calls in the same UPDATE, and ReserveCall raises that in the same row before a call is
    // sent, so whichever of the two commits first, the other sees it: a cancel that wins is before_call
    // and the reservation then finds nothing (no call is made); a reservation that wins makes it after_call.

    private const string Columns = GenerationRow.Columns;

    /// <summary>Nobody holds the generation: it waits, or its holder's lease ran out (a crashed or stalled worker).</summary>
    /// <remarks>Standard lane only: an economy row is the batch lane's (EconomyTransitions) until it is promoted.</remarks>
    private const string Unclaimed = "(lane = 'standard' AND (status = 'pending' OR (status = 'processing' AND lease_expires_at <= @now)))";

    private const string LeaseOver = "status = 'processing' AND lease_expires_at <= @now AND lane = 'standard'";

    /// <summary>
    /// Pending, and its message failed to send (null) or went out before @sent_before (presumed lost).
    /// Written as the expression generations_pending_enqueued_idx indexes, so it is one range scan.
    /// </summary>
    private const string Unsent = "status = 'pending' AND coalesce(enqueued_at, '-infinity'::timestamptz) < @sent_before AND lane = 'standard'";

    private const string Changed = "updated_at = @now, version = version + 1";

    private const string Ended = $"completed_at = @now, lease_expires_at = NULL, {Changed}";

    /// <summary>A run at its limits: it fails with its last real failure, or STUCK when every claim was interrupted.</summary>
    private const string GivenUp = $"""
        status = 'failed', error_code = coalesce(last_error_code, '{GenerationErrorCodes.Stuck}'),
        error_message = coalesce(last_error_message, 'Processing was interrupted ' || run_attempt || ' times; giving up. Try again.'),
        error_retryable = true, {Ended}
        """;

    private static readonly string WithinLimits = RunLimits.WithinSql;

    /// <summary>The caller's deadline has not passed (or there is none).</summary>
    private const string BeforeDeadline = "(deadline_at IS NULL OR deadline_at > @now)";

    private const string PastDeadline = "deadline_at <= @now";

    /// <summary>What the run cost when it ends without a result: whether Google may bill one of its calls.</summary>
    private const string Outcome = "cancel_outcome = CASE WHEN run_gemini_calls > 0 THEN 'after_call' ELSE 'before_call' END";

    /// <summary>
    /// The deadline passed: a generation still waiting for a worker is expired, one that was running is
    /// cancelled; either way with DEADLINE_EXCEEDED (retryable: a retry is a new run without the deadline).
    /// </summary>
    private const string Overdue = $"""
        status = CASE WHEN status = 'pending' THEN 'expired' ELSE 'cancelled' END, {Outcome},
        error_code = '{GenerationErrorCodes.DeadlineExceeded}',
        error_message = 'The deadline passed before the image was ready.',
        error_retryable = true, {Ended}
        """;

    private static readonly string AtALimit = RunLimits.AtALimitSql;

    /// <summary>
    /// (no row) -> pending, if the user is within its limits (read once, by <see cref="UserUsage.Sql"/>, under
    /// the user's lock) and has not used the Idempotency-Key; also logs the creation for the hourly
    /// limit, and the generation's webhook when one was given. One row: the generation's columns (null
    /// when none was stored), then the usage it was judged by (<see cref="UserUsage.Read"/>).
    /// Parameters: those of <see cref="UserUsage"/>, @id, @now, @prompt, @options, @input_images,
    /// @idempotency_key, @request_hash, @key_id, @key_ciphertext, @max_active, @max_per_hour,
    /// @max_paid_per_hour, @webhook_url, @webhook_events, @deadline_at, @lane, @promised_by, @queue_name. A
    /// standard row's queue message is written to the outbox in the same statement (<see cref="Queued"/>); an
    /// economy row is not queued (no enqueued_at, no message): the batcher gathers it.
    /// </summary>
    public static readonly string Create = $"""
        WITH usage AS ({UserUsage.Sql}),
        created AS (
            INSERT INTO generations (id, owner_id, status, prompt, options, input_images, idempotency_key, request_hash,
                                     api_key_key_id, api_key_ciphertext, enqueued_at, created_at, updated_at, deadline_at, lane, promised_by)
            SELECT @id, @owner_id, 'pending', @prompt, @options, @input_images, @idempotency_key, @request_hash,
                   @key_id, @key_ciphertext, CASE WHEN @lane = 'standard' THEN @now END, @now, @now, @deadline_at, @lane, @promised_by
            FROM usage
            WHERE usage.active < @max_active AND usage.last_hour < @max_per_hour AND usage.paid_last_hour < @max_paid_per_hour
            ON CONFLICT (owner_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
            RETURNING {Columns}),
        counted AS (
            INSERT INTO generation_creations (owner_id, created_at) SELECT owner_id, created_at FROM created),
        hooked AS (
            INSERT INTO generation_webhooks (generation_id, owner_id, url, events)
            SELECT id, owner_id, @webhook_url, @webhook_events FROM created WHERE @webhook_url IS NOT NULL),
        {Queued("created")}
        SELECT created.*, {UserUsage.Columns} FROM usage LEFT JOIN created ON true
        """;

    /// <summary>
    /// failed/cancelled -> pending for a new run (run_attempt back to 0; attempt keeps counting), if the
    /// user is under its limits; logged as a creation, since a new run costs what a new generation does.
    /// One row, as <see cref="Create"/>'s. Parameters: those of <see cref="UserUsage"/>, @id, @now,
    /// @options (the run's: its model may have changed), @key_id, @key_ciphertext, @max_active,
    /// @max_per_hour, @max_paid_per_hour, @queue_name. Its queue message goes to the outbox, as <see cref="Create"/>'s.
    /// Refused, <c>current_status</c> says why (null: no such generation), read under the row's lock as <see cref="Cancel"/>'s.
    /// </summary>
    public static readonly string Retry = $"""
        WITH usage AS ({UserUsage.Sql}),
        found AS (
            SELECT status AS current_status FROM generations WHERE id = @id AND owner_id = @owner_id FOR UPDATE),
        requeued AS (
            UPDATE generations
            SET status = 'pending', retry_count = retry_count + 1, run_attempt = 0, run_gemini_calls = 0, options = @options,
                error_code = NULL, error_message = NULL, error_retryable = NULL, last_error_code = NULL, last_error_message = NULL,
                cancel_outcome = NULL, deadline_at = NULL, draft_images = '[]'::jsonb,
                lane = 'standard', economy_job_id = NULL, batch_key = NULL,
                started_at = NULL, completed_at = NULL, lease_expires_at = NULL,
                api_key_key_id = @key_id, api_key_ciphertext = @key_ciphertext,
                enqueued_at = @now, {Changed}
            FROM usage, found
            WHERE id = @id AND owner_id = @owner_id AND status IN {GenerationStatuses.RetryableSql}
              AND usage.active < @max_active AND usage.last_hour < @max_per_hour AND usage.paid_last_hour < @max_paid_per_hour
            RETURNING {Columns}),
        counted AS (
            INSERT INTO generation_creations (owner_id, created_at) SELECT owner_id, @now FROM requeued),
        {Queued("requeued")}
        SELECT requeued.*, {UserUsage.Columns}, (SELECT current_status FROM found) AS current_status FROM usage LEFT JOIN requeued ON true
        """;

    /// <summary>
    /// pending/processing -> cancelled, saying whether its run made a paid call. One row, <c>applied</c> and the
    /// columns: the cancelled row, or (refused) the row as it stands; none when the owner has no such generation.
    /// The row is locked first, so a refusal reports the newest version (what beat the cancel), not the statement's
    /// snapshot, and nothing is read again to say why. Parameters: @id, @owner_id, @now.
    /// </summary>
    public static readonly string Cancel = $"""
        WITH found AS (
            SELECT g AS row FROM generations g WHERE id = @id AND owner_id = @owner_id FOR UPDATE),
        cancelled AS (
            UPDATE generations
            SET status = 'cancelled', {Outcome}, {Ended}
            FROM found
            WHERE id = @id AND owner_id = @owner_id AND status IN {GenerationStatuses.CancellableSql}
            RETURNING {Columns})
        SELECT true AS applied, {Columns} FROM cancelled
        UNION ALL
        SELECT false AS applied, {Columns} FROM (SELECT (found.row).* FROM found) standing WHERE NOT EXISTS (SELECT 1 FROM cancelled)
        """;

    /// <summary>Any status -> no row. Parameters: @id, @owner_id.</summary>
    public const string Delete = "DELETE FROM generations WHERE id = @id AND owner_id = @owner_id RETURNING id";

    // What a claim writes: a new attempt (the fencing token every later write names) and a lease, which the
    // worker's heartbeat renews.
    private const string Claimed = $"""
        status = 'processing', attempt = attempt + 1, run_attempt = run_attempt + 1,
        lease_expires_at = @now + @lease, started_at = coalesce(started_at, @now),
        liveness_key = NULL, live_since = NULL, {Changed}
        """;

    /// <summary>
    /// What a queue delivery does with its generation, in one statement: Claim it; or, when it can never be claimed,
    /// ExpireUnclaimed (its deadline passed: pending -> expired, an abandoned claim -> cancelled) or FailExhausted (its
    /// run used up its attempts or paid calls: failed with the last failure, or STUCK); or nothing (a live holder has
    /// it, or it ended or went: a duplicate or late message). The three conditions exclude each other, so at most one
    /// UPDATE matches. One row, <c>taken</c> ('claimed', 'expired' or 'exhausted') and the columns, or none.
    /// Parameters: @id, @now, @lease, @max_attempts, @max_calls.
    /// </summary>
    public static readonly string Take = $"""
        WITH claimed AS (
            UPDATE generations SET {Claimed}
            WHERE id = @id AND {Unclaimed} AND {WithinLimits} AND {BeforeDeadline}
            RETURNING 'claimed' AS taken, {Columns}),
        expired AS (
            UPDATE generations SET {Overdue}
            WHERE id = @id AND {Unclaimed} AND {PastDeadline}
            RETURNING 'expired' AS taken, {Columns}),
        exhausted AS (
            UPDATE generations SET {GivenUp}
            WHERE id = @id AND {Unclaimed} AND {AtALimit} AND {BeforeDeadline}
            RETURNING 'exhausted' AS taken, {Columns})
        SELECT * FROM claimed UNION ALL SELECT * FROM expired UNION ALL SELECT * FROM exhausted
        """;

    /// <summary>processing -> cancelled at the deadline, by the holder of the current attempt. Parameters: @id, @attempt, @now.</summary>
    public static readonly string StopAtDeadline = $"""
        UPDATE generations
        SET {Overdue}
        WHERE id = @id AND attempt = @attempt AND status = 'processing'
        RETURNING {Columns}
        """;

    /// <summary>The heartbeat: the holder of the current attempt keeps its claim. Parameters: @id, @attempt, @now, @lease.</summary>
    public const string RenewLease = """
        UPDATE generations
        SET lease_expires_at = @now + @lease
        WHERE id = @id AND attempt = @attempt AND status = 'processing'
        RETURNING id
        """;

    /// <summary>
    /// The class (first key) of the session advisory locks that say a claim's worker is alive; the
    /// second key is the row's liveness_key (<see cref="LivenessKey"/>).
    /// </summary>
    public const int LivenessLockClass = 21021;

    // LivenessLockClass as SQL text (a constant string cannot format an int).
    private const string LivenessLockClassSql = "21021";

    /// <summary>A claim's lock key: one per attempt, so a stalled old holder never blocks the new one. Parameters: @claim ("id/attempt").</summary>
    public const string LivenessKey = "hashtext(@claim)";

    /// <summary>
    /// The holder of the current attempt says its instance's liveness session now holds the claim's
    /// lock (taken before this, so no sweep sees the mark without the lock). Parameters: @id, @attempt, @now, @key.
    /// </summary>
    public const string MarkLive = """
        UPDATE generations
        SET liveness_key = @key, live_since = @now
        WHERE id = @id AND attempt = @attempt AND status = 'processing'
        RETURNING id
        """;

    /// <summary>
    /// Claims whose worker said it was alive and whose lock nobody holds any more: its process died
    /// (or its session dropped and has not taken the lock back yet). One probe of
    /// generations_processing_live_idx when idle. Parameters: @batch.
    /// </summary>
    public const string Unlocked = $"""
        SELECT g.id, g.attempt FROM generations g
        WHERE {Abandoned}
        ORDER BY g.live_since LIMIT @batch
        """;

    /// <summary>Claims seen unlocked a grace ago, still unlocked, within the run's limits -> pending, to be re-sent now. Parameters: @ids, @attempts, @now, @max_attempts, @max_calls.</summary>
    public static readonly string RequeueAbandoned = HandBackAbandoned(
        WithinLimits, $"status = 'pending', lease_expires_at = NULL, liveness_key = NULL, live_since = NULL, enqueued_at = @now, {Changed}");

    /// <summary>As <see cref="RequeueAbandoned"/>, at a limit of the run -> failed (last failure, or STUCK); returns id, error_code.</summary>
    public static readonly string FailAbandoned = HandBackAbandoned(AtALimit, GivenUp, "g.id, g.error_code");

    /// <summary>
    /// Processing, marked live, and no session holds its lock (pg_locks, this database only; a lock's
    /// int4 key shows as an oid). NOT IN, not NOT EXISTS: Postgres reads pg_locks once into a hash
    /// instead of once per live claim (0.4 ms, not 4-8 ms, with 200 claims in flight).
    /// </summary>
    private const string Abandoned = $"""
        g.status = 'processing' AND g.live_since IS NOT NULL AND (g.liveness_key::bigint & 4294967295)::oid NOT IN (
            SELECT l.objid FROM pg_locks l
            WHERE l.locktype = 'advisory' AND l.granted AND l.classid = {LivenessLockClassSql} AND l.objsubid = 2
              AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()))
        """;

    /// <summary>
    /// Write-ahead: the holder of the current attempt reserves one paid Gemini call before sending it,
    /// within the run's budget, and logs it against the owner's hourly budget of paid calls; returns the
    /// calls used. Parameters: @id, @attempt, @max_calls, @now.
    /// </summary>
    public const string ReserveCall = """
        WITH reserved AS (
            UPDATE generations
            SET run_gemini_calls = run_gemini_calls + 1, paid_calls = paid_calls + 1
            WHERE id = @id AND attempt = @attempt AND status = 'processing' AND run_gemini_calls < @max_calls
            RETURNING run_gemini_calls, owner_id),
        logged AS (
            INSERT INTO gemini_paid_calls (owner_id, called_at) SELECT owner_id, @now FROM reserved)
        SELECT run_gemini_calls FROM reserved
        """;

    /// <summary>
    /// The holder of the current attempt keeps an interim image (its blob already stored) and logs its
    /// 'draft' event in the same statement; returns the draft's index, none when the claim is gone.
    /// Parameters: @id, @attempt, @now, @image (one {blobName, mimeType, bytes}).
    /// </summary>
    public const string AddDraft = $"""
        WITH added AS (
            UPDATE generations
            SET draft_images = draft_images || jsonb_build_array(@image::jsonb), {Changed}
            WHERE id = @id AND attempt = @attempt AND status = 'processing'
            RETURNING id, owner_id, attempt, jsonb_array_length(draft_images) - 1 AS draft)
        SELECT draft, generation_event_append(id, owner_id, 'draft', attempt, @now, jsonb_build_object('index', draft)) FROM added
        """;

    /// <summary>processing -> completed, by the holder of the current attempt. Parameters: @id, @attempt, @now, @images, @text, @metadata.</summary>
    public static readonly string Complete = $"""
        UPDATE generations
        SET status = 'completed', result_images = @images, result_text = @text, result_metadata = @metadata, {Ended}
        WHERE id = @id AND attempt = @attempt AND status = 'processing'
        RETURNING {Columns}
        """;

    /// <summary>processing -> failed, by the holder of the current attempt. Parameters: @id, @attempt, @now, @code, @message, @retryable.</summary>
    public static readonly string Fail = $"""
        UPDATE generations
        SET status = 'failed', error_code = @code, error_message = @message, error_retryable = @retryable, {Ended}
        WHERE id = @id AND attempt = @attempt AND status = 'processing'
        RETURNING {Columns}
        """;

    /// <summary>
    /// processing -> pending, by the holder of the current attempt: the next delivery (a message
    /// visible at @visible_at) claims it. Gives back the reserved call when Google certainly did no
    /// work (@refund 1) and remembers the failure that made it wait. Parameters: @id, @attempt, @now,
    /// @visible_at, @refund, @failure_code, @failure_message (both null keeps the last failure).
    /// </summary>
    public static readonly string Release = $"""
        UPDATE generations
        SET status = 'pending', lease_expires_at = NULL, enqueued_at = @visible_at,
            run_gemini_calls = greatest(run_gemini_calls - @refund, 0), paid_calls = greatest(paid_calls - @refund, 0),
            last_error_code = coalesce(@failure_code, last_error_code),
            last_error_message = coalesce(@failure_message, last_error_message), {Changed}
        WHERE id = @id AND attempt = @attempt AND status = 'processing'
        RETURNING {Columns}
        """;

    /// <summary>Unclaimed -> failed DELIVERY_FAILED: the queue gave up on the message. Parameters: @id, @now.</summary>
    public static readonly string FailUndeliverable = $"""
        UPDATE generations
        SET status = 'failed', error_code = '{GenerationErrorCodes.DeliveryFailed}',
            error_message = 'The generation could not be processed after repeated attempts. Try again.',
            error_retryable = true, {Ended}
        WHERE id = @id AND {Unclaimed}
        RETURNING {Columns}
        """;

    /// <summary>A batch of expired leases within the run's limits -> pending, to be re-sent. Parameters: @now, @max_attempts, @max_calls, @batch.</summary>
    public static readonly string RequeueExpired = Sweep(
        $"{LeaseOver} AND {WithinLimits}",
        $"status = 'pending', lease_expires_at = NULL, enqueued_at = @now, {Changed}");

    /// <summary>A batch of expired leases at a limit of the run -> failed (last failure, or STUCK); returns id, error_code. Parameters: @now, @max_attempts, @max_calls, @batch.</summary>
    public static readonly string FailStuck = Sweep($"{LeaseOver} AND {AtALimit}", GivenUp, returning: "g.id, g.error_code");

    /// <summary>
    /// A batch of active generations past their deadline -> expired (pending) or cancelled (processing);
    /// returns id, status, cancel_outcome. Parameters: @now, @batch.
    /// </summary>
    public static readonly string EndOverdue = Sweep(
        $"status IN {GenerationStatuses.ActiveSql} AND {PastDeadline}", Overdue, returning: "g.id, g.status, g.cancel_outcome");

    /// <summary>
    /// Whether the sweep has anything to do: one probe of each partial index (processing by lease,
    /// pending by last send), so an idle sweep costs one round trip. Parameters: @now, @sent_before.
    /// </summary>
    public static readonly string SweepDue = $"""
        SELECT EXISTS (SELECT 1 FROM generations WHERE {LeaseOver}) AS leases_over,
               EXISTS (SELECT 1 FROM generations WHERE {Unsent}) AS unsent,
               EXISTS (SELECT 1 FROM generations WHERE status IN {GenerationStatuses.ActiveSql} AND {PastDeadline}) AS overdue
        """;

    /// <summary>
    /// A batch of pending generations whose message failed (enqueued_at null) or was sent before
    /// @sent_before: marked sent now, so whoever gets a row back sends its message. Parameters: @now, @sent_before, @batch.
    /// </summary>
    public static readonly string TakeUnsent = Sweep(Unsent, "enqueued_at = @now", "ORDER BY created_at");

    /// <summary>The message of a pending generation was not sent: due at the next sweep. Parameters: @id.</summary>
    public const string MarkNotEnqueued = "UPDATE generations SET enqueued_at = NULL WHERE id = @id AND status = 'pending'";

    /// <summary>
    /// Run before <see cref="DeleteExpired"/> in its transaction: those deletes wake no long-poll
    /// (migration 008; nobody waits on an expired generation, and a NOTIFY per row cost every
    /// instance's LISTEN session a notification per deleted row).
    /// </summary>
    public const string QuietDeletes = "SELECT set_config('nanobanana.quiet_deletes', 'on', true)";

    /// <summary>A batch of generations created before @cutoff -> no row; returns their images' blob names. Parameters: @cutoff, @batch.</summary>
    public const string DeleteExpired = """
        WITH doomed AS (
            SELECT id FROM generations WHERE created_at < @cutoff
            ORDER BY created_at LIMIT @batch FOR UPDATE SKIP LOCKED)
        DELETE FROM generations g USING doomed
        WHERE g.id = doomed.id AND g.created_at < @cutoff
        RETURNING g.id, g.input_images, g.result_images || g.draft_images
        """;

    /// <summary>
    /// The CTE that writes the queue message of the generation <paramref name="written"/> returns into the
    /// outbox (migration 020), for the queue @queue_name, as of the row's enqueued_at: committed with the
    /// row or not at all, sent after the commit by <c>Outbox/QueueOutboxDispatcher</c>. A row with no
    /// enqueued_at (an economy one, gathered by the batcher) has no message.
    /// </summary>
    private static string Queued(string written) => $"""
        queued AS (
            INSERT INTO queue_outbox (generation_id, owner_id, queue_name, queued_at)
            SELECT id, owner_id, @queue_name, enqueued_at FROM {written} WHERE enqueued_at IS NOT NULL)
        """;

    // The abandoned-claim sweep's: only the (id, attempt) pairs it saw unlocked a grace ago, fenced
    // on that attempt, the lock checked again (a session that came back took it again).
    private static string HandBackAbandoned(string limits, string set, string returning = "g.id") => $"""
        WITH batch AS (
            SELECT g.id FROM generations g
            JOIN unnest(@ids::uuid[], @attempts::integer[]) AS seen(id, attempt) ON seen.id = g.id AND seen.attempt = g.attempt
            WHERE {Abandoned} AND {limits}
            FOR UPDATE OF g SKIP LOCKED)
        UPDATE generations g
        SET {set}
        FROM batch
        WHERE g.id = batch.id AND {Abandoned} AND {limits}
        RETURNING {returning}
        """;

    // A sweep's statement: a bounded batch taken with SKIP LOCKED (instances sweeping at once split the
    // rows, and no lock is held for long), the condition checked again by the UPDATE itself.
    private static string Sweep(string condition, string set, string order = "", string returning = "g.id") => $"""
        WITH batch AS (
            SELECT id FROM generations WHERE {condition}
            {order} LIMIT @batch FOR UPDATE SKIP LOCKED)
        UPDATE generations g
        SET {set}
        FROM batch
        WHERE g.id = batch.id AND {condition}
        RETURNING {returning}
        """;
}
