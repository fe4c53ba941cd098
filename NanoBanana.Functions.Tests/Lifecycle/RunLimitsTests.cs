using NanoBanana.Functions.Generations.Lifecycle;
using NanoBanana.Functions.Tests.Infrastructure;
using Npgsql;

namespace NanoBanana.Functions.Tests.Lifecycle;

/// <summary>
/// The run's limits are one rule read in two places: <see cref="RunLimits.Allows"/> (may a failed attempt try again)
/// and <see cref="RunLimits.WithinSql"/> (may a worker claim, may a sweep requeue). Postgres evaluates the SQL for every
/// counter pair around the limits, and each answer must be the C# one; <see cref="RunLimits.AtALimitSql"/> its opposite.
/// </summary>
public sealed class RunLimitsTests
{
    [Fact]
    public async Task TheSqlAndTheCSharp_AgreeAroundTheLimits()
    {
        var limits = new RunLimits(MaxAttempts: 3, MaxCalls: 2);
        await using var connection = new NpgsqlConnection(await TestDatabase.SharedConnectionStringAsync());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"""
            SELECT run_attempt, run_gemini_calls, {RunLimits.WithinSql}, {RunLimits.AtALimitSql}
            FROM generate_series(0, 4) AS run_attempt, generate_series(0, 3) AS run_gemini_calls
            """, connection)
        {
            Parameters = { new("max_attempts", limits.MaxAttempts), new("max_calls", limits.MaxCalls) },
        };

        var rows = 0;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var (attempts, calls) = (reader.GetInt32(0), reader.GetInt32(1));
            Assert.Equal(limits.Allows(attempts, calls), reader.GetBoolean(2));
            Assert.Equal(!limits.Allows(attempts, calls), reader.GetBoolean(3));
            rows++;
        }

        Assert.Equal(20, rows);
    }

    [Theory]
    [InlineData(0, 0, true)]
    [InlineData(2, 1, true)]
    [InlineData(3, 0, false)]
    [InlineData(0, 2, false)]
    public void Allows_BelowBothLimitsOnly(int attempts, int calls, bool allowed) =>
        Assert.Equal(allowed, new RunLimits(MaxAttempts: 3, MaxCalls: 2).Allows(attempts, calls));
}
