using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Tests.Infrastructure;
using Npgsql;

namespace NanoBanana.Functions.Tests.Security;

/// <summary>User A can do nothing to user B's generations, through the API or in the database itself.</summary>
public sealed class IsolationTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private readonly FunctionApp _app = fixture.App;

    [Fact]
    public async Task EveryEndpoint_AnswersAnotherUsersGeneration_ExactlyAsAMissingOne()
    {
        // Arrange: B's completed generation, and an id that exists for nobody.
        var bToken = TestTokens.For(TestTokens.NewUserId());
        var aToken = TestTokens.For(TestTokens.NewUserId());
        var theirs = await _app.Api.CreateGenerationAsync(bToken, "B's secret prompt");
        await _app.DeliverUntilSettledAsync(theirs.Id);
        var id = theirs.Id.ToString();
        var missing = Guid.NewGuid().ToString();

        // Act
        var attempts = new Dictionary<string, (TestResponse Theirs, TestResponse Missing)>
        {
            ["get"] = (await _app.Api.GetAsync(aToken, id), await _app.Api.GetAsync(aToken, missing)),
            ["image"] = (await _app.Api.ImageAsync(aToken, id), await _app.Api.ImageAsync(aToken, missing)),
            ["retry"] = (await _app.Api.RetryAsync(aToken, id), await _app.Api.RetryAsync(aToken, missing)),
            ["cancel"] = (await _app.Api.CancelAsync(aToken, id), await _app.Api.CancelAsync(aToken, missing)),
            ["delete"] = (await _app.Api.DeleteAsync(aToken, id), await _app.Api.DeleteAsync(aToken, missing)),
        };
        var list = await _app.Api.ListAsync(aToken);

        // Assert
        foreach (var (action, (their, none)) in attempts)
        {
            Assert.True(their.Status == StatusCodes.Status404NotFound, $"{action}: {their}");
            Assert.Equal(none.Status, their.Status);
            Assert.Equal(none.ProblemCode, their.ProblemCode);
            Assert.Equal(none.Json.GetProperty("detail").GetString(), their.Json.GetProperty("detail").GetString());
        }

        Assert.Empty(list.Read<NanoBanana.Functions.Api.GenerationPageResponse>().Items);
        Assert.Equal("completed", (await _app.Api.GetAsync(bToken, id)).Generation.Status);
    }

    [Fact]
    public async Task AsTheApiRole_ARawSelect_SeesOnlyTheUserSetForTheTransaction()
    {
        // Arrange
        var alice = TestTokens.NewUserId();
        var bob = TestTokens.NewUserId();
        await _app.Api.CreateGenerationAsync(TestTokens.For(alice), "alice's");
        await _app.Api.CreateGenerationAsync(TestTokens.For(bob), "bob's");
        await using var connection = await _app.DataSource.OpenConnectionAsync();

        // Act: no owner filter at all; only row-level security stands between alice and bob.
        var asAlice = await OwnersVisibleAsync(connection, alice);
        var asNobody = await OwnersVisibleAsync(connection, user: null);

        // Assert
        Assert.Equal([alice], asAlice);
        Assert.Empty(asNobody);
    }

    [Fact]
    public async Task AsTheApiRole_WritingARowForAnotherUser_IsRefused()
    {
        await using var connection = await _app.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var setUp = new NpgsqlCommand("SELECT set_config('role', 'nanobanana_api', true), set_config('app.user_id', 'mallory', true)", connection, transaction);
        await setUp.ExecuteNonQueryAsync();
        await using var insert = new NpgsqlCommand(
            "INSERT INTO generations (id, owner_id, prompt, created_at, updated_at) VALUES (gen_random_uuid(), 'victim', 'x', now(), now())",
            connection, transaction);

        var refused = await Assert.ThrowsAsync<PostgresException>(() => insert.ExecuteNonQueryAsync());

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState); // new row violates row-level security policy
    }

    private static async Task<List<string>> OwnersVisibleAsync(NpgsqlConnection connection, string? user)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var setUp = new NpgsqlCommand("SELECT set_config('role', 'nanobanana_api', true), set_config('app.user_id', @user, true)", connection, transaction))
        {
            setUp.Parameters.AddWithValue("user", user ?? "");
            await setUp.ExecuteNonQueryAsync();
        }

        await using var select = new NpgsqlCommand("SELECT DISTINCT owner_id FROM generations", connection, transaction);
        await using var reader = await select.ExecuteReaderAsync();
        var owners = new List<string>();
        while (await reader.ReadAsync())
        {
            owners.Add(reader.GetString(0));
        }

        return owners;
    }
}
