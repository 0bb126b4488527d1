using OkvActors.Chaos.Faults;

namespace OkvActors.Chaos.Checks;

/// <summary>
/// Which node could reach a majority of the cluster when, as the fault timeline says: a node lacks its quorum while
/// it is itself down (killed, wiped, paused, or cut off and then wiped: to the others it is gone either way), or while the nodes it can reach (itself included: not down, not on the
/// other side of a partition) are no more than half of the cluster.
/// </summary>
public sealed class QuorumTimeline(IReadOnlyList<string> nodes, IReadOnlyList<FaultRecord> faults)
{
    public IReadOnlyList<string> Nodes => nodes;

    public bool IsDown(string node, double t) =>
        faults.Any(f => f.Kind is FaultKind.Kill or FaultKind.Wipe or FaultKind.Pause or FaultKind.CutWipe or FaultKind.Downed && f.Nodes.Contains(node) && f.Covers(t));

    public bool CanReach(string from, string to, double t) =>
        from == to || !faults.Any(f => f.Kind == FaultKind.Partition && f.Covers(t) && f.Nodes.Contains(from) != f.Nodes.Contains(to));

    public bool LacksQuorum(string node, double t)
    {
        if (IsDown(node, t))
        {
            return true;
        }

        var reachable = nodes.Count(other => !IsDown(other, t) && CanReach(node, other, t));
        return reachable <= nodes.Count / 2;
    }

    /// <summary>
    /// Whether <paramref name="node"/> lacked its quorum at some moment in [<paramref name="from"/>, <paramref name="to"/>]:
    /// the answer is constant between fault boundaries, so the window's start and every boundary inside it are enough.
    /// </summary>
    public bool LacksQuorumDuring(string node, double from, double to)
    {
        var points = faults.SelectMany(f => f.End is { } e ? new[] { f.Start, e } : [f.Start])
            .Where(p => p > from && p <= to)
            .Prepend(from);
        return points.Any(p => LacksQuorum(node, p));
    }
}
