namespace OkvActors.Lab.Scenarios;

/// <summary>The longest time without an acknowledged write, from a kill to the end of the load.</summary>
public static class WriteGap
{
    /// <summary>
    /// <paramref name="acknowledgedAtMs"/> are completion times (any order) on the load's clock; the gap counts
    /// from <paramref name="killAtMs"/> to the first acknowledgement after it, between consecutive ones, and from
    /// the last one to <paramref name="endMs"/> (a load that never recovered has a gap as long as the rest of the run).
    /// </summary>
    public static double Longest(IEnumerable<double> acknowledgedAtMs, double killAtMs, double endMs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(endMs, killAtMs);
        var previous = killAtMs;
        var longest = 0.0;
        foreach (var at in acknowledgedAtMs.Where(a => a >= killAtMs && a <= endMs).Order())
        {
            longest = Math.Max(longest, at - previous);
            previous = at;
        }

        return Math.Max(longest, endMs - previous);
    }
}
