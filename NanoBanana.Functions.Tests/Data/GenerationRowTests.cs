using NanoBanana.Functions.Data;
using NanoBanana.Functions.Tests.Infrastructure;
using Npgsql;

namespace NanoBanana.Functions.Tests.Data;

public sealed class GenerationRowTests
{
    [Fact]
    public async Task Read_FindsEachColumnByName_WhateverOrderTheSelectListsThemIn()
    {
        // Arrange: a generation with a value in every column the reader maps.
        await using var app = await FunctionApp.StartAsync();
        var token = TestTokens.For(TestTokens.NewUserId());
        var created = await app.Api.CreateAsync(token, new { prompt = "by name", images = new[] { TestImages.Part("image/png", TestImages.Png) } },
            new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() });
        var id = created.Generation.Id;
        await app.ExecuteSqlAsync("""
            UPDATE generations SET status = 'failed', completed_at = now(), started_at = now(), error_code = 'SAFETY', error_message = 'no',
                                   error_retryable = false, result_text = 'words', attempt = 2, run_attempt = 2
            WHERE id = @id
            """, ("id", id));
        var columns = GenerationRow.Columns.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

        // Act: the same row, selected with the columns in the list's order and reversed.
        var inOrder = await ReadAsync(app.DataSource, string.Join(", ", columns), id);
        var reversed = await ReadAsync(app.DataSource, string.Join(", ", columns.Reverse()), id);

        // Assert
        Assert.Equivalent(inOrder, reversed, strict: true);
        Assert.Equal(("failed", 2, 2, "SAFETY", "words"), (inOrder.Status.ToString().ToLowerInvariant(), inOrder.Attempt, inOrder.RunAttempt, inOrder.Error!.Code, inOrder.Text));
    }

    private static async Task<NanoBanana.Functions.Generations.Generation> ReadAsync(NpgsqlDataSource dataSource, string columns, Guid id)
    {
        await using var command = dataSource.CreateCommand($"SELECT {columns} FROM generations WHERE id = @id");
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync();
        return (await GenerationRow.ReadSingleAsync(reader, CancellationToken.None))!;
    }
}
