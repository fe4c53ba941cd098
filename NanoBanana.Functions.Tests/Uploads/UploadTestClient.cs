using System.Text.Json;
using Azure.Storage.Blobs.Specialized;
using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Http;
using NanoBanana.Functions.Tests.Infrastructure;
using NanoBanana.Functions.Uploads;

namespace NanoBanana.Functions.Tests.Uploads;

/// <summary>What a phone does for an upload: POST /uploads, then the bytes to Blob Storage in blocks with the SAS alone.</summary>
internal static class UploadTestClient
{
    public static Task<TestResponse> OpenAsync(FunctionApp app, string token, object body) =>
        app.InvokeAsync(app.Request("POST", "/api/uploads", token, JsonSerializer.Serialize(body, ApiJson.Options)),
            async r => await app.Function<UploadFunctions>().Create(r, CancellationToken.None));

    /// <summary>Opens an upload of <paramref name="declaredBytes"/> (default: the content's size) and PUTs <paramref name="content"/> to it.</summary>
    public static async Task<UploadResponse> UploadAsync(FunctionApp app, string token, string mimeType, byte[] content, long? declaredBytes = null, int blockSize = 4096)
    {
        var opened = await OpenAsync(app, token, new { mimeType, bytes = declaredBytes ?? content.Length });
        Assert.True(opened.Status == StatusCodes.Status201Created, opened.ToString());
        var upload = opened.Read<UploadResponse>();
        await PutInBlocksAsync(upload.UploadUrl, content, blockSize);
        return upload;
    }

    /// <summary>Put Block per 4 KB (by default: small images still take several blocks), then Put Block List: what the TypeScript client does, with nothing but the URL.</summary>
    public static async Task PutInBlocksAsync(Uri uploadUrl, byte[] content, int blockSize = 4096)
    {
        var blob = new BlockBlobClient(uploadUrl);
        var ids = new List<string>();
        for (var at = 0; at < content.Length; at += blockSize)
        {
            var id = Convert.ToBase64String(BitConverter.GetBytes(ids.Count).Concat(new byte[4]).ToArray());
            await blob.StageBlockAsync(id, new MemoryStream(content, at, Math.Min(blockSize, content.Length - at)));
            ids.Add(id);
        }

        await blob.CommitBlockListAsync(ids);
    }

    public static object Image(Guid uploadId) => new { uploadId };
}
