using Xunit;

namespace OkvActors.Rest.Tests;

public sealed class IdentityRateLimiterTests
{
    /// <summary>A clock that moves only when told (timestamps in milliseconds).</summary>
    private sealed class ManualClock : TimeProvider
    {
        public long Now { get; set; } = 1_000_000;

        public override long TimestampFrequency => 1000;

        public override long GetTimestamp() => Now;
    }

    private static int Granted(IdentityRateLimiter limiter, string identity, int attempts) =>
        Enumerable.Range(0, attempts).Count(_ => limiter.TryAcquire(identity, out TimeSpan _));

    [Fact]
    public void An_identity_gets_its_burst_at_once_then_tokens_at_its_rate()
    {
        var clock = new ManualClock();
        var limiter = new IdentityRateLimiter(burst: 5, perSecond: 2, clock);

        Assert.Equal(5, Granted(limiter, "a", 8));
        Assert.False(limiter.TryAcquire("a", out var retryAfter));
        Assert.Equal(TimeSpan.FromMilliseconds(500), retryAfter);

        clock.Now += 499;
        Assert.False(limiter.TryAcquire("a", out _));
        clock.Now += 1;
        Assert.True(limiter.TryAcquire("a", out _));
        clock.Now += 1_500;
        Assert.Equal(3, Granted(limiter, "a", 5));
    }

    [Fact]
    public void A_long_pause_refills_up_to_the_burst_only()
    {
        var clock = new ManualClock();
        var limiter = new IdentityRateLimiter(burst: 3, perSecond: 100, clock);
        Assert.Equal(3, Granted(limiter, "a", 3));

        clock.Now += 3_600_000;

        Assert.Equal(3, Granted(limiter, "a", 10));
    }

    [Fact]
    public void Identities_are_limited_apart()
    {
        var clock = new ManualClock();
        var limiter = new IdentityRateLimiter(burst: 2, perSecond: 1, clock);

        Assert.Equal(2, Granted(limiter, "busy", 10));
        Assert.Equal(2, Granted(limiter, "other", 2));
        Assert.False(limiter.TryAcquire("busy", out _));
    }

    [Fact]
    public void Many_identities_drop_the_full_buckets_but_keep_the_spent_ones()
    {
        var clock = new ManualClock();
        var limiter = new IdentityRateLimiter(burst: 2, perSecond: 1, clock);
        Assert.Equal(2, Granted(limiter, "spent", 2));
        for (var i = 0; i < IdentityRateLimiter.PruneAbove; i++)
        {
            limiter.TryAcquire($"once-{i}", out _);
        }

        clock.Now += 1_000; // the single-request identities are full again; "spent" has one token of two
        limiter.TryAcquire("newcomer", out _);

        Assert.Equal(2, limiter.Tracked);
        Assert.True(limiter.TryAcquire("spent", out _));
        Assert.False(limiter.TryAcquire("spent", out _));
    }
}
