using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NanoBanana.Functions.Auth;
using NanoBanana.Functions.Data;
using NanoBanana.Functions.Settings;
using NanoBanana.Functions.Outbound;
using NanoBanana.Functions.Push;
using NanoBanana.Functions.Storage;
using NanoBanana.Functions.Webhooks;

namespace NanoBanana.Functions.Notifications;

internal static class NotificationServiceCollectionExtensions
{
    /// <summary>Results that arrive without asking: the outbox dispatcher, Web Push, signed webhooks, and the guard on where they may go.</summary>
    public static IServiceCollection AddNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<OutboundOptions>(OutboundOptions.Section)
            .Validate(outbound => !outbound.AllowLoopback || !AzureEnvironment.IsAzure(configuration),
                "Outbound__AllowLoopback is for local development and tests; it is refused in Azure.");
        services.AddValidatedOptions<PushOptions>(PushOptions.Section);
        services.AddValidatedOptions<NotificationOptions>(NotificationOptions.Section);
        services.AddValidatedOptions<WebhookOptions>(WebhookOptions.Section);
        services.AddSingleton<OutboundTargets>();
        services.AddSingleton<SubscriberStore>();
        services.AddSingleton<NotificationStore>();
        services.AddSingleton<WebhookSecrets>();
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<WebhookPayloads>();
        services.AddSingleton<WebhookRedeliveryStore>();
        services.AddTransient<WebhookRedelivery>();
        services.AddSingleton<WebPushSender>();
        services.AddSingleton<NotificationDispatcher>();
        services.AddTransient<GenerationNotifier>();
        services.AddHostedService<NotificationDispatchLoop>();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            // Base64, as host.json's messageEncoding tells the trigger to decode.
            var client = sp.GetRequiredService<StorageConnection>().CreateQueueServiceClient(new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
            return new NotificationQueue(client.GetQueueClient(AppQueues.Notifications(options.QueueName)));
        });

        // Both talk only to addresses OutboundTargets allows, checked on the address connected to.
        services.AddHttpClient(WebhookSender.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan) // WebhookSender times out
            .ConfigurePrimaryHttpMessageHandler(sp => sp.GetRequiredService<OutboundTargets>().CreateHandler());
        services.AddHttpClient(WebPushSender.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(30))
            .ConfigurePrimaryHttpMessageHandler(sp => sp.GetRequiredService<OutboundTargets>().CreateHandler());
        return services;
    }
}
