using System.Text.Json.Serialization;

namespace OkvActors.Chaos.Faults;

/// <summary>
/// Kill: kill -9, restarted later with its data (and possibly a shifted clock). Wipe: kill -9, its store emptied
/// (a replaced disk), restarted later. Pause: SIGSTOP, SIGCONT later. Partition: the nodes lose every packet to and
/// from the other nodes, healed later. CutWipe: cut off like a partition, then, before the cluster has decided it is
/// gone, killed and its store emptied; healed and restarted later. Whatever it accepted while cut off is then only
/// as safe as the write quorum made it. Downed: not injected but seen: the node stopped by itself (the cluster downed
/// it, e.g. after a partition) and the harness restarted it, as an operator's service manager would.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<FaultKind>))]
public enum FaultKind
{
    Kill,
    Wipe,
    Pause,
    Partition,
    CutWipe,
    Downed,
}

/// <summary>
/// One fault of the seeded plan: at <see cref="At"/> seconds into the run, for <see cref="Duration"/> seconds.
/// <see cref="Nodes"/> are 1-based node numbers; a <see cref="Controller"/> kill picks, when it fires, whichever node
/// then runs the controller (so <see cref="Nodes"/> is empty). <see cref="ClockOffset"/>: seconds the restarted
/// node's clock is shifted by (Kill, Wipe and CutWipe; within the cluster's max-clock-skew).
/// </summary>
public sealed record PlannedFault(double At, double Duration, FaultKind Kind, IReadOnlyList<int> Nodes, bool Controller = false, double ClockOffset = 0)
{
    public override string ToString() =>
        $"{At,7:F1}s +{Duration,5:F1}s {Kind,-9} {(Controller ? "controller" : string.Join(",", Nodes.Select(n => $"node{n}")))}"
        + (ClockOffset != 0 ? $" (restart clock {ClockOffset:+0.0;-0.0}s)" : "");
}

/// <summary>
/// A fault as it happened: the node names it hit, when it began and when it was undone (the restart, SIGCONT or
/// heal), in seconds since the run started. <see cref="End"/> is null while it lasts.
/// </summary>
public sealed record FaultRecord(FaultKind Kind, IReadOnlyList<string> Nodes, double Start, double? End, string Detail)
{
    public bool Covers(double t) => t >= Start && (End is not { } end || t < end);

    public override string ToString() =>
        $"{Start,7:F1}s..{(End is { } e ? $"{e:F1}s" : "open"),-8} {Kind,-9} {string.Join(",", Nodes)} {Detail}";
}
