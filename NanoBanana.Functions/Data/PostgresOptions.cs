using System.ComponentModel.DataAnnotations;

namespace NanoBanana.Functions.Data;

public sealed class PostgresOptions
{
    public const string Section = "Postgres";

    /// <summary>
    /// Npgsql connection string. Keep pools small per instance (Maximum Pool Size=10): Functions scales
    /// out, and Postgres sits behind PgBouncer in transaction mode; nothing here uses session state.
    /// </summary>
    [Required(ErrorMessage = "Set Postgres__ConnectionString: the Npgsql connection string of the NanoBanana database.")]
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// The one session per instance that LISTENs for changes (long-polls, notifications). LISTEN needs a
    /// session of its own, so this must reach Postgres directly (port 5432), not through PgBouncer's
    /// transaction mode. Unset: <see cref="ConnectionString"/>, right when that is direct too.
    /// </summary>
    public string? ListenConnectionString { get; set; }
}
