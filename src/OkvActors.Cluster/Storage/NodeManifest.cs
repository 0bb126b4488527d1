using System.Text.Json;
using System.Text.Json.Serialization;

namespace OkvActors.Cluster.Storage;

/// <summary>Where a node's data directory stands in the candidate → member flow.</summary>
public enum NodeStage
{
    /// <summary>Has a key and a CSR, waits for an operator's approval and a bundle.</summary>
    Candidate,

    /// <summary>Admitted (or the controller that initialised the cluster): `okv run` starts it.</summary>
    Member,
}

/// <summary>
/// A node's identity and addresses, kept as node.json in its data directory. <paramref name="ShardCount"/> is the
/// cluster's key shard count, fixed at init and handed to every node it admits: a UID lives in the shard its
/// hash names, so nodes that disagreed on the count would look for the same key in different shards.
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
