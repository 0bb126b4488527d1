using System.Reflection;
using System.Runtime.Serialization;
using Akka.Configuration;
using Akka.DistributedData;
using Akka.DistributedData.Internal;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Replication;
using OkvActors.KeyStore.Serialization;
using OkvActors.KeyStore.Tests.Support;
using Xunit;

namespace OkvActors.KeyStore.Tests.Serialization;

/// <summary>What the Replicator hashes for gossip (<see cref="EnvelopeDigestSerializer"/>): small, equal for equal shards, different for different ones.</summary>
public sealed class EnvelopeDigestSerializerTests() : Akka.TestKit.Xunit2.TestKit(ConfigurationFactory.ParseString("akka.actor.provider = cluster")
    .WithFallback(KeyStoreSettings.DefaultConfig())
    .WithFallback(DistributedData.DefaultConfig()), "digest")
{
    private static readonly DateTimeOffset Later = Scenario.Start.AddHours(1);

    // The Replicator builds envelopes itself (their constructor is internal to Akka.DistributedData); so does this test.
    private static DataEnvelope Envelope(IReplicatedData data) => (DataEnvelope)Activator.CreateInstance(typeof(DataEnvelope),
        BindingFlags.Instance | BindingFlags.NonPublic, null, [data, null, null], null)!;

    private static KeyShard Shard(int objects) =>
        KeyShard.FromObjects(Enumerable.Range(0, objects).Select(i => Scenario.BaseObject($"uid-{i:D4}")).ToList());

    /// <summary>What Replicator.Digest does with an envelope: the serializer the system has bound to DataEnvelope.</summary>
    private byte[] AsReplicatorHashesIt(DataEnvelope envelope) =>
        Sys.Serialization.FindSerializerForType(typeof(DataEnvelope)).ToBinary(envelope);

    [Fact]
    public void The_replicator_finds_this_serializer_for_envelopes()
    {
        Assert.IsType<EnvelopeDigestSerializer>(Sys.Serialization.FindSerializerForType(typeof(DataEnvelope)));
    }

    [Fact]
    public void A_shard_is_hashed_as_its_own_digest_not_as_its_objects()
    {
        var shard = Shard(250);

        var bytes = AsReplicatorHashesIt(Envelope(shard));

        Assert.Equal(33, bytes.Length);
        Assert.Equal(shard.Digest, bytes[1..]);
        Assert.True(KeyStoreSerializer.Write(shard.Objects).Length > 50_000, "the stock form would carry every object");
    }

    [Fact]
    public void Equal_shards_hash_alike_and_a_changed_object_changes_the_bytes()
    {
        var shard = Shard(250);
        var sameObjectsAgain = KeyShard.FromObjects(KeyStoreSerializer.Read(KeyStoreSerializer.Write(shard.Objects)));
        var oneChanged = shard.Put(shard.Get("uid-0100")!.SetWallet("w", new Hlc(Later.UtcTicks, 0, "node-b")));

        Assert.Equal(AsReplicatorHashesIt(Envelope(shard)), AsReplicatorHashesIt(Envelope(sameObjectsAgain)));
        Assert.NotEqual(AsReplicatorHashesIt(Envelope(shard)), AsReplicatorHashesIt(Envelope(oneChanged)));
    }

    [Fact]
    public void Other_envelopes_keep_the_stock_form_and_read_back()
    {
        var serializer = (EnvelopeDigestSerializer)Sys.Serialization.FindSerializerForType(typeof(DataEnvelope));
        var deleted = DataEnvelope.DeletedEnvelope;

        var back = serializer.FromBinary(serializer.ToBinary(deleted), serializer.Manifest(deleted));

        Assert.Equal(deleted, back);
    }

    [Fact]
    public void A_shard_digest_cannot_be_read_back_as_a_shard()
    {
        var serializer = (EnvelopeDigestSerializer)Sys.Serialization.FindSerializerForType(typeof(DataEnvelope));
        var envelope = Envelope(Shard(3));

        var error = Assert.Throws<SerializationException>(() => serializer.FromBinary(serializer.ToBinary(envelope), serializer.Manifest(envelope)));

        Assert.Contains("cannot be read back", error.Message);
    }
}
