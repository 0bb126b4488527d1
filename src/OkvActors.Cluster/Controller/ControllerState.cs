using OkvActors.Cluster.Serialization;

namespace OkvActors.Cluster.Controller;

/// <summary>Where a node stands in the controller's registry.</summary>
public enum NodeState
{
    /// <summary>Approved by an operator, not yet admitted.</summary>
    Candidate,

    /// <summary>Admitted: may be a cluster member.</summary>
    Active,

    /// <summary>Taken out of the cluster for a while; may come back through enable.</summary>
    Disabled,

    /// <summary>Left gracefully; its certificate is revoked.</summary>
    Removed,

    /// <summary>Downed while dead or unreachable; its certificate is revoked.</summary>
    ForceRemoved,

    /// <summary>
    /// Was admitted, then its conversion failed and it took the admission back (<see cref="WithdrawAdmission"/>):
    /// not a member, not counted; its approval stands, so the same candidate may join again.
    /// </summary>
    Withdrawn,
}

public sealed record NodeRecord(
    string Name,
    string Subgroup,
    NodeState State,
    string Fingerprint,
    string? Address,
    string? Version,
    DateTimeOffset Since)
{
    public bool IsGone => State is NodeState.Removed or NodeState.ForceRemoved;

    /// <summary>Not in the cluster and not expected back under this admission: gone, or withdrawn.</summary>
    public bool HoldsNoSeat => IsGone || State == NodeState.Withdrawn;
}

/// <summary>A CSR an operator approved: its key (SPKI) so the KEK can be wrapped to it at admission.</summary>
public sealed record Approval(string Fingerprint, string Name, byte[] PublicKeyInfo, DateTimeOffset ApprovedAt);

public sealed record Revocation(string Fingerprint, string Name, string Reason, DateTimeOffset At);

/// <summary>Cluster-wide settings fixed at init (name) or changed only through the controller.</summary>
public sealed record ClusterPolicy(
    string ClusterName,
    IReadOnlyList<string> Subgroups,
    int MaxNodes,
    TimeSpan MaxClockSkew,
    TimeSpan MaxDisableDuration)
{
    public const int LowestMaxNodes = 2;
    public const int HighestMaxNodes = 16;
}

/// <summary>
/// Everything the controller owns, as one immutable value. Only the controller singleton writes it;
/// <see cref="Version"/> grows by one per change, so replicas order copies without clocks.
/// </summary>
public sealed record ControllerState(
    long Version,
    string Writer,
    ClusterPolicy Policy,
    IReadOnlyList<NodeRecord> Nodes,
    IReadOnlyList<Approval> Approvals,
    IReadOnlyList<Revocation> Revocations) : IOkvMessage
{
    public NodeRecord? Node(string name) => Nodes.FirstOrDefault(n => n.Name == name);

    public NodeRecord? NodeByAddress(string address) => Nodes.FirstOrDefault(n => n.Address == address);

    public Approval? ApprovalOf(string fingerprint) => Approvals.FirstOrDefault(a => a.Fingerprint == fingerprint);

    public bool IsRevoked(string fingerprint) => Revocations.Any(r => r.Fingerprint == fingerprint);

    /// <summary>Nodes that count against the size limit: everything not removed.</summary>
    public int Members => Nodes.Count(n => n.State is NodeState.Active or NodeState.Disabled);

    public ControllerState Next(string writer, Func<ControllerState, ControllerState> change) =>
        change(this) with { Version = Version + 1, Writer = writer };

    public ControllerState WithNode(NodeRecord node) =>
        this with { Nodes = Nodes.Where(n => n.Name != node.Name).Append(node).OrderBy(n => n.Name, StringComparer.Ordinal).ToArray() };

    public static ControllerState Genesis(ClusterPolicy policy, NodeRecord firstNode, string writer) =>
        new(1, writer, policy, [firstNode], [], []);
}
