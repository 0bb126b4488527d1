using OkvActors.Chaos.Checks;
using OkvActors.Chaos.Faults;
using OkvActors.Chaos.History;
using Xunit;

namespace OkvActors.Chaos.Tests;

/// <summary>Builders for hand-made histories and end states: three nodes, everything healthy unless a test says otherwise.</summary>
internal static class Histories
{
    public static readonly IReadOnlyList<string> Nodes = ["node1", "node2", "node3"];
    public const double Margin = 15;

    private static long _id;

    public static ClientOperation Op(OpKind kind, string node, double start, double end, Outcome outcome = Outcome.Ok, string? uid = null,
        string? result = null, string? args = null, bool restricted = false, string? error = null) =>
        new(Interlocked.Increment(ref _id), 0, node, kind, uid, args, start, end, outcome, result, error, restricted);

    public static ClientOperation Created(string uid, double at = 1, string node = "node1") => Op(OpKind.Create, node, at, at + 0.05, result: uid);

    public static Observations Final(IReadOnlyDictionary<string, FinalObject>? objects = null, IReadOnlyList<NodeReplica>? replicas = null,
        IReadOnlyList<RegistryProbe>? registry = null, IReadOnlyList<PlaintextFinding>? plaintext = null, bool converged = true)
    {
        objects ??= new Dictionary<string, FinalObject>();
        var uids = objects.Values.Where(o => o.State is not null).Select(o => o.Uid).ToHashSet();
        replicas ??= Nodes.Select(n => new NodeReplica(n, new Dictionary<string, string> { ["shard-0"] = "d0", ["shard-1"] = "d1" }, uids)).ToArray();
        registry ??= [new RegistryProbe(100, "the end of the run", true, "akka.ssl.tcp://okv@10.231.0.1:37000", Nodes, "answered")];
        return new Observations(converged, replicas, objects, registry, plaintext ?? []);
    }

    public static Dictionary<string, FinalObject> Objects(params FinalObject[] objects) => objects.ToDictionary(o => o.Uid);

    public static IReadOnlyList<Violation> Check(IReadOnlyList<ClientOperation> history, Observations final, IReadOnlyList<FaultRecord>? faults = null,
        IReadOnlyList<NodeView>? views = null) =>
        HistoryChecker.Check(history, faults ?? [], Nodes, final, Margin, views);
}
