using NanoBanana.Functions.Generations.Lifecycle;

namespace NanoBanana.Functions.Maintenance;

/// <summary>
/// What database/migrations create, by name, for verify-database. A test runs the verifier on a
/// freshly migrated database, so this list and the migrations cannot drift apart unnoticed.
/// </summary>
internal static class SchemaExpectations
{
    public static readonly IReadOnlyList<string> Tables =
        ["generations", "generation_creations", "maintenance_state", "schema_migrations", "schema_routines", "push_subscriptions", "generation_webhooks", "generation_events", "webhook_deliveries", "push_deliveries", "gemini_paid_calls", "generation_event_log", "generation_event_owners", "uploads", "webhook_redelivery_requests", "queue_outbox", "economy_jobs"];

    public static readonly IReadOnlyList<string> Indexes =
    [
        "generations_pkey",
        "generations_owner_created_idx",
        "generations_owner_status_created_idx",
        "generations_active_idx",
        "generations_created_idx",
        "generations_owner_idempotency_key_idx",
        "generations_processing_lease_idx",
        "generations_processing_live_idx",
        "generations_pending_enqueued_idx",
        "generations_pending_queue_idx",
        "generations_recently_completed_idx",
        "generation_creations_owner_created_idx",
        "push_subscriptions_owner_endpoint_idx",
        "generation_events_due_idx",
        "generation_events_generation_idx",
        "webhook_deliveries_generation_idx",
        "push_deliveries_pkey",
        "gemini_paid_calls_owner_called_idx",
        "uploads_created_idx",
        "generation_event_log_generation_seq_idx",
        "generation_event_log_owner_seq_idx",
        "generations_active_deadline_idx",
        "webhook_redelivery_requests_generation_idx",
        "queue_outbox_due_idx",
        "queue_outbox_generation_idx",
        "economy_jobs_pkey",
        "economy_jobs_display_name_key",
        "economy_jobs_active_idx",
        "generations_economy_waiting_idx",
        "generations_economy_job_idx",
        "generations_economy_promise_idx",
        "economy_jobs_gemini_name_idx",
    ];

    public static readonly IReadOnlyList<string> Constraints =
    [
        "generations_status_check",
        "generations_idempotency_pair_check",
        "generations_terminal_completed_at_check",
        "generations_failed_error_check",
        "generations_run_attempt_check",
        "generations_api_key_pair_check",
        "generations_api_key_active_check",
        "generations_run_gemini_calls_check",
        "generations_cancel_outcome_check",
        "generations_lane_check",
        "generations_economy_promise_check",
    ];

    /// <summary>Row-level security: on for generations, with these policies, and these roles behind them.</summary>
    public static readonly IReadOnlyList<string> Policies = ["generations_owner_isolation", "generations_maintenance_all"];

    public static readonly IReadOnlyList<string> Roles = ["nanobanana_api", "nanobanana_maintenance"];

    /// <summary>
    /// The key eraser, the long-poll announcers (NOTIFY: 007's for instances deployed before 017, 017's with what a
    /// poll is judged on), the notification outbox's writer and the event log's.
    /// </summary>
    /// <summary>The triggers on generations: Lifecycle's declared list (database/routines/generation_triggers.sql).</summary>
    public static readonly IReadOnlyList<string> Triggers =
        GenerationTriggers.All.Where(trigger => trigger.Table == "generations").Select(trigger => trigger.Name).ToList();
}
