using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace NanoBanana.Functions.Tests.Infrastructure;

/// <summary>A Kestrel app on 127.0.0.1 and a free port, for the fakes of the services the app calls over HTTP.</summary>
internal static class LoopbackServer
{
    /// <summary>
    /// Rooted in the build output, not the working directory: the builder watches its content root
    /// (for appsettings.json), and under the repository root that means every file Postgres and Azurite
    /// write in .local/, a cost under load that has nothing to do with the app.
    /// </summary>
    public static WebApplicationOptions Options => new() { ContentRootPath = AppContext.BaseDirectory };

    /// <param name="url">Where to listen; a free port on 127.0.0.1 by default.</param>
    public static async Task<(WebApplication App, string BaseUrl)> StartAsync(Action<WebApplication> map, string url = "http://127.0.0.1:0")
    {
        var builder = WebApplication.CreateSlimBuilder(Options);
        builder.WebHost.UseUrls(url);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 64 * 1024 * 1024);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        return (app, app.Urls.First());
    }
}
