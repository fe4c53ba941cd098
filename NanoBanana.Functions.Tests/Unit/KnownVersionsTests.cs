using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NanoBanana.Functions.Generations;
using NanoBanana.Functions.Generations.Lifecycle;
using NanoBanana.Functions.Realtime;

namespace NanoBanana.Functions.Tests.Unit;

/// <summary>What polls may be answered from memory: only what one live session announced lately, for its owner, within the bounds.</summary>
public sealed class KnownVersionsTests
{
    private static readonly DateTimeOffset Queued = new(2026, 1, 1, 11, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Find_ReturnsTheAnnouncedVersion_ToItsOwnerOnly()
    {
        // Arrange
        var known = Known();
        known.SessionStarted();
        var id = Guid.NewGuid();

        // Act
        known.Record(id, "alice", Version(3));

        // Assert
        Assert.Equal(Version(3), known.Find("alice", id));
        Assert.Null(known.Find("bob", id));
        Assert.Null(known.Find("alice", Guid.NewGuid()));
    }

    [Fact]
    public void Find_ReturnsTheLatestAnnouncement_AndNothingOnceDeleted()
    {
        // Arrange
        var known = Known();
        known.SessionStarted();
        var id = Guid.NewGuid();
        known.Record(id, "alice", Version(3));

        // Act
        known.Record(id, "alice", Version(4, GenerationStatus.Completed));
        var latest = known.Find("alice", id);
        known.Forget(id);

        // Assert
        Assert.Equal(Version(4, GenerationStatus.Completed), latest);
        Assert.Null(known.Find("alice", id));
    }

    [Fact]
    public void ASessionLostOrMadeAgain_ForgetsEverything_AndNothingIsRecordedWhileNoneListens()
    {
        // Arrange
        var known = Known();
        known.SessionStarted();
        var (first, second) = (Guid.NewGuid(), Guid.NewGuid());
        known.Record(first, "alice", Version(1));

        // Act
        known.SessionLost();
        known.Record(second, "alice", Version(1)); // e.g. a notification read while the session was failing
        var whileDown = (known.Find("alice", first), known.Find("alice", second), known.Count);
        known.SessionStarted();
        known.Record(second, "alice", Version(2));
        known.SessionStarted(); // a reconnect with no failure seen in between

        // Assert
        Assert.Equal((null, null, 0), whileDown);
        Assert.Null(known.Find("alice", second));
        Assert.Equal(0, known.Count);
    }

    [Fact]
    public void ForgetAll_ForgetsEveryEntry_AndTheSessionStaysTrusted()
    {
        // Arrange
        var known = Known();
        known.SessionStarted();
        var (first, second) = (Guid.NewGuid(), Guid.NewGuid());
        known.Record(first, "alice", Version(1));
        known.Record(second, "bob", Version(1));

        // Act
        known.ForgetAll();
        known.Record(second, "bob", Version(2));

        // Assert
        Assert.Null(known.Find("alice", first));
        Assert.Equal(Version(2), known.Find("bob", second));
    }

    [Fact]
    public void Entries_AreTrusted_OnlyWhileTheSessionProvedItselfWithinTwoProbes()
    {
        // Arrange: probes every 5 s.
        var known = Known(probeSeconds: 5);
        known.SessionStarted();
        var id = Guid.NewGuid();
        known.Record(id, "alice", Version(1));

        // Act
        _clock.Advance(TimeSpan.FromSeconds(10));
        var atTwoProbes = known.Find("alice", id);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var unproven = known.Find("alice", id);
        known.Proven();
        var provenAgain = known.Find("alice", id);

        // Assert
        Assert.Equal(Version(1), atTwoProbes);
        Assert.Null(unproven);
        Assert.False(Known().Trusted); // never started
        Assert.Equal(Version(1), provenAgain);
    }

    [Fact]
    public void Entries_AnswerAtMostMaxAge_AfterTheirAnnouncement()
    {
        // Arrange
        var known = Known(maxAgeSeconds: 60);
        known.SessionStarted();
        var (old, fresh) = (Guid.NewGuid(), Guid.NewGuid());
        known.Record(old, "alice", Version(1));
        _clock.Advance(TimeSpan.FromSeconds(30));
        known.Record(fresh, "alice", Version(1));

        // Act
        _clock.Advance(TimeSpan.FromSeconds(30));
        var atMaxAge = known.Find("alice", old);
        _clock.Advance(TimeSpan.FromSeconds(1));
        known.Proven();

        // Assert
        Assert.Equal(Version(1), atMaxAge);
        Assert.Null(known.Find("alice", old));
        Assert.Equal(Version(1), known.Find("alice", fresh));
        Assert.Equal(1, known.Count);
    }

    [Fact]
    public void Record_KeepsAtMostMaxEntries_DroppingTheLeastRecentlyAnnounced()
    {
        // Arrange
        var known = Known(maxEntries: 3);
        known.SessionStarted();
        var ids = Enumerable.Range(0, 4).Select(_ => Guid.NewGuid()).ToList();
        known.Record(ids[0], "alice", Version(1));
        known.Record(ids[1], "alice", Version(1));
        known.Record(ids[2], "alice", Version(1));

        // Act: the first is announced again, so the second is now the least recent.
        known.Record(ids[0], "alice", Version(2));
        known.Record(ids[3], "alice", Version(1));

        // Assert
        Assert.Equal(3, known.Count);
        Assert.Null(known.Find("alice", ids[1]));
        Assert.Equal(Version(2), known.Find("alice", ids[0]));
        Assert.NotNull(known.Find("alice", ids[2]));
        Assert.NotNull(known.Find("alice", ids[3]));
    }

    [Fact]
    public void AWriteOfThisInstance_HoldsTheEntryBack_UntilItsVersionIsAnnounced()
    {
        // Arrange
        var known = Known();
        known.SessionStarted();
        var id = Guid.NewGuid();
        known.Record(id, "alice", Version(3));

        // Act: the API cancels (version 4); version 3's announcement was still on its way.
        known.Wrote(id, 4);
        var afterWrite = known.Find("alice", id);
        known.Record(id, "alice", Version(3));
        var afterOlderAnnouncement = known.Find("alice", id);
        known.Record(id, "alice", Version(4, GenerationStatus.Cancelled));

        // Assert
        Assert.Null(afterWrite);
        Assert.Null(afterOlderAnnouncement);
        Assert.Equal(Version(4, GenerationStatus.Cancelled), known.Find("alice", id));
    }

    [Fact]
    public void AWriteAlreadyAnnounced_KeepsTheEntry_AndADeleteHoldsItBackForGood()
    {
        // Arrange
        var known = Known();
        known.SessionStarted();
        var (cancelled, deleted) = (Guid.NewGuid(), Guid.NewGuid());
        known.Record(cancelled, "alice", Version(4, GenerationStatus.Cancelled));
        known.Record(deleted, "alice", Version(2));

        // Act
        known.Wrote(cancelled, 4);
        known.Wrote(deleted, long.MaxValue);
        known.Record(deleted, "alice", Version(3));

        // Assert
        Assert.Equal(Version(4, GenerationStatus.Cancelled), known.Find("alice", cancelled));
        Assert.Null(known.Find("alice", deleted));
    }

    [Fact]
    public void NoEntries_WhenTurnedOff()
    {
        // Arrange
        var known = Known(maxEntries: 0);
        known.SessionStarted();
        var id = Guid.NewGuid();

        // Act
        known.Record(id, "alice", Version(1));

        // Assert
        Assert.Null(known.Find("alice", id));
        Assert.Equal(0, known.Count);
    }

    [Theory]
    [InlineData("0193c1a2-0000-7000-8000-000000000001:7:processing:1767265200000000:alice", "alice", 7, GenerationStatus.Processing)]
    [InlineData("0193c1a2-0000-7000-8000-000000000001:1:pending:1767265200000000:auth0|user:with:colons", "auth0|user:with:colons", 1, GenerationStatus.Pending)]
    public void VersionNotice_ReadsMigration017sPayload(string payload, string owner, long version, GenerationStatus status)
    {
        var notice = Assert.IsType<VersionNotice.Changed>(VersionNotice.Parse(payload));

        Assert.Equal(owner, notice.OwnerId);
        Assert.Equal(new GenerationVersion(version, status, Queued), notice.Version);
    }

    [Fact]
    public void VersionNotice_ReadsADeleteAndAPurge_AndNothingElse()
    {
        Assert.Equal(new VersionNotice.Gone(Guid.Parse("0193c1a2-0000-7000-8000-000000000001")),
            VersionNotice.Parse("0193c1a2-0000-7000-8000-000000000001:deleted"));
        Assert.IsType<VersionNotice.Purge>(VersionNotice.Parse("purge"));
        Assert.Null(VersionNotice.Parse("0193c1a2-0000-7000-8000-000000000001")); // 007's payload
        Assert.Null(VersionNotice.Parse("0193c1a2-0000-7000-8000-000000000001:7:shipped:1767265200000000:alice"));
        Assert.Null(VersionNotice.Parse("0193c1a2-0000-7000-8000-000000000001:7:pending:1767265200000000:"));
    }

    private KnownVersions Known(int maxEntries = 100, int maxAgeSeconds = 600, int probeSeconds = 3600) =>
        new(Options.Create(new KnownVersionsOptions { MaxEntries = maxEntries, MaxAgeSeconds = maxAgeSeconds, ProbeSeconds = probeSeconds }), _clock);

    private static GenerationVersion Version(long version, GenerationStatus status = GenerationStatus.Processing) => new(version, status, Queued);
}
