using System.Globalization;

namespace OkvActors.Lab.Report;

/// <summary>Issue #7's targets judged against the figures of one run. Goals, not asserts: a miss says by how much.</summary>
public static class Targets
{
    public const double CreateVersusEtcd = 1.5;
    public const double ReadVersusPyKmip = 30;
    public const double GetP99Ms = 2;
    public const int GetP99Clients = 32;
    public const double WriteGapMs = 100;
    public const double ConvergenceP99Ms = 500;

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static IReadOnlyList<TargetVerdict> Judge(
        IReadOnlyList<MacroRow> macro, IReadOnlyList<Comparison> comparisons,
        IReadOnlyList<AvailabilityResult> availability, IReadOnlyList<ConvergenceResult> convergence, IReadOnlyList<ScaleResult>? scale = null)
    {
        var verdicts = new List<TargetVerdict>
        {
            RatioTarget($"Replicated Create ≥ {CreateVersusEtcd}× etcd put at equal concurrency", comparisons.Where(c => c.Operation == "Create" && c.Peer == Systems.Etcd), CreateVersusEtcd),
            RatioTarget($"Get ≥ {ReadVersusPyKmip}× pykmip-server", comparisons.Where(c => c.Operation == "Get" && c.Peer == Systems.PyKmip), ReadVersusPyKmip),
            RatioTarget($"Encrypt ≥ {ReadVersusPyKmip}× pykmip-server", comparisons.Where(c => c.Operation == "Encrypt" && c.Peer == Systems.PyKmip), ReadVersusPyKmip),
            GetLatency(macro),
        };

        var okvKill = availability.FirstOrDefault(a => a.System == Systems.Okv);
        verdicts.Add(okvKill is null
            ? new TargetVerdict("Node kill under load: 0 lost acknowledged writes", "not measured", null, "availability part not run")
            : new TargetVerdict("Node kill under load: 0 lost acknowledged writes",
                $"{okvKill.LostAcknowledged} lost of {okvKill.Verified} verified", okvKill.LostAcknowledged == 0 && okvKill.Verified == okvKill.Acknowledged,
                okvKill.LostAcknowledged == 0 ? (okvKill.Verified == okvKill.Acknowledged ? "none lost" : $"only {okvKill.Verified} of {okvKill.Acknowledged} could be checked") : $"missed by {okvKill.LostAcknowledged} writes"));
        verdicts.Add(okvKill is null
            ? new TargetVerdict($"Write gap on survivors ≤ {WriteGapMs:0} ms", "not measured", null, "availability part not run")
            : Upper($"Write gap on survivors ≤ {WriteGapMs:0} ms", okvKill.WriteGapMs, WriteGapMs, "ms"));

        var okvConvergence = convergence.FirstOrDefault(c => c.System == Systems.Okv);
        verdicts.Add(okvConvergence is null
            ? new TargetVerdict($"Convergence p99 ≤ {ConvergenceP99Ms:0} ms", "not measured", null, "convergence part not run")
            : Upper($"Convergence p99 ≤ {ConvergenceP99Ms:0} ms", okvConvergence.P99Ms, ConvergenceP99Ms, "ms"));
        // The lab loads fewer than 1M objects: what it measured is shown, but the 1M target stays unjudged.
        var okvScale = scale?.FirstOrDefault(s => s.System == Systems.Okv);
        verdicts.Add(new TargetVerdict("1M objects at ≤ 2 GiB per node",
            okvScale is null ? "not measured" : string.Format(C, "{0:0} MiB max RSS at {1:N0} objects", okvScale.Members.Max(m => m.RssBytes) / 1048576.0, okvScale.Acknowledged),
            null, "1M objects not loaded by the lab (`build.ps1 bench -Scale`)"));
        verdicts.Add(new TargetVerdict("Cold restart back to serving ≤ 60 s",
            okvKill?.RejoinSeconds is { } rejoin ? string.Format(C, "one node: {0:0.#} s from restart to serving{1}", rejoin, okvScale is null ? "" : string.Format(C, " with {0:N0} objects", okvScale.Acknowledged)) : "not measured",
            null, "a whole-cluster cold restart was not run; the figure is one killed node's restart"));
        return verdicts;
    }

    /// <summary>Met when every concurrency reaches the ratio; the worst one is what the verdict reports.</summary>
    internal static TargetVerdict RatioTarget(string target, IEnumerable<Comparison> comparisons, double goal)
    {
        var withRatio = comparisons.Where(c => c.Ratio is not null).ToList();
        if (withRatio.Count == 0)
        {
            return new TargetVerdict(target, "not measured", null, "no peer figure in this run");
        }

        var worst = withRatio.MinBy(c => c.Ratio!.Value)!;
        var all = string.Join(", ", withRatio.OrderBy(c => c.Clients).Select(c => string.Format(C, "{0}c {1:0.##}×", c.Clients, c.Ratio)));
        var met = worst.Ratio >= goal;
        return new TargetVerdict(target, all, met, met
            ? string.Format(C, "lowest {0:0.##}× at {1}", worst.Ratio, Clients(worst.Clients))
            : string.Format(C, "missed by {0:0.##}× at {1} ({2:0.##}× of the goal)", goal / worst.Ratio!.Value, Clients(worst.Clients), worst.Ratio / goal));
    }

    private static string Clients(int n) => n == 1 ? "1 client" : $"{n} clients";

    private static TargetVerdict GetLatency(IReadOnlyList<MacroRow> macro)
    {
        var target = $"Get p99 ≤ {GetP99Ms:0} ms at {GetP99Clients} clients";
        var row = macro.FirstOrDefault(r => r.System == Systems.Okv && r.Operation == "Get" && r.Clients == GetP99Clients && r.Failure is null);
        return row is null ? new TargetVerdict(target, "not measured", null, $"no Get run at {GetP99Clients} clients") : Upper(target, row.P99Ms, GetP99Ms, "ms");
    }

    /// <summary>A ceiling: met at or below it, else missed by the difference and the factor.</summary>
    internal static TargetVerdict Upper(string target, double measured, double ceiling, string unit) =>
        measured <= ceiling
            ? new TargetVerdict(target, string.Format(C, "{0:0.##} {1}", measured, unit), true, string.Format(C, "{0:0.##} {1} under", ceiling - measured, unit))
            : new TargetVerdict(target, string.Format(C, "{0:0.##} {1}", measured, unit), false,
                string.Format(C, "missed by {0:0.##} {1} ({2:0.#}× the ceiling)", measured - ceiling, unit, measured / ceiling));
}
