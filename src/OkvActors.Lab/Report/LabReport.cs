namespace OkvActors.Lab.Report;

/// <summary>The systems the lab measures.</summary>
public static class Systems
{
    public const string Okv = "OkvActors";
    public const string PyKmip = "pykmip-server";
    public const string Etcd = "etcd";
}

/// <summary>One closed-loop run: one system, one operation, one concurrency.</summary>
public sealed record MacroRow(
    string System, string Operation, int Clients, double Seconds, long Count, long Errors, double OpsPerSecond,
    double P50Ms, double P95Ms, double P99Ms, double MaxMs, double LoadAverage, string? Failure = null);

/// <summary>OkvActors against one peer for one operation at one concurrency; Ratio = ours / peer (ops/s).</summary>
public sealed record Comparison(
    string Operation, int Clients, string Peer, string PeerOperation,
    double OursOpsPerSecond, double? PeerOpsPerSecond, double? Ratio, double OursP99Ms, double? PeerP99Ms);

/// <summary>
/// Writes under load while one member is killed -9: the longest stretch without an acknowledged write on the
/// survivors, acknowledged writes later missing, and how long the restarted member took to serve again.
/// <see cref="GapBeforeKillMs"/> is the longest stretch of the same load before the kill: what the machine's own
/// pauses (GC, scheduling on shared cores) cost without any failure.
/// </summary>
public sealed record AvailabilityResult(
    string System, string Victim, int Clients, double Seconds, long Acknowledged, long FailedRequests,
    long LostAcknowledged, long Verified, double WriteGapMs, double? RemovedSeconds, double? RejoinSeconds, string How, IReadOnlyList<string> ErrorSamples,
    double? GapBeforeKillMs = null);

/// <summary>Time from a write's acknowledgement request to its being readable on every member (local reads).</summary>
public sealed record ConvergenceResult(string System, int Samples, int NeverSeen, double P50Ms, double P99Ms, double MaxMs, string How);

/// <summary>A member's resident memory after the scale load (VmRSS and its peak, VmHWM).</summary>
public sealed record NodeMemory(string Name, long RssBytes, long PeakRssBytes)
{
    /// <summary>A running member's memory now, from /proc.</summary>
    public static NodeMemory Of(string name, int pid)
    {
        var (rss, peak) = LoadGen.ProcessStats.Memory(pid);
        return new NodeMemory(name, rss, peak);
    }
}

/// <summary>N records loaded into one system (the lab's own, or a fresh cluster loaded only with them), how fast, and each member's memory afterwards.</summary>
public sealed record ScaleResult(
    string System, int Objects, int Acknowledged, int Failed, double Seconds, double PerSecond, IReadOnlyList<NodeMemory> Members, string How,
    bool FreshCluster = false);

/// <summary>
/// Every member killed -9 at once and restarted (a power cut): seconds from the restart until each member served
/// again (null: not within the lab's limit) and its memory then. Records: what the system held when it was killed.
/// </summary>
public sealed record RecoveryResult(
    string System, long Records, IReadOnlyDictionary<string, double?> ServingSeconds, IReadOnlyList<NodeMemory> MembersAfter, string How, bool FreshCluster = false)
{
    /// <summary>When the last member served again; null when one never did.</summary>
    public double? AllServingSeconds => ServingSeconds.Values.Any(v => v is null) ? null : ServingSeconds.Values.Max();
}

/// <summary>
/// A cluster of <paramref name="Nodes"/> formed from nothing: how long `okv up` took, each member's idle CPU (% of one core)
/// and mean resident memory once settled, KMIP Create from a few clients, and the convergence probe.
/// </summary>
public sealed record GrowthResult(
    int Nodes, double FormationSeconds, double IdleCpuMeanPercent, double IdleCpuMaxPercent, long RssMeanBytes, MacroRow Create, ConvergenceResult Convergence);

/// <summary>A frame (or a component) of a CPU profile and its inclusive share of the samples, in %.</summary>
public sealed record ProfileFrame(string Frame, double InclusivePercent);

/// <summary>
/// One node profiled during one run (<see cref="Scenarios.NodeProfiler"/>): the runtime's meters, the CPU share of
/// each component and the heaviest frames; a failure says which tool did not deliver and why.
/// </summary>
public sealed record NodeProfile(
    string Run, string Node, double WindowSeconds, Scenarios.RuntimeMeters? Meters, IReadOnlyList<ProfileFrame> Components, IReadOnlyList<ProfileFrame> Heaviest,
    string? Trace, string? CountersFailure, string? TraceFailure);

/// <summary>A target of issue #7 and what was measured; Met is null when the figure was not measured.</summary>
public sealed record TargetVerdict(string Target, string Measured, bool? Met, string Detail);

public sealed record MachineInfo(int Cores, string Os, string Runtime, string LoadBefore, string LoadAfter);

public sealed record LabReport(
    DateTimeOffset Started,
    DateTimeOffset Finished,
    MachineInfo Machine,
    string Command,
    int ValueBytes,
    IReadOnlyList<MacroRow> Macro,
    IReadOnlyList<Comparison> Comparisons,
    IReadOnlyList<AvailabilityResult> Availability,
    IReadOnlyList<ConvergenceResult> Convergence,
    IReadOnlyList<ScaleResult> Scale,
    IReadOnlyList<GrowthResult> Growth,
    IReadOnlyList<TargetVerdict> Targets,
    IReadOnlyList<string> NotRun,
    IReadOnlyList<string> Notes,
    IReadOnlyList<RecoveryResult>? Recovery = null,
    IReadOnlyList<NodeProfile>? Profiles = null,
    IReadOnlyList<MicroResult>? Micro = null);
