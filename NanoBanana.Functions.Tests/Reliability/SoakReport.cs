using System.Text;

namespace NanoBanana.Functions.Tests.Reliability;

/// <summary>The outcome of a reliability run, with the violations of the guarantees (none, when it passes).</summary>
internal sealed record SoakReport(
    string Name,
    int Seed,
    int Generations,
    int Accepted,
    IReadOnlyDictionary<string, int> Outcomes,
    IReadOnlyDictionary<string, int> GeminiFaults,
    IReadOnlyList<string> InfraEvents,
    IReadOnlyDictionary<string, int> Counters,
    TimeSpan P50ToTerminal,
    TimeSpan P95ToTerminal,
    TimeSpan MaxToTerminal,
    TimeSpan Bound,
    int GeminiRequests,
    int MaxGeminiRequestsForOneGeneration,
    int MaxAttemptsForOneGeneration,
    CallBudgetUse CallBudget,
    IReadOnlyList<WorkerRecovery> Recoveries,
    int OrphanBlobsRemoved,
    TimeSpan Duration,
    IReadOnlyList<string> Violations)
{
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine($"### {Name} (seed {Seed})");
        text.AppendLine();
        text.AppendLine("| measure | value |");
        text.AppendLine("|---|---|");
        text.AppendLine($"| generations requested / accepted | {Generations} / {Accepted} |");
        foreach (var (outcome, count) in Outcomes.OrderByDescending(o => o.Value))
        {
            text.AppendLine($"| outcome: {outcome} | {count} |");
        }

        text.AppendLine($"| time to terminal p50 / p95 / max | {P50ToTerminal.TotalSeconds:F1} s / {P95ToTerminal.TotalSeconds:F1} s / {MaxToTerminal.TotalSeconds:F1} s |");
        text.AppendLine($"| bound (from settings) | {Bound.TotalSeconds:F0} s |");
        text.AppendLine($"| Gemini requests (max for one generation) | {GeminiRequests} ({MaxGeminiRequestsForOneGeneration}) |");
        text.AppendLine($"| paid Gemini calls (max for one generation; budget per run) | {CallBudget.PaidCalls} ({CallBudget.MostForOneGeneration}; {CallBudget.Budget}) |");
        text.AppendLine($"| generations that used their whole budget | {CallBudget.GenerationsThatSpentIt} |");
        text.AppendLine($"| most attempts for one generation | {MaxAttemptsForOneGeneration} |");
        foreach (var recovery in Recoveries)
        {
            text.AppendLine($"| after {recovery.Kind}: generations taken over / claimed again within / ended within | " +
                $"{recovery.TakenOver} / {Seconds(recovery.ShortestToNextClaim)}-{Seconds(recovery.LongestToNextClaim)} / {Seconds(recovery.ShortestToTerminal)}-{Seconds(recovery.LongestToTerminal)} |");
        }
        foreach (var (fault, count) in GeminiFaults.OrderByDescending(f => f.Value))
        {
            text.AppendLine($"| Gemini reply: {fault} | {count} |");
        }

        foreach (var (counter, count) in Counters)
        {
            text.AppendLine($"| {counter} | {count} |");
        }

        text.AppendLine($"| infrastructure faults | {(InfraEvents.Count == 0 ? "none" : string.Join("; ", InfraEvents))} |");
        text.AppendLine($"| orphan blobs removed by the final repair | {OrphanBlobsRemoved} |");
        text.AppendLine($"| run time | {Duration.TotalSeconds:F0} s |");
        text.AppendLine($"| violations | {Violations.Count} |");
        foreach (var violation in Violations.Take(20))
        {
            text.AppendLine($"| | {violation} |");
        }

        return text.ToString();
    }

    /// <summary>The summary, for the record: TestResults/&lt;name&gt;.md at the repository root.</summary>
    public async Task WriteAsync(string name)
    {
        var directory = Path.Combine(Infrastructure.TestSettings.RepositoryRoot, "TestResults");
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, $"{name}.md"), ToMarkdown());
    }

    private static string Seconds(TimeSpan? value) => value is { } v ? $"{v.TotalSeconds:F1} s" : "?";
}
