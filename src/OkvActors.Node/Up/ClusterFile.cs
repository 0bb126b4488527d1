using System.Text.Json;
using System.Text.Json.Serialization;

namespace OkvActors.Node.Up;

/// <summary>DIR/cluster.json, the contract other tools (okvctl, chaos harness, benchmarks, tests) read.</summary>
public sealed record ClusterFile(
    [property: JsonPropertyName("cluster")] string Cluster,
    [property: JsonPropertyName("nodes")] IReadOnlyList<ClusterFileNode> Nodes,
    [property: JsonPropertyName("pki")] ClusterFilePki Pki)
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    public static ClusterFile Read(string path) =>
        JsonSerializer.Deserialize<ClusterFile>(File.ReadAllText(path), Options) ?? throw new JsonException("empty cluster.json");
}

public sealed record ClusterFileNode(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("subgroup")] string Subgroup,
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("remoting")] string Remoting,
    [property: JsonPropertyName("kmip")] string Kmip,
    [property: JsonPropertyName("management")] string Management,
    [property: JsonPropertyName("https")] string Https,
    [property: JsonPropertyName("data")] string Data);

public sealed record ClusterFileIdentity(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("cert")] string Cert,
    [property: JsonPropertyName("key")] string Key);

public sealed record ClusterFilePki(
    [property: JsonPropertyName("ca")] string Ca,
    [property: JsonPropertyName("endpoints")] IReadOnlyList<ClusterFileIdentity> Endpoints,
    [property: JsonPropertyName("operator")] ClusterFileIdentity Operator);
