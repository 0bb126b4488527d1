using System.Globalization;
using System.Text;
using OkvActors.Chaos.Checks;
using OkvActors.Chaos.Faults;
using OkvActors.Chaos.History;

namespace OkvActors.Chaos.Report;

/// <summary>What a run did and found: settings, the fault timeline, operation counts by outcome, availability per node over time, registry probes and every violated check with the operations involved.</summary>
public sealed record ChaosReport(
    ChaosOptions Options,
    DateTimeOffset Started,
    double Seconds,
    IReadOnlyList<PlannedFault> Plan,
    IReadOnlyList<FaultRecord> Timeline,
    IReadOnlyList<ClientOperation> History,
    Observations Final,
    IReadOnlyList<Violation> Violations,
    IReadOnlyList<NodeView>? Views = null)
{
    public bool Passed => Violations.Count == 0;

    /// <summary>Served: the node answered (Ok, or refused for a reason of the request itself); not served: no connection, no answer, or restricted mode.</summary>
    public static bool Served(ClientOperation o) =>
        o.Outcome == Outcome.Ok || (o.Outcome == Outcome.Failed && !o.Restricted && o.Error?.StartsWith("connect:", StringComparison.Ordinal) != true);

    public double BucketSeconds => Math.Max(5, Math.Round(Seconds / 40));

    /// <summary>Per node, per time bucket: the share of its operations that were served (NaN where it had none).</summary>
    public IReadOnlyDictionary<string, double[]> Availability(IReadOnlyList<string> nodes)
    {
        var buckets = (int)Math.Ceiling(Math.Max(Seconds, 1) / BucketSeconds);
        return nodes.ToDictionary(n => n, n =>
        {
            var values = new double[buckets];
            for (var b = 0; b < buckets; b++)
            {
                var ops = History.Where(o => o.Node == n && o.Start >= b * BucketSeconds && o.Start < (b + 1) * BucketSeconds).ToList();
                values[b] = ops.Count == 0 ? double.NaN : (double)ops.Count(Served) / ops.Count;
            }

            return values;
        });
    }

    public string ToText()
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"seed {Options.Seed}");
        var lab = Options.UseNetworkLab ? $"network lab {Options.Lab} (partitions on)" : "no network lab (partitions off)";
        var broken = Options.Broken ? ", BROKEN BUILD (writes acknowledged before replication)" : "";
        text.AppendLine(c, $"okv-chaos run of {Started:yyyy-MM-dd HH:mm:ss}Z: {Options.Nodes} nodes, {Options.Duration:F0} s of faults, {Options.Clients} clients at {Options.Rate:F0} op/s each, {lab}, restricted-mode margin {Options.RestrictedMargin:F0} s{broken}");
        text.AppendLine(c, $"replay: okv-chaos --seed {Options.Seed} --nodes {Options.Nodes} --duration {Options.Duration:F0} --clients {Options.Clients} --rate {Options.Rate:F0} --affinity {Options.Affinity:0.##} --mix {string.Join(",", Options.Mix.Select(m => $"{m.Kind.ToString().ToLowerInvariant()}={m.Weight}"))}{(Options.UseNetworkLab ? "" : " --no-lab")}{(Options.Kinds is null ? "" : $" --kinds {string.Join(",", Options.Kinds.Select(k => k.ToString().ToLowerInvariant()))}")}{(Options.Broken ? " --broken" : "")}");
        text.AppendLine(c, $"result: {(Passed ? "PASS" : "FAIL")}, {Violations.Count} violation(s); run took {Seconds:F0} s");
        text.AppendLine();
        text.AppendLine("fault plan (from the seed):");
        foreach (var f in Plan)
        {
            text.AppendLine(c, $"  {f}");
        }

        text.AppendLine();
        text.AppendLine("fault timeline (as it happened):");
        foreach (var f in Timeline)
        {
            text.AppendLine(c, $"  {f}");
        }

        text.AppendLine();
        text.AppendLine("operations by outcome:");
        text.AppendLine(c, $"  {"operation",-15} {"ok",7} {"failed",7} {"unknown",8} {"restricted",11}");
        foreach (var group in History.GroupBy(o => o.Kind).OrderBy(g => g.Key))
        {
            text.AppendLine(c, $"  {group.Key,-15} {group.Count(o => o.Outcome == Outcome.Ok),7} {group.Count(o => o.Outcome == Outcome.Failed),7} {group.Count(o => o.Outcome == Outcome.Unknown),8} {group.Count(o => o.Restricted),11}");
        }

        text.AppendLine(c, $"  {"total",-15} {History.Count(o => o.Outcome == Outcome.Ok),7} {History.Count(o => o.Outcome == Outcome.Failed),7} {History.Count(o => o.Outcome == Outcome.Unknown),8} {History.Count(o => o.Restricted),11}");
        text.AppendLine(c, $"  acknowledged objects: {History.Count(o => o.CreatedObject)}; read back after healing: {Final.Objects.Count}; replicas converged: {(Final.Converged ? "yes" : "no")}");
        text.AppendLine();
        var nodes = Final.Nodes.Select(n => n.Node).DefaultIfEmpty().Where(n => n is not null).Select(n => n!).ToList();
        if (nodes.Count == 0)
        {
            nodes = History.Select(o => o.Node).Distinct().Order(StringComparer.Ordinal).ToList();
        }

        text.AppendLine(c, $"availability per node (share of operations served, per {BucketSeconds:F0} s; '.' = none):");
        var availability = Availability(nodes);
        foreach (var node in nodes)
        {
            text.AppendLine(c, $"  {node,-7} {string.Concat(availability[node].Select(Glyph))}");
        }

        text.AppendLine("          (9 = 90-100%, 0 = under 10%)");
        if (Views is { Count: > 0 })
        {
            var runEnd = Math.Max(Seconds, Views.Max(v => v.At));
            var delays = Rejoins.Delays(Timeline, Rejoins.Extend(Timeline, Views, runEnd)).Order().ToList();
            text.AppendLine(c, $"node views sampled: {Views.Count} (each node's own status about once a second; views.jsonl)");
            text.AppendLine(c, $"  restarted nodes Up again after: {(delays.Count == 0 ? "no restarts" : $"{delays.Count} restarts, median {delays[delays.Count / 2]:F1} s, max {delays[^1]:F1} s")}");
            foreach (var node in nodes)
            {
                var own = Views.Where(v => v.Node == node).ToList();
                text.AppendLine(c, $"  {node,-7} answered {own.Count(v => v.Answered)}/{own.Count}, restricted in {own.Count(v => v.Mode == "restricted")}, not an Up member in {own.Count(v => v.Answered && !v.IsUpMember)}");
            }
        }

        text.AppendLine();
        text.AppendLine("controller registry probes:");
        foreach (var probe in Final.Registry)
        {
            text.AppendLine(c, $"  {probe.At,7:F1}s after {probe.Reason}: {(probe.Answered ? $"controller {probe.Controller}, active {string.Join(",", probe.Listed)}" : "NO ANSWER")} ({probe.Detail})");
        }

        text.AppendLine();
        text.AppendLine(c, $"checks ({HistoryChecker.All.Count}):");
        foreach (var check in HistoryChecker.All)
        {
            var failed = Violations.Count(v => v.Check == check);
            text.AppendLine(c, $"  {(failed == 0 ? "pass" : "FAIL"),-5} {check}{(failed == 0 ? "" : $" ({failed} violation(s))")}");
        }

        if (Violations.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("violations:");
            var byId = History.ToDictionary(o => o.Id);
            foreach (var violation in Violations.Take(200))
            {
                text.AppendLine(c, $"  {violation}");
                foreach (var id in violation.Operations.Take(10))
                {
                    if (byId.TryGetValue(id, out var op))
                    {
                        text.AppendLine(c, $"      {op}");
                    }
                }
            }

            if (Violations.Count > 200)
            {
                text.AppendLine(c, $"  … and {Violations.Count - 200} more");
            }
        }

        return text.ToString();
    }

    private static char Glyph(double share) => double.IsNaN(share) ? '.' : (char)('0' + Math.Min(9, (int)(share * 10)));
}
