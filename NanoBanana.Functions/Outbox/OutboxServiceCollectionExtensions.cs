using Microsoft.Extensions.DependencyInjection;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Settings;

namespace NanoBanana.Functions.Outbox;

internal static class OutboxServiceCollectionExtensions
{
    /// <summary>The generations queue's outbox: the dispatcher that sends what creates and retries wrote, and its loop.</summary>
    public static IServiceCollection AddQueueOutbox(this IServiceCollection services)
    {
        services.AddValidatedOptions<OutboxOptions>(OutboxOptions.Section);
        services.AddSingleton<QueueOutboxStore>();
        services.AddSingleton<QueueOutboxDispatcher>();
        services.AddHostedService<QueueOutboxLoop>();
        return services;
    }
}
