using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using OkvActors.KeyStore.Access;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Replication;

namespace OkvActors.KeyStore.Serialization;

/// <summary>
/// Serializer for key shards, their deltas and the access registry (<see cref="AccessRegistryCodec"/>). Shards: a version byte, the object count, then each object's
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

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => o switch
    {
        KeyShard => ShardManifest,
        KeyShardDelta => DeltaManifest,
        AccessRegistry => AccessManifest,
        _ => throw new ArgumentException($"{o.GetType()} is not a key-store type", nameof(o)),
    };

    public override byte[] ToBinary(object obj) => obj switch
    {
        KeyShard shard => Write(shard.Objects),
        KeyShardDelta delta => Write(delta.Objects),
        AccessRegistry access => AccessRegistryCodec.Encode(access),
        _ => throw new ArgumentException($"{obj.GetType()} is not a key-store type", nameof(obj)),
    };

    public override object FromBinary(byte[] bytes, string manifest) => manifest switch
    {
        ShardManifest => KeyShard.FromObjects(Read(bytes)),
        DeltaManifest => KeyShardDelta.Of(Read(bytes)),
        AccessManifest => AccessRegistryCodec.Decode(bytes),
        _ => throw new SerializationException($"unknown key-store manifest '{manifest}'"),
    };

    public static byte[] Write(ImmutableSortedDictionary<string, ManagedObject> objects)
    {
        var size = 5;
        foreach (var o in objects.Values)
        {
            size += 4 + o.Encoded.Length;
        }

        var bytes = new byte[size];
        bytes[0] = FormatVersion;
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(1), objects.Count);
        var at = 5;
        foreach (var o in objects.Values)
        {
            var encoded = o.Encoded;
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), encoded.Length);
            encoded.CopyTo(bytes, at + 4);
            at += 4 + encoded.Length;
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
