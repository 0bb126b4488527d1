using System.Text;

namespace OkvActors.KeyStore.Replication;

/// <summary>
/// Which shard holds a UID: FNV-1a (64-bit) over its UTF-8 bytes, modulo the cluster's fixed shard count.
/// Stable across processes, machines and .NET versions (unlike string.GetHashCode, randomised per process).
/// </summary>
public static class ShardMap
{
    private const ulong OffsetBasis = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;

    public static int ShardOf(string uid, int shardCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        Span<byte> buffer = stackalloc byte[256];
        var bytes = Encoding.UTF8.GetByteCount(uid) <= buffer.Length
            ? buffer[..Encoding.UTF8.GetBytes(uid, buffer)]
            : Encoding.UTF8.GetBytes(uid);
        var hash = OffsetBasis;
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * Prime;
        }

        return (int)(hash % (ulong)shardCount);
    }

    public const string KeyPrefix = "okv-shard-";

    /// <summary>The Distributed Data key id of a shard: "okv-shard-0042".</summary>
    public static string KeyId(int shard) => $"{KeyPrefix}{shard:D4}";
}
