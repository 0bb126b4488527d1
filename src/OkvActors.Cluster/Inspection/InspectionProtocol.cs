using OkvActors.Cluster.Serialization;
using OkvActors.KeyStore.Replication;

namespace OkvActors.Cluster.Inspection;

/// <summary>Asks a node's inspector for its replica's shard digests (answered by <see cref="ShardsInspected"/>).</summary>
public sealed record InspectShards : IOkvMessage
{
    public static readonly InspectShards Instance = new();
}

/// <summary>One node's shards as it holds them: equal digests on every node mean converged replicas.</summary>
public sealed record ShardsInspected(string Node, IReadOnlyList<ShardDigest> Shards) : IOkvMessage;

/// <summary>Asks a node's inspector who it is and its mode; the round trip is the link's latency.</summary>
public sealed record InspectNode : IOkvMessage
{
    public static readonly InspectNode Instance = new();
}

public sealed record NodeInspected(string Node, string Address, bool Restricted, string ModeReason, int Pid) : IOkvMessage;

/// <summary>Does this node's replica hold the lag probe <paramref name="ProbeId"/> yet? (<see cref="LagProbeSeen"/>).</summary>
public sealed record SeesLagProbe(string ProbeId) : IOkvMessage;

public sealed record LagProbeSeen(string Node, bool Seen) : IOkvMessage;
