using System.Text.Json;
using System.Text.Json.Serialization;
using OkvActors.Cluster.Load;

namespace OkvActors.LoadGen;

/// <summary>One figure against issue #3's target for it. <c>Met</c> is reported, never enforced.</summary>
public sealed record TargetCheck(string Name, string Target, string Measured, bool Met, string Ratio);

/// <summary>A node's memory and CPU at one moment of the run.</summary>
public sealed record NodeSample(string Node, int Pid, long RssBytes, long PeakRssBytes, double? CpuPercentOfOneCore = null, GcActivity? Gc = null,
    JitActivity? Jit = null);

/// <summary>A load on every node at once; <c>CpuPercent</c> is each node's CPU meanwhile, in % of one core.</summary>
public sealed record LoadPhase(double Seconds, double PerSecond, int Acknowledged, int TimedOut, int Failed, IReadOnlyDictionary<string, LoadResult> PerNode,
    IReadOnlyDictionary<string, double> CpuPercent);

/// <summary>Write-to-visible samples; <c>NotAcknowledged</c> writes are left out of both latencies.</summary>
public sealed record VisibilityResult(LatencySummary Acknowledged, LatencySummary VisibleOnAll, int Samples, int NeverSeen, int NotAcknowledged);

public sealed record WipeResult(string Node, double RemovedAfterSeconds, double FullReplicaAfterRestartSeconds, double FullReplicaAfterKillSeconds, int Objects);

/// <summary>
/// Every node killed -9 at once and restarted: seconds from the restart until each node was in normal mode with
/// every shard's digest as before the kill (NaN: not within the scenario's limit), and its memory then.
/// </summary>
public sealed record ColdRestartResult(int Objects, IReadOnlyDictionary<string, double> ServingAfterSeconds, IReadOnlyList<NodeSample> Memory)
{
    public double AllServingSeconds => ServingAfterSeconds.Values.Max();
}

/// <summary>Everything one scenario run measured, written as JSON beside the table.</summary>
public sealed record ScaleReport(
    DateTimeOffset Started,
    string Machine,
    ScaleOptions Options,
    int ShardCount,
    IReadOnlyList<NodeSample> IdleEmpty,
    IReadOnlyList<LoadPhase>? Warmup,
    LoadPhase? Load,
    double? ConvergedAfterLoadSeconds,
    IReadOnlyList<NodeSample> AfterLoad,
    IReadOnlyList<NodeSample> Idle,
    LoadResult? Paced,
    IReadOnlyDictionary<string, double>? PacedCpuPercent,
    VisibilityResult? Visibility,
    WipeResult? Wipe,
    ColdRestartResult? ColdRestart,
    IReadOnlyList<NodeSample> AtEnd,
    IReadOnlyList<TargetCheck> Targets,
    IReadOnlyList<string> Notes,
    double? IdleRatesAfterConvergedSeconds = null,
    IReadOnlyDictionary<string, GcActivity>? PacedGc = null)
{
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public void PrintTable(TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"OkvActors scale scenario: {Options.Nodes} nodes, {Options.Objects:N0} objects, {ShardCount} shards; {Machine}; {Started:u}");
        output.WriteLine($"{"TARGET",-34} {"GOAL",-22} {"MEASURED",-44} {"MET",-4} RATIO");
        foreach (var t in Targets)
        {
            output.WriteLine($"{t.Name,-34} {t.Target,-22} {t.Measured,-44} {(t.Met ? "yes" : "NO"),-4} {t.Ratio}");
        }

        output.WriteLine();
        output.WriteLine($"{"NODE",-8} {"IDLE EMPTY",-11} {"RSS AFTER LOAD",-16} {"IDLE CPU",-10} {"IDLE GC (0/1/2, pause)",-26} {"RSS AT END",-12} PEAK RSS");
        foreach (var node in AtEnd)
        {
            var afterLoad = AfterLoad.FirstOrDefault(n => n.Node == node.Node);
            var idle = Idle.FirstOrDefault(n => n.Node == node.Node);
            var empty = IdleEmpty.FirstOrDefault(n => n.Node == node.Node)?.CpuPercentOfOneCore is { } e ? $"{e:0.0}%" : "-";
            var gc = idle?.Gc is { } g ? $"{g.Gen0}/{g.Gen1}/{g.Gen2}, {g.PauseMs:0} ms" : "-";
            output.WriteLine($"{node.Node,-8} {empty,-11} {Mib(afterLoad?.RssBytes),-16} {(idle?.CpuPercentOfOneCore is { } cpu ? $"{cpu:0.0}%" : "-"),-10} {gc,-26} {Mib(node.RssBytes),-12} {Mib(node.PeakRssBytes)}");
        }

        foreach (var note in Notes)
        {
            output.WriteLine($"note: {note}");
        }

        output.WriteLine();
    }

    public static string Mib(long? bytes) => bytes is { } b ? $"{b / 1024.0 / 1024.0:0} MiB" : "-";
}
