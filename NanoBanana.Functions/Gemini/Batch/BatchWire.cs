using NanoBanana.Functions.Gemini.Wire;

namespace NanoBanana.Functions.Gemini.Batch;

// The Batch API's and Files API's bodies, as Google documents them (ai.google.dev/gemini-api/docs/batch-api,
// REST): a job is a long-running operation named batches/{id} whose metadata carries its state
// (BATCH_STATE_PENDING, _RUNNING, _SUCCEEDED, _FAILED, _CANCELLED, _EXPIRED) and, once it succeeded, the
// results file (response.responsesFile, also metadata.output.responsesFile). Only what we send and read.

/// <summary>POST models/{model}:batchGenerateContent: a job over an uploaded JSONL file.</summary>
internal sealed record CreateBatchRequest(BatchSpec Batch);

/// <summary>A GenerateContentBatch as created: its model (models/{id}, also in the path), display name and input file.</summary>
internal sealed record BatchSpec(string Model, string DisplayName, BatchInputConfig InputConfig);

internal sealed record BatchInputConfig(string FileName);

internal sealed record BatchOperation(string? Name, BatchMetadata? Metadata, bool? Done, BatchOutput? Response, ErrorStatus? Error);

internal sealed record BatchMetadata(string? Name, string? DisplayName, string? Model, string? State, BatchOutput? Output);

internal sealed record BatchOutput(string? ResponsesFile);

internal sealed record ListBatchesResponse(IReadOnlyList<BatchOperation>? Operations, string? NextPageToken);

/// <summary>The start of a resumable upload: the file's metadata.</summary>
internal sealed record UploadStart(UploadedFile File);

internal sealed record UploadedFileEnvelope(UploadedFile? File);

internal sealed record UploadedFile(string? Name = null, string? DisplayName = null, string? MimeType = null);

/// <summary>One line of the input JSONL file: the key that names the request in the results, and the request.</summary>
internal sealed record BatchRequestLine(string Key, GenerateContentRequest Request);

/// <summary>One line of the results file: the request's key and either its response or its error.</summary>
internal sealed record BatchResultLine(string? Key, GenerateContentResponse? Response, ErrorStatus? Error);
