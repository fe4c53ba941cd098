using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Auth;
using NanoBanana.Functions.Tests.Infrastructure;

namespace NanoBanana.Functions.Tests.Benchmarks.Micro;

/// <summary>A bearer token checked on every call (signature, issuer, audience, lifetime) against the same token remembered.</summary>
[MemoryDiagnoser]
public class TokenBenchmarks
{
    private JwtCallerAuthenticator _validator = null!;
    private ValidatedTokenCache _cache = null!;
    private HttpRequest _request = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var options = Options.Create(new AuthOptions
        {
            Mode = AuthMode.Jwt, Issuer = TestTokens.Issuer, Audience = TestTokens.Audience, SigningKey = TestTokens.SigningKey,
        });
        _validator = new JwtCallerAuthenticator(options, NullLogger<JwtCallerAuthenticator>.Instance);
        _cache = new ValidatedTokenCache(_validator, options, TimeProvider.System);
        _request = new DefaultHttpContext { Request = { Headers = { Authorization = "Bearer " + TestTokens.For("bench-user", DateTime.UtcNow.AddHours(1)) } } }.Request;
        await _cache.AuthenticateAsync(_request, CancellationToken.None);
    }

    [Benchmark(Baseline = true)]
    public Task<Caller> Validated() => _validator.AuthenticateAsync(_request, CancellationToken.None);

    [Benchmark]
    public Task<Caller> Remembered() => _cache.AuthenticateAsync(_request, CancellationToken.None);
}
