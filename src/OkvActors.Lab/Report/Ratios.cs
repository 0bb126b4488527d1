namespace OkvActors.Lab.Report;

/// <summary>Pairs every OkvActors figure with its peer's at the same concurrency, measured in the same run.</summary>
public static class Ratios
{
    /// <summary>
    /// KMIP operations against pykmip-server's same operation; Create also against etcd's put (the replicated-write peer).
    /// A peer run that failed or made no progress gives no ratio rather than an infinite one.
    /// </summary>
    public static IReadOnlyList<Comparison> Compare(IReadOnlyList<MacroRow> rows)
    {
        var result = new List<Comparison>();
        foreach (var ours in rows.Where(r => r.System == Systems.Okv && r.Failure is null))
        {
            Add(ours, Systems.PyKmip, ours.Operation);
            if (ours.Operation == "Create")
            {
                Add(ours, Systems.Etcd, "Put");
            }
        }

        return result;

        void Add(MacroRow ours, string peer, string peerOperation)
        {
            var theirs = rows.FirstOrDefault(r => r.System == peer && r.Operation == peerOperation && r.Clients == ours.Clients);
            if (theirs is null)
            {
                return;
            }

            var usable = theirs.Failure is null && theirs.OpsPerSecond > 0;
            result.Add(new Comparison(ours.Operation, ours.Clients, peer, peerOperation, ours.OpsPerSecond,
                usable ? theirs.OpsPerSecond : null, usable ? ours.OpsPerSecond / theirs.OpsPerSecond : null,
                ours.P99Ms, usable ? theirs.P99Ms : null));
        }
    }
}
