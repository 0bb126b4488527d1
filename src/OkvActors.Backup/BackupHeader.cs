using System.Text.Json;
using System.Text.Json.Serialization;

namespace OkvActors.Backup;

/// <summary>
/// What an archive says about itself, readable before any passphrase: who wrote it (software version,
/// cluster, node), when, under which KEK (<see cref="KekId"/>, <c>KeyEncryptionKey.KeyId</c>, and its generation), the cluster's
/// shard count and how many managed objects it holds. <see cref="FormatVersion"/> and
/// <see cref="ObjectCount"/> live in the binary header, the rest as JSON.
/// </summary>
public sealed record BackupHeader(
    string SoftwareVersion,
    string Cluster,
    string Node,
    DateTimeOffset CreatedAt,
    string KekId,
    int ShardCount)
{
    /// <summary>The KEK's generation (1 until the first rotation): the restored node must wrap under it as the same generation.</summary>
    public int KekGeneration { get; init; } = 1;

    [JsonIgnore]
    public int FormatVersion { get; init; } = BackupFormat.CurrentVersion;

    [JsonIgnore]
    public long ObjectCount { get; init; }

    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    internal byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Options);

    internal static BackupHeader FromJson(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize<BackupHeader>(json, Options) ?? throw new JsonException("empty header");
}
