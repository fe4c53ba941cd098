using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Reliability;

/// <summary>
/// A test-only trigger on the run's own database that logs every status change and every claim (a
/// new attempt, also when it takes over an expired lease), so the verifier can prove that no
/// generation was completed twice or came back from cancelled, and time how soon claims were taken over.
/// </summary>
internal static class RigAudit
{
    public static Task InstallAsync(FunctionApp app) => app.ExecuteSqlAsync("""
        CREATE TABLE test_status_log (id uuid NOT NULL, old_status text NOT NULL, new_status text NOT NULL, attempt int NOT NULL,
                                      at timestamptz NOT NULL DEFAULT clock_timestamp());
        CREATE FUNCTION test_log_status() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
        BEGIN
            IF NEW.status IS DISTINCT FROM OLD.status OR NEW.attempt IS DISTINCT FROM OLD.attempt THEN
                INSERT INTO test_status_log (id, old_status, new_status, attempt) VALUES (NEW.id, OLD.status, NEW.status, NEW.attempt);
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER test_log_status AFTER UPDATE ON generations FOR EACH ROW EXECUTE FUNCTION test_log_status();
        """);
}
