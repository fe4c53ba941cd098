using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using NanoBanana.Functions.Telemetry;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Deployment;

/// <summary>
/// The alerts and the workbook (infra/monitoring) query what the app really emits: metric names and
/// dimensions its meter publishes, and log lines it writes, matched here by the queries' own patterns.
/// </summary>
public sealed partial class MonitoringQueriesTests
{
    private static readonly string Monitoring = Path.Combine(BicepCli.InfraDirectory, "monitoring");

    private static string AllQueries() => string.Join('\n', Directory.GetFiles(Monitoring).Select(File.ReadAllText));

    // The workbook's KQL, unescaped from its JSON.
    private static IEnumerable<string> WorkbookQueries() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Monitoring, "workbook.json")))!["items"]!.AsArray()
            .Select(item => item!["content"]?["query"]?.GetValue<string>()).OfType<string>();

    [Fact]
    public void EveryMetricAndDimensionTheQueriesUse_IsOneTheAppPublishes()
    {
        // Arrange: listen to the app's meter while each instrument records once.
        var services = new ServiceCollection().AddMetrics().AddSingleton<GenerationMetrics>().BuildServiceProvider();
        var published = new HashSet<string>(StringComparer.Ordinal);
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == GenerationMetrics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => Record(instrument, tags));
        listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => Record(instrument, tags));
        listener.SetMeasurementEventCallback<int>((instrument, _, tags, _) => Record(instrument, tags));
        listener.Start();
        void Record(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            published.Add(instrument.Name);
            foreach (var tag in tags)
            {
                published.Add("dimension:" + tag.Key);
            }
        }

        var metrics = services.GetRequiredService<GenerationMetrics>();
        metrics.Created();
        metrics.Completed(TimeSpan.FromSeconds(12));
        metrics.Failed("STUCK");
        metrics.GeminiCall(TimeSpan.FromMilliseconds(900), "RATE_LIMITED");
        metrics.Claimed(TimeSpan.FromSeconds(3));
        metrics.ModelNotFound("gemini-3-pro-image", "guard");
        metrics.AbandonedClaim("requeued");
        metrics.LivenessSessionUp(false);
        listener.RecordObservableInstruments(); // the session_up gauge reports when observed

        // Act
        var queries = AllQueries();
        var used = MetricName().Matches(queries).Select(m => m.Groups[1].Value)
            .Concat(Dimension().Matches(queries).Select(m => "dimension:" + m.Groups[1].Value)).ToHashSet();

        // Assert
        Assert.Contains("nanobanana.generations.failed", used);
        Assert.Contains("dimension:error.code", used);
        Assert.Contains("nanobanana.liveness.session_up", used);
        Assert.Contains("nanobanana.liveness.abandoned_claims", used);
        Assert.Contains("dimension:outcome", used);
        Assert.Empty(used.Except(published));
    }

    [Fact]
    public async Task EveryLogPatternTheWorkbookMatches_MatchesWhatThePipelineLogs()
    {
        // Arrange: one generation of each ending the queries look for.
        await using var app = await FunctionApp.StartAsync();
        var token = TestTokens.For(TestTokens.NewUserId());
        await app.DeliverUntilSettledAsync((await app.Api.CreateGenerationAsync(token, "a banana")).Id);
        await app.DeliverUntilSettledAsync((await app.Api.CreateGenerationAsync(token, "a banana [simulate:SAFETY]")).Id);
        await app.Api.CancelAsync(token, (await app.Api.CreateGenerationAsync(token)).Id.ToString());
        await app.Api.DeleteAsync(token, (await app.Api.CreateGenerationAsync(token)).Id.ToString());
        var lines = app.Logs.Lines.Select(l => l.Message).ToList();

        // Act: the queries' regular expressions and "contains" phrases.
        var queries = WorkbookQueries().ToList();
        var patterns = queries.SelectMany(q => KqlRegex().Matches(q)).Select(m => m.Groups[1].Value).Distinct().ToList();
        var phrases = queries.SelectMany(q => KqlContains().Matches(q)).Select(m => m.Groups[1].Value).Distinct().ToList();

        // Assert: each finds at least one real line; a pattern's alternatives each find their own.
        Assert.NotEmpty(patterns);
        Assert.All(patterns.SelectMany(Expand), pattern => Assert.Contains(lines, line => Regex.IsMatch(line, pattern)));
        Assert.All(phrases, phrase => Assert.Contains(lines, line => line.Contains(phrase, StringComparison.Ordinal)));
    }

    // "x (a|b) y" -> "x (?:a) y", "x (?:b) y".
    private static IEnumerable<string> Expand(string pattern) =>
        Alternation().Match(pattern) is { Success: true } group
            ? group.Groups[1].Value.Split('|').Select(alternative => pattern.Replace(group.Value, $"(?:{alternative})"))
            : [pattern];

    [GeneratedRegex(@"\(([^()]*\|[^()]*)\)")]
    private static partial Regex Alternation();

    // A whole quoted name (in JSON the quotes are escaped), not a prefix like "nanobanana.generations.".
    [GeneratedRegex(@"""(nanobanana\.[a-z_.]*[a-z])\\?""")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"customDimensions\[""([^""]+)""\]")]
    private static partial Regex Dimension();

    [GeneratedRegex(@"(?:extract|matches regex)\(?\s*@""([^""]+)""")]
    private static partial Regex KqlRegex();

    [GeneratedRegex(@"contains ""([^""]+)""")]
    private static partial Regex KqlContains();
}
