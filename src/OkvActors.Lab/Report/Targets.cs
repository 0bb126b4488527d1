using System.Globalization;
using OkvActors.Cluster.Load;

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
    public const int LargeObjects = 1_000_000;
    public const double MemoryPerNodeMiB = 2048;
    public const double ColdRestartSeconds = 60;

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static IReadOnlyList<TargetVerdict> Judge(
        IReadOnlyList<MacroRow> macro, IReadOnlyList<Comparison> comparisons,
        IReadOnlyList<AvailabilityResult> availability, IReadOnlyList<ConvergenceResult> convergence, IReadOnlyList<ScaleResult>? scale = null,
        IReadOnlyList<RecoveryResult>? recovery = null)
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
            : WithBaseline(Upper($"Write gap on survivors ≤ {WriteGapMs:0} ms", okvKill.WriteGapMs, WriteGapMs, "ms"), okvKill.GapBeforeKillMs));

        var okvConvergence = convergence.FirstOrDefault(c => c.System == Systems.Okv);
        verdicts.Add(okvConvergence is null
            ? new TargetVerdict($"Convergence p99 ≤ {ConvergenceP99Ms:0} ms", "not measured", null, "convergence part not run")
            : Upper($"Convergence p99 ≤ {ConvergenceP99Ms:0} ms", okvConvergence.P99Ms, ConvergenceP99Ms, "ms"));
        verdicts.Add(Memory(scale ?? []));
        verdicts.Add(ColdRestart(recovery ?? []));
        return verdicts;
    }

    /// <summary>
    /// Judged on the largest OkvActors load, by its highest peak RSS (what a node needed, GC headroom included), and
    /// only when that load reached 1M objects; a smaller one is shown, unjudged.
    /// </summary>
    private static TargetVerdict Memory(IReadOnlyList<ScaleResult> scale)
    {
        var target = $"{LargeObjects / 1_000_000}M objects at ≤ {MemoryPerNodeMiB / 1024:0} GiB per node";
        var largest = scale.Where(s => s.System == Systems.Okv && s.Members.Count > 0).MaxBy(s => s.Acknowledged);
        if (largest is null)
        {
            return new TargetVerdict(target, "not measured", null, "no OkvActors load in this run");
        }

        var peak = largest.Members.Max(m => m.PeakRssBytes) / 1048576.0;
        var measured = string.Format(C, "peak {0:0} MiB, {1:0} MiB after the load, at {2:N0} objects", peak, largest.Members.Max(m => m.RssBytes) / 1048576.0, largest.Acknowledged);
        return largest.Acknowledged < LargeObjects
            ? new TargetVerdict(target, measured, null, string.Format(C, "the largest load was {0:N0} objects (`--large-objects`)", largest.Acknowledged))
            : Upper(target, peak, MemoryPerNodeMiB, "MiB") with { Measured = measured };
    }

    /// <summary>Judged on the OkvActors cold restart with the most objects, only when it held 1M.</summary>
    private static TargetVerdict ColdRestart(IReadOnlyList<RecoveryResult> recovery)
    {
        var target = $"Cold restart back to serving ≤ {ColdRestartSeconds:0} s";
        var largest = recovery.Where(r => r.System == Systems.Okv).MaxBy(r => r.Records);
        if (largest is null)
        {
            return new TargetVerdict(target, "not measured", null, "no cold restart in this run");
        }

        if (largest.AllServingSeconds is not { } seconds)
        {
            return new TargetVerdict(target, string.Format(C, "not every node back ({0:N0} objects)", largest.Records), false, "a node did not serve within the lab's 10 min");
        }

        var measured = string.Format(C, "{0:0.#} s with {1:N0} objects", seconds, largest.Records);
        return largest.Records < LargeObjects
            ? new TargetVerdict(target, measured, null, string.Format(C, "the largest cold restart held {0:N0} objects", largest.Records))
            : Upper(target, seconds, ColdRestartSeconds, "s") with { Measured = measured };
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
    /// <summary>The same load's worst pause before the kill, beside the verdict: what the kill itself added.</summary>
    private static TargetVerdict WithBaseline(TargetVerdict verdict, double? beforeKillMs) =>
        beforeKillMs is { } before ? verdict with { Detail = string.Format(C, "{0}; longest gap before the kill {1:0.#} ms", verdict.Detail, before) } : verdict;

    internal static TargetVerdict Upper(string target, double measured, double ceiling, string unit) =>
        measured <= ceiling
            ? new TargetVerdict(target, string.Format(C, "{0:0.##} {1}", measured, unit), true, string.Format(C, "{0:0.##} {1} under", ceiling - measured, unit))
            : new TargetVerdict(target, string.Format(C, "{0:0.##} {1}", measured, unit), false,
                string.Format(C, "missed by {0:0.##} {1} ({2:0.#}× the ceiling)", measured - ceiling, unit, measured / ceiling));
}
