namespace OkvActors.Cluster.Load;

/// <summary>
/// Percentiles of recorded latencies in milliseconds, by nearest rank over every sample (no buckets, so
/// no rounding): the p-th percentile is the smallest sample that at least p% of the samples do not exceed.
/// </summary>
public sealed record LatencySummary(int Samples, double Mean, double P50, double P95, double P99, double P999, double Max)
{
    public static readonly LatencySummary None = new(0, 0, 0, 0, 0, 0, 0);

    public static LatencySummary Of(IEnumerable<double> milliseconds)
    {
        var sorted = milliseconds.ToArray();
        if (sorted.Length == 0)
        {
            return None;
        }

        Array.Sort(sorted);
        return new LatencySummary(sorted.Length, sorted.Average(), Percentile(sorted, 50), Percentile(sorted, 95),
            Percentile(sorted, 99), Percentile(sorted, 99.9), sorted[^1]);
    }

    /// <summary>Nearest rank on ascending <paramref name="sorted"/> samples: rank ⌈p/100 · n⌉, counted from 1.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double percentile)
    {
        if (sorted.Count == 0)
        {
            throw new ArgumentException("no samples", nameof(sorted));
        }

        if (percentile is <= 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "a percentile is in (0, 100]");
        }

        // Rounded first: 99.9% of 1000 is 999.0000000000001 in binary floating point, and its ceiling would skip a rank.
        var rank = (int)Math.Ceiling(Math.Round(percentile / 100 * sorted.Count, 9));
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }

    public override string ToString() =>
        Samples == 0 ? "no samples" : $"p50 {P50:0.0} ms, p95 {P95:0.0} ms, p99 {P99:0.0} ms, max {Max:0.0} ms";
}
