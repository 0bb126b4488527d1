namespace OkvActors.KmipLoad;

/// <summary>Summary of one operation's latencies (milliseconds) over a run.</summary>
public sealed record LatencySummary(string Operation, long Count, long Errors, double OpsPerSecond, double P50Ms, double P95Ms, double P99Ms, double MaxMs);

public static class LatencyStats
{
    /// <summary>
    /// Nearest-rank percentile of an ascending-sorted sample: the smallest value with at least
    /// <paramref name="percentile"/>% of the sample at or below it. 0 for an empty sample.
    /// </summary>
    public static double Percentile(IReadOnlyList<double> sorted, double percentile)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        ArgumentOutOfRangeException.ThrowIfLessThan(percentile, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        if (sorted.Count == 0)
        {
            return 0;
        }

        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    /// <summary>Summarises <paramref name="latenciesMs"/> (any order) measured over <paramref name="seconds"/>.</summary>
    public static LatencySummary Summarise(string operation, IEnumerable<double> latenciesMs, long errors, double seconds)
    {
        var sorted = latenciesMs.Order().ToArray();
        return new LatencySummary(operation, sorted.Length, errors, seconds > 0 ? sorted.Length / seconds : 0,
            Percentile(sorted, 50), Percentile(sorted, 95), Percentile(sorted, 99), sorted.Length == 0 ? 0 : sorted[^1]);
    }
}
