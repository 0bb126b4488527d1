namespace OkvActors.Chaos.Checks;

/// <summary>What the harness read from the healed cluster at the end of a run, for the checker.</summary>
/// <param name="Converged">Every replica's per-shard digests became equal before the convergence timeout.</param>
/// <param name="Nodes">Each node's replica: its per-shard digests and the UIDs it holds.</param>
/// <param name="Objects">Each acknowledged object as its final state reads (on one node, once the replicas are equal).</param>
/// <param name="Registry">The controller's registry as read after every controller kill, and once at the end.</param>
/// <param name="Plaintext">Key material the workload knows, found in plaintext in a node's files or logs.</param>
public sealed record Observations(
    bool Converged,
    IReadOnlyList<NodeReplica> Nodes,
    IReadOnlyDictionary<string, FinalObject> Objects,
    IReadOnlyList<RegistryProbe> Registry,
    IReadOnlyList<PlaintextFinding> Plaintext);

public sealed record NodeReplica(string Node, IReadOnlyDictionary<string, string> ShardDigests, IReadOnlySet<string> Uids);

/// <summary><see cref="State"/> null: no node holds the object. <see cref="MaterialHash"/>: SHA-256 of the material Get returns now.</summary>
public sealed record FinalObject(string Uid, string? State, string? MaterialHash);

/// <summary>The controller's registry after <see cref="Reason"/> (e.g. "kill of node2, the controller"): did it answer, which nodes does it list.</summary>
public sealed record RegistryProbe(double At, string Reason, bool Answered, string? Controller, IReadOnlyList<string> Listed, string Detail);

/// <summary>A node's file holding the material of <see cref="Uid"/> in plaintext, in the given encoding (raw, hex, base64).</summary>
public sealed record PlaintextFinding(string File, long Offset, string Uid, string Encoding);

/// <summary>A check that did not hold, with the operations (ids in the history) it concerns.</summary>
public sealed record Violation(string Check, string Message, IReadOnlyList<long> Operations)
{
    public override string ToString() => $"[{Check}] {Message}" + (Operations.Count > 0 ? $" (operations {string.Join(", ", Operations.Select(o => $"#{o}"))})" : "");
}
