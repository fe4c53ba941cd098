using Microsoft.Extensions.Time.Testing;
using NanoBanana.Functions.Realtime;

namespace NanoBanana.Functions.Tests.Unit;

/// <summary>The outbox dispatcher's wake-up: a ring is never lost, a burst makes one pass, and the sweep comes on the app's clock.</summary>
public sealed class QueuedMessagesTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task ARingBeforeTheWait_EndsItAtOnce_AndABurstCountsOnce()
    {
        // Arrange
        using var queued = new QueuedMessages();
        queued.Signal();
        queued.Signal();
        queued.Signal();

        // Act
        var first = queued.WaitAsync(TimeSpan.FromSeconds(2), _clock, CancellationToken.None);
        var second = queued.WaitAsync(TimeSpan.FromSeconds(2), _clock, CancellationToken.None);

        // Assert: the burst ended one wait; the next waits for the sweep.
        await first.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(second.IsCompleted);
        _clock.Advance(TimeSpan.FromSeconds(2));
        await second.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task AWait_EndsWhenRung_OrWhenTheSweepIsDueOnTheClock()
    {
        // Arrange
        using var queued = new QueuedMessages();

        // Act + Assert: not rung, not due.
        var rung = queued.WaitAsync(TimeSpan.FromSeconds(2), _clock, CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(rung.IsCompleted);
        queued.Signal();
        await rung.WaitAsync(TimeSpan.FromSeconds(10));

        var swept = queued.WaitAsync(TimeSpan.FromSeconds(2), _clock, CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(swept.IsCompleted);
        _clock.Advance(TimeSpan.FromSeconds(1));
        await swept.WaitAsync(TimeSpan.FromSeconds(10));

        // A wait that ended on the clock took no ring with it: the next ring still ends the next wait.
        var next = queued.WaitAsync(TimeSpan.FromSeconds(2), _clock, CancellationToken.None);
        queued.Signal();
        await next.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
