using System.Collections.Concurrent;

namespace OkvActors.Rest;

/// <summary>
/// Requests per client identity (certificate fingerprint) as a token bucket: up to <c>burst</c> at once, refilled
/// continuously at <c>per-second</c>. A bucket is refilled when it is asked, from the time since it was last asked, so
/// nothing runs while nobody calls. ASP.NET Core's rate-limiting middleware woke an idle node twenty times a second
/// (its global and its endpoint limiter each keep a 100 ms heartbeat, the latter even with no endpoint policy); on the
/// virtual machines measured, an idle node's CPU is mostly such wake-ups (tests/OkvActors.Benchmarks/RESULTS.md,
/// 2026-12-02), though these two alone were within the noise.
/// </summary>
internal sealed class IdentityRateLimiter(int burst, int perSecond, TimeProvider clock)
{
    /// <summary>Buckets beyond this many make the next new identity drop the full ones (they hold no state worth keeping).</summary>
    internal const int PruneAbove = 4096;

    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);

    /// <summary>Identities with a bucket (a full bucket may be dropped and is then made anew).</summary>
    internal int Tracked => _buckets.Count;

    /// <summary>Takes a token for <paramref name="identity"/>; when none is left, says how long until one is.</summary>
    public bool TryAcquire(string identity, out TimeSpan retryAfter)
    {
        var now = clock.GetTimestamp();
        if (!_buckets.TryGetValue(identity, out var bucket))
        {
            if (_buckets.Count >= PruneAbove)
            {
                Prune(now);
            }

            bucket = _buckets.GetOrAdd(identity, _ => new Bucket(burst, now));
        }

        lock (bucket)
        {
            bucket.Refill(now, burst, perSecond, clock.TimestampFrequency);
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens--;
                retryAfter = TimeSpan.Zero;
                return true;
            }

            retryAfter = TimeSpan.FromSeconds((1 - bucket.Tokens) / perSecond);
            return false;
        }
    }

    private void Prune(long now)
    {
        foreach (var (identity, bucket) in _buckets)
        {
            lock (bucket)
            {
                bucket.Refill(now, burst, perSecond, clock.TimestampFrequency);
                if (bucket.Tokens >= burst)
                {
                    _buckets.TryRemove(identity, out _);
                }
            }
        }
    }

    private sealed class Bucket(double tokens, long refilledAt)
    {
        public double Tokens { get; set; } = tokens;

        private long _refilledAt = refilledAt;

        public void Refill(long now, int burst, int perSecond, long frequency)
        {
            if (now > _refilledAt)
            {
                Tokens = Math.Min(burst, Tokens + (double)(now - _refilledAt) / frequency * perSecond);
                _refilledAt = now;
            }
        }
    }
}
