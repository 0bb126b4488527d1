using System.Buffers.Binary;
using System.Runtime.Serialization;
using System.Security.Cryptography;
using System.Text;
using OkvActors.KeyStore.Replication;

namespace OkvActors.KeyStore.Serialization;

/// <summary>
/// <see cref="ShardDigests"/> on the wire: a version byte, the refusal (length-prefixed UTF-8, -1 for none), the count,
/// then each key id (length-prefixed UTF-8) and its 32-byte digest. Whatever a peer sends, reading it either gives
/// digests or throws <see cref="SerializationException"/>.
/// </summary>
public static class ShardDigestsCodec
{
    private const byte FormatVersion = 1;
    private const int MaxStringBytes = 4096;

    public static byte[] Encode(ShardDigests digests)
    {
        using var buffer = new MemoryStream();
        using var w = new BinaryWriter(buffer, Encoding.UTF8);
        w.Write(FormatVersion);
        WriteString(w, digests.Refused);
        w.Write(digests.Digests.Count);
        foreach (var (key, digest) in digests.Digests.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            if (digest.Length != SHA256.HashSizeInBytes)
            {
                throw new ArgumentException($"the digest of {key} is {digest.Length} bytes, not {SHA256.HashSizeInBytes}", nameof(digests));
            }

            WriteString(w, key);
            w.Write(digest);
        }

        w.Flush();
        return buffer.ToArray();
    }

    public static ShardDigests Decode(ReadOnlySpan<byte> bytes)
    {
        var at = 0;
        if (Take(bytes, ref at, 1)[0] != FormatVersion)
        {
            throw new SerializationException($"shard digests format {bytes[0]} is not supported");
        }

        var refused = ReadString(bytes, ref at);
        var count = BinaryPrimitives.ReadInt32LittleEndian(Take(bytes, ref at, 4));
        if (count < 0 || count > (bytes.Length - at) / (4 + SHA256.HashSizeInBytes))
        {
            throw new SerializationException($"implausible shard digest count {count}");
        }

        var digests = new Dictionary<string, byte[]>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var key = ReadString(bytes, ref at) ?? throw new SerializationException("a shard digest without a key");
            if (!digests.TryAdd(key, Take(bytes, ref at, SHA256.HashSizeInBytes).ToArray()))
            {
                throw new SerializationException($"shard {key} has two digests");
            }
        }

        return at == bytes.Length ? new ShardDigests(digests, refused) : throw new SerializationException("trailing bytes after shard digests");
    }

    private static void WriteString(BinaryWriter w, string? value)
    {
        if (value is null)
        {
            w.Write(-1);
            return;
        }

        var bytes = Encoding.UTF8.GetBytes(value);
        w.Write(bytes.Length);
        w.Write(bytes);
    }

    private static string? ReadString(ReadOnlySpan<byte> bytes, ref int at)
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(Take(bytes, ref at, 4));
        if (length is < -1 or > MaxStringBytes)
        {
            throw new SerializationException($"implausible string length {length} in shard digests");
        }

        return length < 0 ? null : Encoding.UTF8.GetString(Take(bytes, ref at, length));
    }

    private static ReadOnlySpan<byte> Take(ReadOnlySpan<byte> bytes, ref int at, int count)
    {
        if (count > bytes.Length - at)
        {
            throw new SerializationException("truncated shard digests");
        }

        var slice = bytes.Slice(at, count);
        at += count;
        return slice;
    }
}
