namespace OkvActors.Cluster.Load;

/// <summary>Stretches without an acknowledged write: after a kill (the target), and before it (the same load's own jitter).</summary>
public static class WriteGap
{
    /// <summary>One stretch without an acknowledgement: where it starts and how long it lasts, on the load's clock.</summary>
    public readonly record struct Gap(double StartMs, double LengthMs);

    /// <summary>
    /// <paramref name="acknowledgedAtMs"/> are completion times (any order) on the load's clock; the gap counts
    /// from <paramref name="fromMs"/> (the kill) to the first acknowledgement after it, between consecutive ones, and from
    /// the last one to <paramref name="toMs"/> (a load that never recovered has a gap as long as the rest of the run).
    /// </summary>
    public static double Longest(IEnumerable<double> acknowledgedAtMs, double fromMs, double toMs) =>
        Longest(acknowledgedAtMs, fromMs, toMs, 1)[0].LengthMs;

    /// <summary>The <paramref name="count"/> longest gaps in the window, longest first (see the other overload).</summary>
    public static IReadOnlyList<Gap> Longest(IEnumerable<double> acknowledgedAtMs, double fromMs, double toMs, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(toMs, fromMs);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var gaps = new List<Gap>();
        var previous = fromMs;
        foreach (var at in acknowledgedAtMs.Where(a => a >= fromMs && a <= toMs).Order())
        {
            gaps.Add(new Gap(previous, at - previous));
            previous = at;
        }

        gaps.Add(new Gap(previous, toMs - previous));
        return gaps.OrderByDescending(g => g.LengthMs).Take(count).ToArray();
    }
}
