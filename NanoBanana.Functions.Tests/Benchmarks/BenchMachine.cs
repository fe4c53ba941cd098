using System.Runtime.InteropServices;
using NanoBanana.Functions.Tests.Infrastructure;
using Npgsql;

namespace NanoBanana.Functions.Tests.Benchmarks;

/// <summary>What the figures were measured on, and how busy it was: other work on a 2-core machine moves them.</summary>
internal static class BenchMachine
{
    /// <summary>The 1, 5 and 15 minute load averages, as uptime prints them.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    public static string Describe(string? postgres)
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var memory = File.Exists("/proc/meminfo")
            ? File.ReadLines("/proc/meminfo").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]
            : null;
        return $"{cpu ?? "unknown CPU"}, {Environment.ProcessorCount} cores, " +
               $"{(memory is null ? "?" : (long.Parse(memory) / 1024 / 1024).ToString())} GB; {RuntimeInformation.OSDescription}; " +
               $"{RuntimeInformation.FrameworkDescription}; PostgreSQL {postgres ?? "?"}; Azurite (scripts/services.sh)";
    }

    public static async Task<string?> PostgresVersionAsync()
    {
        await using var connection = new NpgsqlConnection(TestSettings.PostgresServer);
        await connection.OpenAsync();
        return connection.PostgreSqlVersion.ToString();
    }
}
