using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using OkvActors.KeyStore.Access;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Replication;
using OkvActors.KeyStore.Vault;

namespace OkvActors.KeyStore.Serialization;

/// <summary>
/// Serializer for key shards, their deltas, the access registry (<see cref="AccessRegistryCodec"/>) and the batches of
/// writes vaults send each other (an id in front of a shard's encoding). Shards: a version byte, the object count, then each object's
/// cached deterministic encoding in UID order. The same shard always gives the same bytes, so the
/// Replicator's digests agree across replicas; re-serializing a shard costs copying cached bytes.
/// </summary>
public sealed class KeyStoreSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int SerializerId = 4712;
    private const byte FormatVersion = 1;
    private const string ShardManifest = "shard";
    private const string DeltaManifest = "shard-delta";
    private const string AccessManifest = "access";
    private const string BatchManifest = "replica-batch";
    private const string BatchStoredManifest = "replica-batch-stored";
    private const string DigestsQueryManifest = "shard-digests-query";
    private const string DigestsManifest = "shard-digests";

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => o switch
    {
        KeyShard => ShardManifest,
        KeyShardDelta => DeltaManifest,
        AccessRegistry => AccessManifest,
        ReplicaBatch => BatchManifest,
        ReplicaBatchStored => BatchStoredManifest,
        ShardDigestsQuery => DigestsQueryManifest,
        ShardDigests => DigestsManifest,
        _ => throw new ArgumentException($"{o.GetType()} is not a key-store type", nameof(o)),
    };

    public override byte[] ToBinary(object obj) => obj switch
    {
        KeyShard shard => Write(shard.Objects),
        KeyShardDelta delta => Write(delta.Objects),
        AccessRegistry access => AccessRegistryCodec.Encode(access),
        ReplicaBatch batch => WithId(batch.Id, Write(batch.Objects, batch.Objects.Count)),
        ReplicaBatchStored stored => WithId(stored.Id, [stored.Stored ? (byte)1 : (byte)0]),
        ShardDigestsQuery => [FormatVersion],
        ShardDigests digests => ShardDigestsCodec.Encode(digests),
        _ => throw new ArgumentException($"{obj.GetType()} is not a key-store type", nameof(obj)),
    };

    public override object FromBinary(byte[] bytes, string manifest) => manifest switch
    {
        ShardManifest => KeyShard.FromObjects(Read(bytes)),
        DeltaManifest => KeyShardDelta.Of(Read(bytes)),
        AccessManifest => AccessRegistryCodec.Decode(bytes),
        BatchManifest => new ReplicaBatch(ReadId(bytes), Read(bytes.AsSpan(8))),
        BatchStoredManifest when bytes.Length == 9 && bytes[8] <= 1 => new ReplicaBatchStored(ReadId(bytes), bytes[8] == 1),
        BatchStoredManifest => throw new SerializationException("malformed replica batch answer"),
        DigestsQueryManifest when bytes is [FormatVersion] => ShardDigestsQuery.Instance,
        DigestsQueryManifest => throw new SerializationException("malformed shard digests query"),
        DigestsManifest => ShardDigestsCodec.Decode(bytes),
        _ => throw new SerializationException($"unknown key-store manifest '{manifest}'"),
    };

    /// <summary>A batch id (8 bytes, little-endian) in front of <paramref name="body"/>.</summary>
    private static byte[] WithId(long id, byte[] body)
    {
        var bytes = new byte[8 + body.Length];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, id);
        body.CopyTo(bytes, 8);
        return bytes;
    }

    private static long ReadId(byte[] bytes) => bytes.Length >= 8
        ? BinaryPrimitives.ReadInt64LittleEndian(bytes)
        : throw new SerializationException("truncated replica batch");

    public static byte[] Write(ImmutableSortedDictionary<string, ManagedObject> objects) => Write(objects.Values, objects.Count);

    private static byte[] Write(IEnumerable<ManagedObject> objects, int count)
    {
        // Objects keep their encodings' lengths, not the encodings: size the message, then encode each object into it.
        var size = 5;
        foreach (var o in objects)
        {
            size += 4 + o.EncodedLength;
        }

        var bytes = new byte[size];
        bytes[0] = FormatVersion;
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(1), count);
        var writer = new FixedBufferWriter(bytes, 5);
        foreach (var o in objects)
        {
            var at = writer.Position;
            BinaryPrimitives.WriteInt32LittleEndian(writer.GetSpan(4), o.EncodedLength);
            writer.Advance(4);
            ManagedObjectCodec.Encode(o, writer);
            if (writer.Position - at - 4 != o.EncodedLength)
            {
                throw new SerializationException($"object {o.Uid} encoded to {writer.Position - at - 4} bytes, not the {o.EncodedLength} it hashed");
            }
        }

        return bytes;
    }

    public static IReadOnlyList<ManagedObject> Read(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 5 || bytes[0] != FormatVersion)
        {
            throw new SerializationException($"key shard format {(bytes.Length == 0 ? "none" : bytes[0])} is not supported");
        }

        var count = BinaryPrimitives.ReadInt32LittleEndian(bytes[1..]);
        if (count < 0 || count > bytes.Length)
        {
            throw new SerializationException($"implausible object count {count}");
        }

        var objects = new List<ManagedObject>(count);
        var at = 5;
        for (var i = 0; i < count; i++)
        {
            if (at + 4 > bytes.Length)
            {
                throw new SerializationException("truncated key shard");
            }

            var length = BinaryPrimitives.ReadInt32LittleEndian(bytes[at..]);
            if (length < 0 || at + 4 + length > bytes.Length)
            {
                throw new SerializationException("truncated key shard");
            }

            objects.Add(ManagedObjectCodec.Decode(bytes.Slice(at + 4, length)));
            at += 4 + length;
        }

        return objects;
    }
}
