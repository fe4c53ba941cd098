using NanoBanana.Functions.Tests.Benchmarks.Micro;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Benchmarks;

/// <summary>
/// scripts/bench.sh at its tiny size, so the benchmark cannot rot: every step runs against the real
/// front process, Postgres, Azurite and wrk, and answers without errors. Nothing here asserts a speed.
/// </summary>
public sealed class BenchTests
{
    [Fact]
    public async Task Bench_AtTinySize_MeasuresEveryRow_AndRewritesOnlyItsSection()
    {
        // Arrange
        var doc = Path.GetTempFileName();
        await File.WriteAllTextAsync(doc, $"# Performance\n\nWritten findings.\n\n{PerformanceDoc.Begin}\nold figures\n{PerformanceDoc.End}\n\nMore findings.\n");

        // Act
        var report = await BenchCommand.RunAsync(BenchOptions.Tiny with { Maintenance = true, PacedRate = 20 }, TextWriter.Null);
        PerformanceDoc.WriteFigures(doc, report.Markdown());

        // Assert
        Assert.All(report.HttpRows, row =>
        {
            Assert.True(row.Result.Requests > 0, $"{row.Row}: no request measured");
            Assert.True(row.Result.Errors == 0, $"{row.Row}: {row.Result.Errors} errors (non-2xx/3xx or socket)");
            Assert.NotNull(row.Result.AllocatedBytesPerRequest);
        });
        Assert.Equal(BenchOptions.Tiny.Streams, report.StreamsOpenAtTheEnd);
        Assert.Equal(BenchOptions.Tiny.PipelineCount, report.Pipeline.Rows.Completed);
        Assert.Equal(BenchOptions.Tiny.QueueFloorCount, report.QueueFloor.Requests);
        Assert.True(report.EnqueueFloor.Requests > 0 && report.PostgresFloor.Requests > 0);
        Assert.True(report.Memory.AllocatedBytes >= report.Memory.ImageBytes, "the image itself must have been decoded");
        Assert.Equal(BenchOptions.Tiny.MaintenanceRows, report.Cleanup!.Value.GetProperty("report").GetProperty("deletedGenerations").GetInt32());
        Assert.Equal(20, report.PacedRate);
        Assert.All(new[] { report.QuietPacedPoll!, report.CleanupPacedPoll! }, paced =>
        {
            Assert.Equal(0, paced.Errors);
            Assert.Equal((long)(20 * BenchOptions.Tiny.Duration.TotalSeconds), paced.Requests); // every request that fell due was sent, and answered
        });

        var written = await File.ReadAllTextAsync(doc);
        Assert.StartsWith("# Performance\n\nWritten findings.", written);
        Assert.EndsWith("More findings.\n", written);
        Assert.DoesNotContain("old figures", written);
        Assert.Contains(BenchReport.PollRow, written);
        File.Delete(doc);
    }

    [Theory]
    [InlineData("--paced-rate", "12.5", 12.5)]
    [InlineData("--size", "tiny", null)]
    public void Options_TakeAFixedPollRate_ForTheMaintenanceRows(string flag, string value, double? rate)
    {
        var options = BenchOptions.Parse([flag, value]);

        Assert.Equal(rate, options.PacedRate);
        Assert.Equal(rate is not null, options.Maintenance);
        Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["--paced-rate", "0"]));
    }

    [Fact]
    public async Task Micro_AtTinySize_RunsEveryBenchmark()
    {
        // Act: a process of its own, as scripts/bench.sh micro runs it.
        await TestDatabase.ShareTemplateWithChildProcessesAsync();
        var run = await ProcessRunner.RunAsync("dotnet", [typeof(MicroCommand).Assembly.Location, "micro", "--tiny"], timeout: TimeSpan.FromMinutes(10));

        // Assert
        Assert.True(run.ExitCode == 0, run.ToString());
        foreach (var benchmark in MicroCommand.Benchmarks.SelectMany(t => t.GetMethods()).Where(m => m.IsDefined(typeof(BenchmarkDotNet.Attributes.BenchmarkAttribute), false)))
        {
            Assert.Contains($"{benchmark.DeclaringType!.Name}.{benchmark.Name}", run.Output);
        }
    }
}
