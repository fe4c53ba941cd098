using System.Text;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace NanoBanana.Functions.Tests.Reliability;

/// <summary>
/// Drives a queue-triggered function the way the Functions host's queue listener does
/// (Microsoft.Azure.WebJobs.Extensions.Storage.Queues: QueueListener + QueueProcessor), with the
/// host.json values. The behaviours the guarantees rely on, mirrored here:
/// <list type="bullet">
/// <item>messages are received in batches of batchSize, hidden for 10 minutes while they run, and a new
/// batch is fetched once no more than newBatchThreshold are still running;</item>
/// <item>base64 messages are decoded before the function sees them;</item>
/// <item>the function returns: the message is deleted; it throws: the message becomes visible again
/// after visibilityTimeout, unless its dequeue count reached maxDequeueCount, in which case it is
/// copied to &lt;queue&gt;-poison and deleted;</item>
/// <item>a process that dies mid-message deletes nothing: the message reappears when its 10 minutes end;</item>
/// <item>a graceful stop (drain, scale-in, deploy) fetches nothing more, cancels the running functions'
/// token and waits for them, settling each message as above;</item>
/// <item>an idle queue is polled with back-off up to maxPollingInterval; storage errors are retried.</item>
/// </list>
/// </summary>
internal sealed class HostQueueListener(QueueClient queue, HostQueueSettings settings, Func<string, CancellationToken, Task> function)
{
    /// <summary>The host hides a message this long while its function runs (and renews it for long runs).</summary>
    public static readonly TimeSpan ProcessingVisibility = TimeSpan.FromMinutes(10);

    public async Task RunAsync(QueueClient poisonQueue, CancellationToken stop)
    {
        var running = new List<Task>();
        var idle = TimeSpan.FromMilliseconds(100);
        while (!stop.IsCancellationRequested)
        {
            running.RemoveAll(t => t.IsCompleted);
            if (running.Count > settings.NewBatchThreshold)
            {
                await Task.WhenAny(running);
                continue;
            }

            QueueMessage[] batch;
            try
            {
                batch = (await queue.ReceiveMessagesAsync(settings.BatchSize, ProcessingVisibility, stop)).Value;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception)
            {
                await Delay(TimeSpan.FromMilliseconds(500), stop); // storage unreachable: try again
                continue;
            }

            if (batch.Length == 0)
            {
                await Delay(idle, stop);
                idle = TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, settings.MaxPollingInterval.Ticks));
                continue;
            }

            idle = TimeSpan.FromMilliseconds(100);
            running.AddRange(batch.Select(message => ProcessAsync(message, poisonQueue, stop)));
        }

        await Task.WhenAll(running);
    }

    private async Task ProcessAsync(QueueMessage message, QueueClient poisonQueue, CancellationToken stop)
    {
        try
        {
            if (message.DequeueCount > settings.MaxDequeueCount)
            {
                await PoisonAsync(message, poisonQueue);
                return;
            }

            bool succeeded;
            try
            {
                await function(Encoding.UTF8.GetString(Convert.FromBase64String(message.MessageText)), stop);
                succeeded = true;
            }
            catch (Exception)
            {
                succeeded = false;
            }

            if (succeeded)
            {
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
            }
            else if (message.DequeueCount >= settings.MaxDequeueCount)
            {
                await PoisonAsync(message, poisonQueue);
            }
            else
            {
                await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: settings.VisibilityTimeout, cancellationToken: CancellationToken.None);
            }
        }
        catch (Exception) when (!stop.IsCancellationRequested)
        {
            // Storage failed while settling the message: it reappears after its visibility ends, as with the host.
        }
    }

    private async Task PoisonAsync(QueueMessage message, QueueClient poisonQueue)
    {
        await poisonQueue.CreateIfNotExistsAsync();
        await poisonQueue.SendMessageAsync(message.MessageText);
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
    }

    private static async Task Delay(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, stop);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
