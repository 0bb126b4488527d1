using System.Text.Json;
using System.Text.Json.Serialization;
using OkvActors.Crypto.Hsm;

namespace OkvActors.Cluster.Storage;

/// <summary>Where a node's data directory stands in the candidate → member flow.</summary>
public enum NodeStage
{
    /// <summary>Has a key and a CSR, waits for an operator's approval and a bundle.</summary>
    Candidate,

    /// <summary>Admitted (or the controller that initialised the cluster): `okv run` starts it.</summary>
    Member,

    /// <summary>
    /// Admitted and holding its member files, but not yet synchronised: the next `okv run` joins the cluster
    /// and becomes <see cref="Member"/> once it holds a full replica, or rolls back to <see cref="Candidate"/>.
    /// </summary>
    Joining,
}

/// <summary>
/// A node's identity and addresses, kept as node.json in its data directory. <see cref="Hsm"/> is set
/// when the node's copy of the cluster KEK is sealed by an HSM (secrets/kek.hsm) instead of wrapped to
/// its node key; it is left out of the JSON when absent, so node.json files written before it still read
/// as "no HSM" and nodes without one write what they always wrote. The PIN is never recorded.
/// <paramref name="ShardCount"/> is the cluster's key shard count, fixed at init and handed to every node it
/// admits: a UID lives in the shard its hash names, so nodes that disagreed on the count would look for the
/// same key in different shards.
/// </summary>
public sealed record NodeManifest(
    string Name,
    string Subgroup,
    string Host,
    int Port,
    int KmipPort,
    int ManagementPort,
    int HttpsPort,
    NodeStage Stage,
    string? Cluster = null,
    IReadOnlyList<string>? Seeds = null,
    bool Founder = false,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] HsmOptions? Hsm = null,
    int? ShardCount = null)
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public string RemotingAddress(string cluster) => $"akka.ssl.tcp://{cluster}@{Host}:{Port}";

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    public static NodeManifest FromJson(string json) =>
        JsonSerializer.Deserialize<NodeManifest>(json, Options) ?? throw new JsonException("empty node.json");
}
