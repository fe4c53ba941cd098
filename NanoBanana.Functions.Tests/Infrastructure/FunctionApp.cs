using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Hosting;
using Npgsql;

namespace NanoBanana.Functions.Tests.Infrastructure;

/// <summary>
/// The function app as the host would build it (the same AddNanoBanana wiring), on real Postgres and
/// Azurite, with its own queue and container. HTTP functions are invoked directly with real
/// HttpContexts, through the production <see cref="ExceptionHandlingMiddleware"/>.
/// </summary>
internal sealed class FunctionApp : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly ExceptionHandlingMiddleware _middleware;

    private readonly bool _ownsStorage;

    private FunctionApp(ServiceProvider services, IConfiguration configuration, CapturedLogs logs, IReadOnlyDictionary<string, string?> settings, bool ownsStorage = true)
    {
        _ownsStorage = ownsStorage;
        _services = services;
        Configuration = configuration;
        Settings = settings;
        Logs = logs;
        _middleware = ActivatorUtilities.CreateInstance<ExceptionHandlingMiddleware>(services);
        Api = new ApiClient(this);
    }

    public IServiceProvider Services => _services;

    public IConfiguration Configuration { get; }

    /// <summary>The settings the app was built from, e.g. to start another instance (a worker process) like it.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; }

    public CapturedLogs Logs { get; }

    public ApiClient Api { get; }

    public string QueueName => Configuration["Storage:QueueName"]!;

    /// <summary>The generations queue read raw, without the SDK's decoding, as bytes on the wire.</summary>
    public QueueClient RawQueue => new(TestSettings.Storage, QueueName);

    /// <summary>The notification queue, decoded as the trigger decodes it.</summary>
    public QueueClient NotificationQueue =>
        new(TestSettings.Storage, NanoBanana.Functions.Storage.AppQueues.Notifications(QueueName), new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    public BlobContainerClient Images => new(TestSettings.Storage, Configuration["Storage:ImageContainer"]!);

    public NpgsqlDataSource DataSource => _services.GetRequiredService<NpgsqlDataSource>();

    /// <param name="configure">Changes to the settings below.</param>
    /// <param name="clock">The app's clock (a FakeTimeProvider lets a test move time).</param>
    /// <param name="database">A database of the test's own (<see cref="TestDatabase.CreateAsync"/>); the shared one by default.</param>
    /// <param name="logging">Where logs go instead of <see cref="Logs"/> (a long-running front must not keep every line).</param>
    public static async Task<FunctionApp> StartAsync(
        Action<Dictionary<string, string?>>? configure = null, TimeProvider? clock = null, TestDatabase? database = null,
        Action<ILoggingBuilder>? logging = null)
    {
        var connectionString = database?.ConnectionString ?? await TestDatabase.SharedConnectionStringAsync();
        await TestStorage.EnsureReachableAsync();

        var suffix = Guid.NewGuid().ToString("N")[..12];
        var settings = new Dictionary<string, string?>
        {
            ["Postgres:ConnectionString"] = connectionString,
            ["AzureWebJobsStorage"] = TestSettings.Storage,
            ["Storage:QueueName"] = $"generations-{suffix}",
            ["Storage:ImageContainer"] = $"images-{suffix}",
            ["Auth:Mode"] = "Jwt",
            ["Auth:Issuer"] = TestTokens.Issuer,
            ["Auth:Audience"] = TestTokens.Audience,
            ["Auth:SigningKey"] = TestTokens.SigningKey,
            ["Gemini:Backend"] = "Simulated",
            ["Gemini:SimulatedDelaySeconds"] = "0",
            // The retirement guard's background lookups would add requests to a fake Gemini; its own tests turn it on.
            ["Gemini:RetirementCheckHours"] = "0",
            ["Maintenance:CleanupSchedule"] = "0 0 2 * * *",
            ["Maintenance:RepairSchedule"] = "0 */5 * * * *",
            // Tests share a database, and a test's app may end with a claim held: another app's sweep
            // would hand it back to its own queue. The liveness tests and the reliability rig run it.
            ["Maintenance:LivenessSweepSeconds"] = "0",
            ["Secrets:EncryptionKeys:test-1"] = TestSecrets.EncryptionKey,
            ["Secrets:ActiveKeyId"] = "test-1",
            // Tests make many generations per user; the limits' own tests set them low.
            ["Limits:MaxActivePerUser"] = "1000",
            ["Limits:MaxCreationsPerHour"] = "100000",
            // Tests share a database full of other tests' pending rows: one read of the queue per app
            // keeps a pending generation's ETag (which names its position) still between two polls.
            ["QueueEstimate:CacheSeconds"] = "300",
        };
        configure?.Invoke(settings);
        return FromSettings(settings, clock, logging);
    }

    /// <summary>An app from complete settings, with no test set-up of its own (what a worker process runs).</summary>
    public static FunctionApp FromSettings(
        IReadOnlyDictionary<string, string?> settings, TimeProvider? clock = null, Action<ILoggingBuilder>? logging = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var logs = new CapturedLogs();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging(logging ?? (builder => builder.SetMinimumLevel(LogLevel.Debug).AddProvider(logs)))
            .AddNanoBanana(configuration);
        if (clock is not null)
        {
            services.AddSingleton(clock);
        }

        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        // As the host does: every lifecycle service's StartingAsync (the storage provisioner), then each
        // hosted service's StartAsync (the LISTEN session and other background services run for the app's lifetime).
        var hosted = provider.GetServices<IHostedService>().ToList();
        foreach (var lifecycle in hosted.OfType<IHostedLifecycleService>())
        {
            lifecycle.StartingAsync(CancellationToken.None).GetAwaiter().GetResult();
        }

        foreach (var background in hosted)
        {
            background.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        }

        return new FunctionApp(provider, configuration, logs, new Dictionary<string, string?>(settings));
    }

    /// <summary>
    /// Another instance of <paramref name="app"/> (its settings, its database, queue and container), e.g. one whose
    /// clock is later; disposing it leaves the queue and container to <paramref name="app"/>, which made them.
    /// </summary>
    public static FunctionApp AnotherInstance(FunctionApp app, TimeProvider? clock = null)
    {
        var instance = FromSettings(app.Settings, clock);
        return new FunctionApp(instance._services, instance.Configuration, instance.Logs, instance.Settings, ownsStorage: false);
    }

    /// <summary>
    /// An app whose worker calls <paramref name="gemini"/> over the Developer API, with retry waits
    /// and attempt limits shrunk so failure paths finish in milliseconds.
    /// </summary>
    public static Task<FunctionApp> StartWithGeminiAsync(
        FakeGemini gemini, Action<Dictionary<string, string?>>? configure = null, TestDatabase? database = null,
        TimeProvider? clock = null, Action<ILoggingBuilder>? logging = null) =>
        StartAsync(settings =>
        {
            UseGemini(settings, gemini);
            settings["Gemini:MaxRetries"] = "2";
            settings["Gemini:RetryBaseDelayMilliseconds"] = "1";
            settings["Gemini:AttemptTimeoutSeconds"] = "10";
            settings["Processing:MaxAttempts"] = "2";
            settings["Processing:RetryDelaySeconds"] = "0";
            configure?.Invoke(settings);
        }, clock, database, logging);

    /// <summary>The worker calls <paramref name="gemini"/> over the Developer API with the server's key.</summary>
    public static void UseGemini(Dictionary<string, string?> settings, FakeGemini gemini)
    {
        settings["Gemini:Backend"] = "Developer";
        settings["Gemini:DeveloperBaseUrl"] = gemini.BaseUrl;
        settings["Gemini:ApiKey"] = TestSecrets.ServerGeminiKey;
    }

    public T Function<T>() where T : class => ActivatorUtilities.CreateInstance<T>(_services);

    /// <summary>
    /// Delivers a generation's message to the worker once, as the host would; returns what the
    /// function threw (the host would then deliver it again), or null when it returned.
    /// </summary>
    public async Task<Exception?> DeliverAsync(Guid generationId)
    {
        try
        {
            await Function<NanoBanana.Functions.Processing.GenerationWorkerFunctions>().Process(generationId.ToString("D"), CancellationToken.None);
            return null;
        }
        catch (Exception exception)
        {
            return exception;
        }
    }

    /// <summary>
    /// Delivers the generation's message again and again, as the queue would (the host's redelivery
    /// after a throw, or the message the worker sent for the next attempt), until it ends.
    /// </summary>
    public async Task<int> DeliverUntilSettledAsync(Guid generationId, int maxDeliveries = 8)
    {
        for (var delivery = 1; delivery <= maxDeliveries; delivery++)
        {
            var exception = await DeliverAsync(generationId);
            Assert.True(exception is null or NanoBanana.Functions.Processing.GenerationRetryException, $"Delivery {delivery} threw: {exception}");
            if ((await RowAsync(generationId)).Status is "completed" or "failed" or "cancelled" or "expired")
            {
                return delivery;
            }
        }

        throw new Xunit.Sdk.XunitException($"Generation {generationId} had not ended after {maxDeliveries} deliveries.");
    }

    /// <summary>
    /// Tells owners of what ended, as the host would: dispatches the outbox, then runs the notification
    /// function on each visible message, until every event is done or was handled once by this call (one left
    /// unfinished, its pushes failing, waits for a re-dispatch; retries due later stay queued).
    /// </summary>
    public async Task<int> NotifyAsync()
    {
        var handled = 0;
        var seen = new HashSet<long>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        bool unseenLeft;
        do
        {
            await Services.GetRequiredService<NanoBanana.Functions.Notifications.NotificationDispatcher>().DispatchAsync(CancellationToken.None);
            await NotificationQueue.CreateIfNotExistsAsync();
            while ((await NotificationQueue.ReceiveMessageAsync()).Value is { } message)
            {
                await Function<NanoBanana.Functions.Notifications.NotificationFunctions>().Notify(message.MessageText, CancellationToken.None);
                await NotificationQueue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                seen.Add(System.Text.Json.JsonDocument.Parse(message.MessageText).RootElement.GetProperty("event").GetInt64());
                handled++;
            }

            await using var command = Command("SELECT id FROM generation_events WHERE done_at IS NULL", []);
            await using var reader = await command.ExecuteReaderAsync();
            unseenLeft = false;
            while (await reader.ReadAsync())
            {
                unseenLeft |= !seen.Contains(reader.GetInt64(0));
            }
        }
        while (unseenLeft && DateTime.UtcNow < deadline);

        return handled;
    }

    public async Task<long> ScalarAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    /// <summary>
    /// Entries of this app's queue still in the queue outbox (migration 020): messages written and not sent yet.
    /// As the worker's role, so it reads for any login the app runs as.
    /// </summary>
    public Task<long> OutboxCountAsync() =>
        DataSource.ExecuteAsMaintenanceAsync("SELECT count(*) FROM queue_outbox WHERE queue_name = @queue", [new("queue", QueueName)],
            async (reader, ct) => await reader.ReadAsync(ct) ? reader.GetInt64(0) : 0, CancellationToken.None);

    /// <summary>Waits until the outbox dispatcher has sent every message this app wrote (fails after <paramref name="timeout"/>, 15 s by default).</summary>
    public async Task OutboxEmptyAsync(TimeSpan? timeout = null)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (await OutboxCountAsync() is var left && left > 0)
        {
            if (watch.Elapsed > (timeout ?? TimeSpan.FromSeconds(15)))
            {
                throw new Xunit.Sdk.XunitException($"{left} queue messages still in the outbox after {watch.Elapsed.TotalSeconds:F0} s (a test that cuts the queue sets Api.AwaitsQueueMessages = false).");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>Reads the generation's row state directly (status, attempt, error code), as the worker's role (any login the app runs as may).</summary>
    public async Task<(string Status, int Attempt, string? ErrorCode)> RowAsync(Guid id)
    {
        var row = await DataSource.ExecuteAsMaintenanceAsync("SELECT status, attempt, error_code FROM generations WHERE id = @id", [new("id", id)],
            async (reader, ct) => await reader.ReadAsync(ct) ? (reader.GetString(0), reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2)) : default, CancellationToken.None);
        Assert.True(row.Item1 is not null, $"generation {id} has no row");
        return row;
    }

    /// <summary>The budget columns of the run: (run_attempt, run_gemini_calls, last_error_code).</summary>
    public async Task<(int RunAttempt, int Calls, string? LastErrorCode)> RunAsync(Guid id)
    {
        await using var command = DataSource.CreateCommand("SELECT run_attempt, run_gemini_calls, last_error_code FROM generations WHERE id = @id");
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"generation {id} has no row");
        return (reader.GetInt32(0), reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2));
    }

    public async Task<List<string>> BlobNamesAsync(string prefix = "")
    {
        var names = new List<string>();
        if (!await Images.ExistsAsync())
        {
            return names;
        }

        await foreach (var blob in Images.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = prefix }))
        {
            names.Add(blob.Name);
        }

        return names;
    }

    public HttpRequest Request(string method, string path, string? token = null, string? body = null,
        string? contentType = "application/json", IDictionary<string, string>? headers = null)
    {
        var context = new DefaultHttpContext { RequestServices = _services };
        var request = context.Request;
        request.Method = method;
        var query = path.IndexOf('?');
        request.Path = query < 0 ? path : path[..query];
        request.QueryString = query < 0 ? QueryString.Empty : new QueryString(path[query..]);
        if (token is not null)
        {
            request.Headers.Authorization = "Bearer " + token;
        }

        if (body is not null)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(body);
            request.Body = new MemoryStream(bytes);
            request.ContentLength = bytes.Length;
            request.ContentType = contentType;
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers[name] = value;
        }

        context.Response.Body = new MemoryStream();
        return request;
    }

    /// <summary>Runs an HTTP function (see <see cref="ExecuteAsync"/>) and reads back what it answered.</summary>
    public async Task<TestResponse> InvokeAsync(HttpRequest request, Func<HttpRequest, Task<IResult>> function)
    {
        var context = request.HttpContext;
        await ExecuteAsync(context, function);
        return new TestResponse(context.Response.StatusCode, context.Response.Headers, ((MemoryStream)context.Response.Body).ToArray());
    }

    /// <summary>
    /// The one path every HTTP invocation takes, the tests' and the HTTP front's. Runs an HTTP function
    /// the way the worker does: through the production middleware (attached as Program.cs attaches it),
    /// then the IResult left as the invocation result is executed on the HttpContext, as the ASP.NET
    /// Core integration does; then the response is checked against openapi.json (<see cref="OpenApiContract"/>).
    /// </summary>
    public async Task ExecuteAsync(HttpContext context, Func<HttpRequest, Task<IResult>> function)
    {
        var invocation = TestFunctionContext.ForHttp(context);
        FunctionExecutionDelegate run = async invoked => invoked.GetInvocationResult().Value = await function(context.Request);
        await (ExceptionHandlingMiddleware.AppliesTo(invocation) ? _middleware.Invoke(invocation, run) : run(invocation));

        var result = Assert.IsAssignableFrom<IResult>(invocation.GetInvocationResult().Value);
        await result.ExecuteAsync(context);

        // The contract: what was answered is what openapi.json describes.
        if (context.Response.Body is MemoryStream answered && OpenApiContract.Violations(context, answered.ToArray()) is { Count: > 0 } violations)
        {
            throw new Xunit.Sdk.XunitException("The response breaks openapi.json:\n" + string.Join('\n', violations));
        }
    }

    public Task<long> CountRowsAsync(string ownerId) =>
        ScalarAsync("SELECT count(*) FROM generations WHERE owner_id = @owner", ("owner", ownerId));

    /// <summary>Sets columns directly, for states only the worker can reach (completed, failed).</summary>
    public async Task ExecuteSqlAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        await command.ExecuteNonQueryAsync();
    }

    private NpgsqlCommand Command(string sql, (string Name, object Value)[] parameters)
    {
        var command = DataSource.CreateCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_ownsStorage)
            {
                return;
            }

            foreach (var queue in NanoBanana.Functions.Storage.AppQueues.All(QueueName))
            {
                await new QueueClient(TestSettings.Storage, queue).DeleteIfExistsAsync();
            }

            await Images.DeleteIfExistsAsync();
        }
        finally
        {
            foreach (var background in _services.GetServices<IHostedService>())
            {
                await background.StopAsync(CancellationToken.None);
            }

            await _services.DisposeAsync();
        }
    }
}
