using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace NanoBanana.Functions.Tests.Infrastructure;

/// <summary>
/// The Gemini Developer API's Files API and Batch API as <see cref="FakeGemini"/> serves them, in Google's
/// documented REST shapes (ai.google.dev/gemini-api/docs/batch-api): a resumable upload (start with
/// X-Goog-Upload-Protocol: resumable, answered with X-Goog-Upload-URL; then "upload, finalize", answered with
/// {"file": {"name": "files/..."}}); models/{model}:batchGenerateContent over {"batch": {"displayName",
/// "inputConfig": {"fileName"}}}, answered with the operation batches/{id} whose metadata.state is
/// BATCH_STATE_*; get, list (pageSize, pageToken, operations, nextPageToken), :cancel; and the results file at
/// /download/v1beta/files/{id}:download?alt=media, one {"key", "response" | "error"} per line. Jobs stay
/// PENDING until a test moves them (<see cref="SetState"/>, <see cref="Succeed"/>).
/// </summary>
internal sealed class FakeGeminiBatch
{
    private int _next;

    public ConcurrentDictionary<string, FakeBatchJob> Jobs { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);

    /// <summary>Every Files and Batch API request, in arrival order.</summary>
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public int Creates => Requests.Count(r => r.PathAndQuery.Contains(":batchGenerateContent", StringComparison.Ordinal));

    /// <summary>The list's page size at most (Google pages it too), whatever pageSize asks.</summary>
    public int ListPageSize { get; set; } = 100;

    /// <summary>Creates whose answer is lost (the job is created, the connection dropped before the answer): a crash between submit and record.</summary>
    public int CreateAnswersToDrop;

    /// <summary>The next download of a results file stops after this many bytes (the connection dropped), then this is cleared.</summary>
    public int? CutNextDownloadAfter { get; set; }

    /// <summary>Requests held at a step of the batch path until the test lets go (it kills the caller meanwhile).</summary>
    public HeldRequests<BatchStep> Holds { get; } = new();

    /// <summary>Answers for the next batchGenerateContent calls, in place of creating a job (e.g. a 400).</summary>
    public ConcurrentQueue<Func<HttpContext, Task>> CreateRefusals { get; } = new();

    public FakeBatchJob Single() => Assert.Single(Jobs.Values);

    public void SetState(FakeBatchJob job, string state) => job.State = state;

    /// <summary>The job succeeds with a results file: a line per request from <paramref name="line"/> (the default an image; null leaves the key out).</summary>
    public void Succeed(FakeBatchJob job, Func<string, string?>? line = null)
    {
        line ??= key => ImageLine(key);
        var file = new StringBuilder();
        foreach (var key in job.Keys)
        {
            if (line(key) is { } written)
            {
                file.Append(written).Append('\n');
            }
        }

        var name = $"files/batch-results-{job.Id}";
        Files[name] = Encoding.UTF8.GetBytes(file.ToString());
        job.ResponsesFile = name;
        job.State = "BATCH_STATE_SUCCEEDED";
    }

    public static string ImageLine(string key, byte[]? image = null) => JsonSerializer.Serialize(new
    {
        key,
        response = new
        {
            candidates = new[]
            {
                new
                {
                    content = new { role = "model", parts = new object[] { new { inlineData = new { mimeType = "image/png", data = Convert.ToBase64String(image ?? TestImages.Png) } } } },
                    finishReason = "STOP",
                    index = 0,
                },
            },
            usageMetadata = new { promptTokenCount = 17, candidatesTokenCount = 1120, totalTokenCount = 1137 },
            modelVersion = "gemini-3.1-flash-image",
        },
    });

    public static string FinishReasonLine(string key, string reason) => JsonSerializer.Serialize(new
    {
        key,
        response = new { candidates = new[] { new { content = new { role = "model", parts = new object[] { new { text = "no" } } }, finishReason = reason, index = 0 } } },
    });

    public static string ErrorLine(string key, int code, string status, string message) =>
        JsonSerializer.Serialize(new { key, error = new { code, message, status } });

    /// <summary>Handles a Files or Batch API request; false when it is none (generateContent and the rest are the fake's).</summary>
    public async Task<bool> TryHandleAsync(HttpContext context, RecordedRequest recorded)
    {
        var path = context.Request.Path.Value ?? "";
        var isBatch = path.StartsWith("/upload/v1beta/files", StringComparison.Ordinal)
                      || path.StartsWith("/download/v1beta/files/", StringComparison.Ordinal)
                      || path.StartsWith("/v1beta/batches", StringComparison.Ordinal)
                      || path.EndsWith(":batchGenerateContent", StringComparison.Ordinal);
        if (!isBatch)
        {
            return false;
        }

        Requests.Enqueue(recorded);
        if (!recorded.Headers.TryGetValue("x-goog-api-key", out var key) || key.Length == 0)
        {
            await GeminiReplies.Error(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers.")(context);
            return true;
        }

        if (path == "/upload/v1beta/files")
        {
            await UploadAsync(context, recorded);
        }
        else if (path.StartsWith("/download/v1beta/", StringComparison.Ordinal))
        {
            await DownloadAsync(context, path["/download/v1beta/".Length..].Replace(":download", "", StringComparison.Ordinal));
        }
        else if (path.EndsWith(":batchGenerateContent", StringComparison.Ordinal))
        {
            await CreateAsync(context, recorded, path);
        }
        else if (path == "/v1beta/batches")
        {
            await ListAsync(context);
        }
        else if (path.EndsWith(":cancel", StringComparison.Ordinal))
        {
            var name = path["/v1beta/".Length..^":cancel".Length];
            if (Jobs.TryGetValue(name, out var job))
            {
                job.CancelRequested = true;
                if (job.State is "BATCH_STATE_PENDING" or "BATCH_STATE_RUNNING")
                {
                    job.State = "BATCH_STATE_CANCELLED";
                }
            }

            await GeminiReplies.Json(200, new { })(context);
        }
        else
        {
            var name = path["/v1beta/".Length..];
            await (Jobs.TryGetValue(name, out var job)
                ? GeminiReplies.Json(200, Operation(job))
                : GeminiReplies.Error(404, "NOT_FOUND", $"Batch {name} not found."))(context);
        }

        return true;
    }

    private readonly ConcurrentDictionary<string, string> _sessions = new(StringComparer.Ordinal);

    private async Task UploadAsync(HttpContext context, RecordedRequest recorded)
    {
        var command = recorded.Headers.GetValueOrDefault("X-Goog-Upload-Command", "");
        if (command == "start")
        {
            if (await Holds.HoldIfArmedAsync(BatchStep.UploadStart, context))
            {
                return;
            }

            Assert.Equal("resumable", recorded.Headers["X-Goog-Upload-Protocol"]);
            var displayName = recorded.Json.GetProperty("file").GetProperty("displayName").GetString()!;
            var session = $"upload-{Interlocked.Increment(ref _next)}";
            _sessions[session] = displayName;
            context.Response.Headers["X-Goog-Upload-URL"] = $"{context.Request.Scheme}://{context.Request.Host}/upload/v1beta/files?upload_id={session}&upload_protocol=resumable";
            context.Response.Headers["X-Goog-Upload-Status"] = "active";
            await GeminiReplies.Json(200, new { })(context);
            return;
        }

        Assert.Equal("upload, finalize", command);
        Assert.Equal("0", recorded.Headers["X-Goog-Upload-Offset"]);
        if (await Holds.HoldIfArmedAsync(BatchStep.UploadBytes, context))
        {
            return; // the bytes arrived, the file was never stored
        }

        var id = context.Request.Query["upload_id"].ToString();
        var name = $"files/{id}";
        Files[name] = recorded.Body;
        await GeminiReplies.Json(200, new { file = new { name, displayName = _sessions[id], mimeType = "application/jsonl", sizeBytes = recorded.Body.Length.ToString(), state = "ACTIVE" } })(context);
    }

    private async Task CreateAsync(HttpContext context, RecordedRequest recorded, string path)
    {
        if (await Holds.HoldIfArmedAsync(BatchStep.CreateBeforeJob, context))
        {
            return;
        }

        if (CreateRefusals.TryDequeue(out var refusal))
        {
            await refusal(context);
            return;
        }

        var batch = recorded.Json.GetProperty("batch");
        var fileName = batch.GetProperty("inputConfig").GetProperty("fileName").GetString()!;
        if (!Files.TryGetValue(fileName, out var input))
        {
            await GeminiReplies.Error(400, "INVALID_ARGUMENT", $"File {fileName} not found.")(context);
            return;
        }

        var model = path["/v1beta/models/".Length..^":batchGenerateContent".Length];
        if (batch.TryGetProperty("model", out var named) && named.GetString() != $"models/{model}")
        {
            await GeminiReplies.Error(400, "INVALID_ARGUMENT", "batch.model does not match the path.")(context);
            return;
        }

        var requests = Encoding.UTF8.GetString(input).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        var id = $"fake{Interlocked.Increment(ref _next)}";
        var job = new FakeBatchJob($"batches/{id}", id, batch.GetProperty("displayName").GetString()!, model, fileName, requests);
        Jobs[job.Name] = job;
        if (await Holds.HoldIfArmedAsync(BatchStep.CreateAfterJob, context))
        {
            return; // created, and the answer never sent
        }

        if (Interlocked.Decrement(ref CreateAnswersToDrop) >= 0)
        {
            context.Abort(); // created, and the answer lost
            return;
        }

        Interlocked.Exchange(ref CreateAnswersToDrop, 0);
        await GeminiReplies.Json(200, Operation(job))(context);
    }

    private async Task ListAsync(HttpContext context)
    {
        var size = Math.Min(ListPageSize, int.TryParse(context.Request.Query["pageSize"], out var asked) ? asked : 100);
        var start = int.TryParse(context.Request.Query["pageToken"], out var token) ? token : 0;
        // Newest first, as Google lists them.
        var all = Jobs.Values.OrderByDescending(j => j.Created).ToList();
        var page = all.Skip(start).Take(size).Select(Operation).ToList();
        var next = start + size < all.Count ? (start + size).ToString() : null;
        await GeminiReplies.Json(200, next is null ? new { operations = page } : (object)new { operations = page, nextPageToken = next })(context);
    }

    private async Task DownloadAsync(HttpContext context, string name)
    {
        if (context.Request.Query["alt"] != "media" || !Files.TryGetValue(name, out var content))
        {
            await GeminiReplies.Error(404, "NOT_FOUND", $"File {name} not found.")(context);
            return;
        }

        context.Response.ContentType = "application/jsonl";
        context.Response.ContentLength = content.Length;
        if (Array.IndexOf(content, (byte)'\n') is var firstLine and >= 0 && Holds.Take(BatchStep.ResultsDownload) is { } held)
        {
            // The first line goes out whole, then the download stalls mid-file until the test lets go.
            await context.Response.Body.WriteAsync(content.AsMemory(0, firstLine + 1));
            await context.Response.Body.FlushAsync();
            await held.HoldAsync(context);
            return;
        }

        if (CutNextDownloadAfter is { } cut)
        {
            CutNextDownloadAfter = null;
            await context.Response.Body.WriteAsync(content.AsMemory(0, Math.Min(cut, content.Length)));
            await context.Response.Body.FlushAsync();
            // Long enough for the client to have read what was sent (a reset can discard bytes not yet read).
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            context.Abort(); // the connection drops mid-file
            return;
        }

        await context.Response.Body.WriteAsync(content);
    }

    private static object Operation(FakeBatchJob job)
    {
        var metadata = new Dictionary<string, object?>
        {
            ["@type"] = "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch",
            ["name"] = job.Name,
            ["displayName"] = job.DisplayName,
            ["model"] = $"models/{job.Model}",
            ["state"] = job.State,
            ["createTime"] = job.Created.ToString("O"),
        };
        if (job.ResponsesFile is { } file)
        {
            metadata["output"] = new { responsesFile = file };
        }

        var operation = new Dictionary<string, object?> { ["name"] = job.Name, ["metadata"] = metadata, ["done"] = job.State is not ("BATCH_STATE_PENDING" or "BATCH_STATE_RUNNING") };
        if (job.ResponsesFile is { } responses)
        {
            operation["response"] = new Dictionary<string, object?> { ["@type"] = "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput", ["responsesFile"] = responses };
        }

        return operation;
    }
}

/// <summary>Where on the batch path <see cref="FakeGeminiBatch.Holds"/> can hold a request.</summary>
internal enum BatchStep
{
    /// <summary>The upload session's start: the intent is recorded, nothing is at Google.</summary>
    UploadStart,

    /// <summary>The file's bytes, received and not stored: the upload broke off.</summary>
    UploadBytes,

    /// <summary>batchGenerateContent before the job exists: the file is uploaded (and recorded), no job.</summary>
    CreateBeforeJob,

    /// <summary>batchGenerateContent after the job exists, its answer never sent.</summary>
    CreateAfterJob,

    /// <summary>A results download after its first line: the reader has one result and waits for the rest.</summary>
    ResultsDownload,
}

/// <summary>A batch job the fake holds: what it was given (the input file's lines) and where it stands.</summary>
internal sealed class FakeBatchJob(string name, string id, string displayName, string model, string inputFile, IReadOnlyList<JsonElement> requests)
{
    public string Name { get; } = name;
    public string Id { get; } = id;
    public string DisplayName { get; } = displayName;
    public string Model { get; } = model;
    public string InputFile { get; } = inputFile;
    public IReadOnlyList<JsonElement> Lines { get; } = requests;
    public IReadOnlyList<string> Keys => Lines.Select(l => l.GetProperty("key").GetString()!).ToList();
    public DateTimeOffset Created { get; } = DateTimeOffset.UtcNow;
    public string State { get; set; } = "BATCH_STATE_PENDING";
    public string? ResponsesFile { get; set; }
    public bool CancelRequested { get; set; }
}
