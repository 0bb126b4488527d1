using System.Runtime.Serialization;
using Akka.Actor;
using Akka.DistributedData.Internal;
using Akka.DistributedData.Serialization;
using Akka.Serialization;
using OkvActors.KeyStore.Replication;

namespace OkvActors.KeyStore.Serialization;

/// <summary>
/// The serializer bound to Distributed Data's <see cref="DataEnvelope"/>, which Akka.NET 1.5's Replicator looks up for
/// one purpose: to hash an envelope for gossip (<c>Replicator.Digest</c>: SHA-1 over <c>ToBinary</c>). Replication
/// itself never goes through it (Write, Read, Gossip and delta messages carry envelopes inside their own protobuf).
/// For a key shard with no pruning, the stock form is the whole shard (about 75 KB at 250 objects), serialized and
/// copied twice per digest, hundreds of times per gossip round while writes flow: most of what a node allocated under
/// load. Here it is the shard's own digest instead (<see cref="KeyShard.Digest"/>; equal shards, equal bytes).
/// Everything else, and shards being pruned, take the stock form, which this serializer also reads.
/// </summary>
public sealed class EnvelopeDigestSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int SerializerId = 4713;
    private const string ShardDigestManifest = "okv-shard-digest";
    private const byte FormatVersion = 2;
    private readonly ReplicatorMessageSerializer _stock = new(system);

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => IsShardForDigest(o) ? ShardDigestManifest : _stock.Manifest(o);

    public override byte[] ToBinary(object obj)
    {
        if (obj is DataEnvelope { Data: KeyShard shard } envelope && IsShardForDigest(envelope))
        {
            var digest = shard.Digest;
            var bytes = new byte[1 + digest.Length];
            bytes[0] = FormatVersion;
            digest.CopyTo(bytes, 1);
            return bytes;
        }

        return _stock.ToBinary(obj);
    }

    public override object FromBinary(byte[] bytes, string manifest) => manifest == ShardDigestManifest
        ? throw new SerializationException("a key shard's digest form identifies the shard; it does not hold it and cannot be read back")
        : _stock.FromBinary(bytes, manifest);

    // Pruning state (after a member is removed) is part of an envelope's identity: such envelopes hash their stock form.
    private static bool IsShardForDigest(object o) => o is DataEnvelope { Data: KeyShard, Pruning.IsEmpty: true };
}
