using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace NanoBanana.Functions.Data;

public sealed class PostgresOptions
{
    public const string Section = "Postgres";

    [Description("Npgsql connection string. Keep `Maximum Pool Size` small (10): every instance has a pool. Add `Max Auto Prepare=20` (statements prepared once per connection; behind PgBouncer that needs `max_prepared_statements` > 0, which infra/ sets). The app keeps no session state, so it turns `No Reset On Close` on itself.")]
    [Required(ErrorMessage = "Set Postgres__ConnectionString: the Npgsql connection string of the NanoBanana database.")]
    public string ConnectionString { get; set; } = "";

    [Description("The instance's two direct sessions: `LISTEN` (long-polls, notifications) and the liveness session (a session advisory lock per claim, so a crash is noticed in seconds: `Processing__LivenessSession`). Both need a session of their own, which PgBouncer's transaction mode cannot give: behind PgBouncer point this directly at Postgres (port 5432); infra/ sets it. Unset: `Postgres__ConnectionString`, right when that is direct too.")]
    public string? ListenConnectionString { get; set; }

    [Description("Sign in with the app's managed identity: an Entra ID access token is the password, renewed before it expires, and the connection strings carry none. The login must be an Entra principal of the server (infra/ makes one when `postgresEntraAuthentication` is on).")]
    public bool EntraAuthentication { get; set; }
}
