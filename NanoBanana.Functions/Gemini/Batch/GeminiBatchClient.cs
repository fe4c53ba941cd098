using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Gemini.Wire;

namespace NanoBanana.Functions.Gemini.Batch;

/// <summary>
/// The Gemini Developer API's Files API (a resumable upload of the JSONL input, the download of the results)
/// and Batch API (create, get, list, cancel), over REST with the server's key. Every refusal is a
/// <see cref="GeminiBatchException"/> carrying Google's status and error; the caller decides what it means
/// for its job. Not behind the generateContent resilience pipeline: a timer retries at its next run.
/// </summary>
public sealed class GeminiBatchClient(HttpClient http, IOptions<GeminiOptions> options)
{
    public const string JsonlMimeType = "application/jsonl";

    private string Base => options.Value.DeveloperBaseUrl.TrimEnd('/');

    /// <summary>Uploads <paramref name="content"/> (the JSONL input) in one resumable session; returns its name (files/...).</summary>
    public async Task<string> UploadJsonlAsync(string displayName, byte[] content, CancellationToken ct)
    {
        using var start = Request(HttpMethod.Post, $"{Base}/upload/v1beta/files");
        start.Headers.Add("X-Goog-Upload-Protocol", "resumable");
        start.Headers.Add("X-Goog-Upload-Command", "start");
        start.Headers.Add("X-Goog-Upload-Header-Content-Length", content.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.Headers.Add("X-Goog-Upload-Header-Content-Type", JsonlMimeType);
        start.Content = JsonContent.Create(new UploadStart(new UploadedFile(DisplayName: displayName)), options: GeminiJson.Options);
        using var started = await SendAsync(start, ct);
        var uploadUrl = started.Headers.TryGetValues("X-Goog-Upload-URL", out var urls) ? urls.FirstOrDefault() : null;
        if (string.IsNullOrEmpty(uploadUrl))
        {
            throw new GeminiBatchException(started.StatusCode, null, "the upload start answered without X-Goog-Upload-URL");
        }

        using var upload = Request(HttpMethod.Post, uploadUrl);
        upload.Headers.Add("X-Goog-Upload-Offset", "0");
        upload.Headers.Add("X-Goog-Upload-Command", "upload, finalize");
        upload.Content = new ByteArrayContent(content);
        upload.Content.Headers.ContentType = new MediaTypeHeaderValue(JsonlMimeType);
        using var uploaded = await SendAsync(upload, ct);
        var file = await uploaded.Content.ReadFromJsonAsync<UploadedFileEnvelope>(GeminiJson.Options, ct);
        return file?.File?.Name ?? throw new GeminiBatchException(uploaded.StatusCode, null, "the upload answered without a file name");
    }

    public async Task<BatchJob> CreateJobAsync(string model, string displayName, string fileName, CancellationToken ct)
    {
        using var create = Request(HttpMethod.Post, $"{Base}/v1beta/models/{Uri.EscapeDataString(model)}:batchGenerateContent");
        create.Content = JsonContent.Create(new CreateBatchRequest(new BatchSpec($"models/{model}", displayName, new BatchInputConfig(fileName))), options: GeminiJson.Options);
        using var created = await SendAsync(create, ct);
        return ToJob(await created.Content.ReadFromJsonAsync<BatchOperation>(GeminiJson.Options, ct), created.StatusCode);
    }

    /// <summary>The job's state now; null when Google no longer knows it (404).</summary>
    public async Task<BatchJob?> GetJobAsync(string name, CancellationToken ct)
    {
        using var get = Request(HttpMethod.Get, $"{Base}/v1beta/{name}");
        try
        {
            using var got = await SendAsync(get, ct);
            return ToJob(await got.Content.ReadFromJsonAsync<BatchOperation>(GeminiJson.Options, ct), got.StatusCode);
        }
        catch (GeminiBatchException exception) when (exception.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>A job by its display name, looking through at most <paramref name="maxPages"/> pages of the list (newest first at Google).</summary>
    public async Task<BatchJob?> FindJobAsync(string displayName, int maxPages, CancellationToken ct)
    {
        string? pageToken = null;
        for (var page = 0; page < maxPages; page++)
        {
            var url = $"{Base}/v1beta/batches?pageSize=100" + (pageToken is null ? "" : $"&pageToken={Uri.EscapeDataString(pageToken)}");
            using var list = Request(HttpMethod.Get, url);
            using var listed = await SendAsync(list, ct);
            var body = await listed.Content.ReadFromJsonAsync<ListBatchesResponse>(GeminiJson.Options, ct);
            foreach (var operation in body?.Operations ?? [])
            {
                if ((operation.Metadata?.DisplayName) == displayName)
                {
                    return ToJob(operation, listed.StatusCode);
                }
            }

            if (string.IsNullOrEmpty(pageToken = body?.NextPageToken))
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>Asks Google to stop the job: best effort (work already done may be billed).</summary>
    public async Task CancelJobAsync(string name, CancellationToken ct)
    {
        using var cancel = Request(HttpMethod.Post, $"{Base}/v1beta/{name}:cancel"); // batches.cancel: the body must be empty
        using var _ = await SendAsync(cancel, ct);
    }

    /// <summary>The results file as a stream, read as it arrives (a file of many images is never held whole). Dispose to close the download.</summary>
    public async Task<Stream> OpenResultsAsync(string fileName, CancellationToken ct)
    {
        using var download = Request(HttpMethod.Get, $"{Base}/download/v1beta/{fileName}:download?alt=media");
        var response = await SendAsync(download, ct, HttpCompletionOption.ResponseHeadersRead);
        try
        {
            return new OwningStream(await response.Content.ReadAsStreamAsync(ct), response);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private HttpRequestMessage Request(HttpMethod method, string url)
    {
        var message = new HttpRequestMessage(method, url);
        message.Headers.Add("x-goog-api-key", options.Value.ApiKey);
        return message;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage message, CancellationToken ct, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        var response = await http.SendAsync(message, completion, ct);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var error = await GeminiErrorBody.ReadAsync(response, ct);
            throw new GeminiBatchException(response.StatusCode, error, error?.Error?.Message ?? "no error body");
        }
    }

    private static BatchJob ToJob(BatchOperation? operation, HttpStatusCode status)
    {
        var name = operation?.Name ?? operation?.Metadata?.Name ?? throw new GeminiBatchException(status, null, "the answer names no batch");
        return new BatchJob(
            name,
            operation.Metadata?.DisplayName,
            BatchJobStates.Parse(operation.Metadata?.State),
            operation.Response?.ResponsesFile ?? operation.Metadata?.Output?.ResponsesFile);
    }

    /// <summary>The body's stream, and the response it belongs to (disposed with it).</summary>
    private sealed class OwningStream(Stream inner, HttpResponseMessage response) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                response.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

/// <summary>Google refused a Files or Batch API call: its HTTP status and error, if it sent one.</summary>
public sealed class GeminiBatchException : Exception
{
    internal GeminiBatchException(HttpStatusCode status, ErrorResponse? error, string message)
        : base($"Gemini batch call answered {(int)status}: {message}")
    {
        Status = status;
        Error = error;
    }

    public HttpStatusCode Status { get; }

    internal ErrorResponse? Error { get; }

    /// <summary>A refusal that another try will not change (400, 403, 404...): not 408, 429 or 5xx.</summary>
    public bool Final => (int)Status is >= 400 and < 500 && Status is not (HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests);
}
