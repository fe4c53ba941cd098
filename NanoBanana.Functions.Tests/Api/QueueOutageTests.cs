using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Api;

public sealed class QueueOutageTests
{
    // The local Azurite account, with the queue endpoint on a port nothing listens on.
    private static readonly string StorageWithDeadQueue = TestSettings.LocalAzuriteWithQueueAt("http://127.0.0.1:1/devstoreaccount1");

    [Fact]
    public async Task Create_WhenTheQueueSendFails_StillAccepts_AndMarksTheRowForTheRepairSweep()
    {
        // Arrange
        await using var app = await FunctionApp.StartAsync(settings =>
        {
            settings["AzureWebJobsStorage"] = StorageWithDeadQueue;
            settings["Storage:MaxRetries"] = "0";
        });
        var token = TestTokens.For(TestTokens.NewUserId());

        // Act
        var response = await app.Api.CreateAsync(token, new { prompt = "queued later" });

        // Assert: the truth is "pending", and the row says its message never left.
        Assert.Equal(StatusCodes.Status202Accepted, response.Status);
        Assert.Equal("pending", response.Generation.Status);
        await using var command = app.DataSource.CreateCommand("SELECT enqueued_at IS NULL FROM generations WHERE id = @id");
        command.Parameters.AddWithValue("id", response.Generation.Id);
        Assert.True((bool)(await command.ExecuteScalarAsync())!);
        Assert.Contains(app.Logs.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains(response.Generation.Id.ToString()) && l.Message.Contains("repair"));
    }
}
