using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using NanoBanana.Functions.Maintenance;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Maintenance;

public sealed class StatsTests
{
    [Fact]
    public async Task Stats_MatchAHandBuiltDataset()
    {
        // Arrange: a fixed "now" and rows whose every number is known.
        var now = new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartAsync(clock: new FakeTimeProvider(now), database: db);
        await app.ExecuteSqlAsync("""
            INSERT INTO generations (cancel_outcome, id, owner_id, status, prompt, created_at, updated_at, completed_at, error_code, error_message,
                                     lease_expires_at, attempt, run_attempt, result_images, input_images)
            VALUES
              -- completed in the window, durations 10, 20, 30, 40 s; result images of 1000 bytes each
              (NULL, gen_random_uuid(), 'u', 'completed', 'p', '2026-11-23 10:00Z', now(), '2026-11-23 10:00:10Z', NULL, NULL, NULL, 1, 1, '[{"blobName":"a","mimeType":"image/png","bytes":1000}]', '[]'),
              (NULL, gen_random_uuid(), 'u', 'completed', 'p', '2026-11-23 11:00Z', now(), '2026-11-23 11:00:20Z', NULL, NULL, NULL, 1, 1, '[{"blobName":"b","mimeType":"image/png","bytes":1000}]', '[]'),
              (NULL, gen_random_uuid(), 'u', 'completed', 'p', '2026-11-24 09:00Z', now(), '2026-11-24 09:00:30Z', NULL, NULL, NULL, 1, 1, '[{"blobName":"c","mimeType":"image/png","bytes":1000}]', '[]'),
              (NULL, gen_random_uuid(), 'u', 'completed', 'p', '2026-11-24 10:00Z', now(), '2026-11-24 10:00:40Z', NULL, NULL, NULL, 1, 1, '[{"blobName":"d","mimeType":"image/png","bytes":1000}]', '[{"blobName":"e","mimeType":"image/jpeg","bytes":500}]'),
              -- failed in the window: 2 x IMAGE_SAFETY, 1 x GEMINI_UNAVAILABLE
              (NULL, gen_random_uuid(), 'u', 'failed', 'p', '2026-11-24 10:00Z', now(), '2026-11-24 10:01Z', 'IMAGE_SAFETY', 'm', NULL, 1, 1, '[]', '[]'),
              (NULL, gen_random_uuid(), 'u', 'failed', 'p', '2026-11-24 10:00Z', now(), '2026-11-24 10:01Z', 'IMAGE_SAFETY', 'm', NULL, 1, 1, '[]', '[]'),
              (NULL, gen_random_uuid(), 'u', 'failed', 'p', '2026-11-24 10:00Z', now(), '2026-11-24 10:01Z', 'GEMINI_UNAVAILABLE', 'm', NULL, 3, 3, '[]', '[]'),
              -- cancelled in the window
              ('before_call', gen_random_uuid(), 'u', 'cancelled', 'p', '2026-11-24 11:00Z', now(), '2026-11-24 11:01Z', NULL, NULL, NULL, 0, 0, '[]', '[]'),
              -- active: one pending, one processing with a live lease, one processing whose lease expired
              (NULL, gen_random_uuid(), 'u', 'pending', 'p', '2026-11-24 11:50Z', now(), NULL, NULL, NULL, NULL, 0, 0, '[]', '[]'),
              (NULL, gen_random_uuid(), 'u', 'processing', 'p', '2026-11-24 11:55Z', now(), NULL, NULL, NULL, '2026-11-24 12:04Z', 1, 1, '[]', '[]'),
              (NULL, gen_random_uuid(), 'u', 'processing', 'p', '2026-11-24 11:00Z', now(), NULL, NULL, NULL, '2026-11-24 11:05Z', 1, 1, '[]', '[]'),
              -- outside a 7-day window: completed in 100 s, failed SAFETY
              (NULL, gen_random_uuid(), 'u', 'completed', 'p', '2026-11-01 10:00Z', now(), '2026-11-01 10:01:40Z', NULL, NULL, NULL, 1, 1, '[]', '[]'),
              (NULL, gen_random_uuid(), 'u', 'failed', 'p', '2026-11-01 10:00Z', now(), '2026-11-01 10:01Z', 'SAFETY', 'm', NULL, 1, 1, '[]', '[]')
            """);

        // Act
        var response = await app.InvokeAsync(app.Request("GET", "/api/maintenance/stats?days=7"),
            async r => await app.Function<MaintenanceFunctions>().Stats(r, CancellationToken.None));
        var stats = response.Read<StatsReport>();

        // Assert
        Assert.Equal(StatusCodes.Status200OK, response.Status);
        Assert.Equal(new Dictionary<string, long> { ["cancelled"] = 1, ["completed"] = 5, ["expired"] = 0, ["failed"] = 4, ["pending"] = 1, ["processing"] = 2 },
            stats.CountsByStatus);
        Assert.Equal(3, stats.Active);
        Assert.Equal(1, stats.StuckProcessing);

        var window = stats.Window;
        Assert.Equal(now.AddDays(-7), window.Since);
        Assert.Equal((11L, 4L, 3L, 1L), (window.Created, window.Completed, window.Failed, window.Cancelled));
        Assert.Equal(Math.Round(4.0 / 7, 4), window.SuccessRate);
        Assert.Equal(25, window.DurationSeconds.Average);
        Assert.Equal(25, window.DurationSeconds.P50);     // continuous percentile of 10, 20, 30, 40
        Assert.Equal(38.5, window.DurationSeconds.P95);
        Assert.Equal([new FailureReasonCount("IMAGE_SAFETY", 2), new FailureReasonCount("GEMINI_UNAVAILABLE", 1)], window.FailureReasons);
        Assert.Equal([new DayCount(new DateOnly(2026, 11, 23), 2), new DayCount(new DateOnly(2026, 11, 24), 9)], window.CreatedPerDay);
        Assert.Equal(4500, stats.ImageBytes);
        Assert.True(stats.TableBytes > 0);
    }

    [Fact]
    public async Task Stats_SumTheEstimatedCostPerDay_FromTheCatalogsPrices()
    {
        // Arrange: 3.1 Flash at 512 ($0.045) twice on the 23rd; on the 24th 3 Pro at 4K ($0.24) with two
        // images, one at its default size (1K, $0.134), and one of a model the catalog has no price for.
        var now = new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
        await using var db = await TestDatabase.CreateAsync();
        await using var app = await FunctionApp.StartAsync(clock: new FakeTimeProvider(now), database: db);
        const string One = """[{"blobName":"a","mimeType":"image/png","bytes":1}]""";
        const string Two = """[{"blobName":"a","mimeType":"image/png","bytes":1},{"blobName":"b","mimeType":"image/png","bytes":1}]""";
        await app.ExecuteSqlAsync($$"""
            INSERT INTO generations (id, owner_id, status, prompt, options, created_at, updated_at, completed_at, attempt, run_attempt, result_images, input_images, error_code, error_message)
            VALUES
              (gen_random_uuid(), 'u', 'completed', 'p', '{"model":"gemini-3.1-flash-image","resolution":"512"}', '2026-11-23 10:00Z', now(), '2026-11-23 10:01Z', 1, 1, '{{One}}', '[]', NULL, NULL),
              (gen_random_uuid(), 'u', 'completed', 'p', '{"model":"gemini-3.1-flash-image","resolution":"512"}', '2026-11-23 11:00Z', now(), '2026-11-23 11:01Z', 1, 1, '{{One}}', '[]', NULL, NULL),
              (gen_random_uuid(), 'u', 'completed', 'p', '{"model":"gemini-3-pro-image","resolution":"4K"}', '2026-11-24 09:00Z', now(), '2026-11-24 09:02Z', 1, 1, '{{Two}}', '[]', NULL, NULL),
              (gen_random_uuid(), 'u', 'completed', 'p', '{"model":"gemini-3-pro-image"}', '2026-11-24 09:00Z', now(), '2026-11-24 09:02Z', 1, 1, '{{One}}', '[]', NULL, NULL),
              (gen_random_uuid(), 'u', 'completed', 'p', '{"model":"gemini-next-image"}', '2026-11-24 10:00Z', now(), '2026-11-24 10:01Z', 1, 1, '{{One}}', '[]', NULL, NULL),
              (gen_random_uuid(), 'u', 'failed', 'p', '{"model":"gemini-3-pro-image"}', '2026-11-24 10:00Z', now(), '2026-11-24 10:01Z', 1, 1, '[]', '[]', 'IMAGE_SAFETY', 'm')
            """);

        // Act
        var response = await app.InvokeAsync(app.Request("GET", "/api/maintenance/stats?days=7"),
            async r => await app.Function<MaintenanceFunctions>().Stats(r, CancellationToken.None));

        // Assert
        Assert.Equal(
            [new DayCost(new DateOnly(2026, 11, 23), 2, 0.09m, 0, 0, 0m), new DayCost(new DateOnly(2026, 11, 24), 4, 0.614m, 1, 0, 0m)],
            response.Read<StatsReport>().Window.EstimatedCostPerDay);
    }

    [Fact]
    public async Task Stats_RejectsANonsenseWindow()
    {
        await using var app = await FunctionApp.StartAsync();

        var response = await app.InvokeAsync(app.Request("GET", "/api/maintenance/stats?days=0"),
            async r => await app.Function<MaintenanceFunctions>().Stats(r, CancellationToken.None));

        Assert.Equal(StatusCodes.Status400BadRequest, response.Status);
        Assert.Equal("invalid_days", response.ProblemCode);
    }
}
