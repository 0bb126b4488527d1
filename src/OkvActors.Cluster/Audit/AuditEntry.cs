using System.Text.Json.Serialization;
using OkvActors.Cluster.Serialization;

namespace OkvActors.Cluster.Audit;

/// <summary>
/// One line of a node's audit log: who did what to which object, with what result, where and when,
/// chained to the line before by <see cref="PreviousHash"/> and sealed by <see cref="Hash"/>
/// (see <see cref="AuditChain"/>). It is the journalled event itself, so the journal is the log.
/// <para>
/// <see cref="Detail"/> is a short, human explanation (a failure reason, a node name): callers never put
/// key material, passphrases or wrapped keys there, because the log is exported and read by operators.
/// </para>
/// The JSON names are fixed here, not by a naming policy, because exported JSON lines are a contract.
/// </summary>
public sealed record AuditEntry(
    [property: JsonPropertyName("sequence")] long Sequence,
    [property: JsonPropertyName("time")] DateTimeOffset Time,
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("who")] string Who,
    [property: JsonPropertyName("operation")] string Operation,
    [property: JsonPropertyName("objectUid")] string? ObjectUid,
    [property: JsonPropertyName("result")] string Result,
    [property: JsonPropertyName("detail")] string? Detail,
    [property: JsonPropertyName("previousHash")] string PreviousHash,
    [property: JsonPropertyName("hash")] string Hash) : IOkvMessage
{
    /// <summary>The result of an operation that did what was asked; anything else is a failure code.</summary>
    public const string Success = "success";
}

/// <summary>
/// The end of a chain: the last sequence number and its hash. It is all a new entry needs, and all the
/// audit log's snapshots hold: the entries stay in the journal, never copied into a snapshot.
/// </summary>
public sealed record AuditHead(
    [property: JsonPropertyName("sequence")] long Sequence,
    [property: JsonPropertyName("hash")] string Hash) : IOkvMessage
{
    /// <summary>Before the first entry: sequence 0 and the all-zero hash the first entry links to.</summary>
    public static readonly AuditHead Genesis = new(0, AuditChain.GenesisHash);
}
