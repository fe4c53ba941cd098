using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace NanoBanana.Functions.Api;

/// <summary>
/// One body limit: the worker's Kestrel (ASP.NET Core integration) takes Api__MaxBodyBytes as its
/// MaxRequestBodySize. Left at Kestrel's default of 30,000,000 bytes, a body between that and the
/// app's cap failed inside Kestrel instead of reaching the app's 413.
/// </summary>
internal sealed class WorkerBodyLimit(IOptions<ApiOptions> api) : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions options) => options.Limits.MaxRequestBodySize = api.Value.MaxBodyBytes;
}
