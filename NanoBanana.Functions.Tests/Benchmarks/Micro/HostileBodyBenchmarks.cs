using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using NanoBanana.Functions.Api;
using NanoBanana.Functions.Http;
using NanoBanana.Functions.Tests.Unit;

namespace NanoBanana.Functions.Tests.Benchmarks.Micro;

/// <summary>
/// The worst create body the security review found (30 MB of unknown members) read and refused by
/// <see cref="JsonBody"/>: with the field cap (413 at 128 KiB of fields), and without it (400, five names).
/// Goal: allocated under 3x the body's size.
/// </summary>
[MemoryDiagnoser]
public class HostileBodyBenchmarks
{
    private const int BodyCap = 30 * 1024 * 1024;
    private byte[] _body = null!;

    [GlobalSetup]
    public void Setup() => _body = HostileBodyTests.UnknownMemberFlood(BodyCap - 1024);

    [Benchmark(Baseline = true)]
    public Task<int> UnknownMemberFlood_FieldCap() => Refuse(new ApiOptions().MaxFieldBytes);

    [Benchmark]
    public Task<int> UnknownMemberFlood_NoFieldCap() => Refuse(BodyCap);

    private async Task<int> Refuse(int maxFieldBytes)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(_body, writable: false);
        context.Request.ContentLength = _body.Length;
        context.Request.ContentType = "application/json";
        try
        {
            await JsonBody.ReadAsync<CreateGenerationRequest>(context.Request, BodyCap, CancellationToken.None, maxFieldBytes);
            throw new InvalidOperationException("The flood was accepted.");
        }
        catch (ApiProblemException problem)
        {
            return problem.Status;
        }
    }
}
