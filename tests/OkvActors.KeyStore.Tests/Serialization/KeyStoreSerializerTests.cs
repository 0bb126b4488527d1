using System.Runtime.Serialization;
using Akka.Configuration;
using Akka.DistributedData;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Serialization;
using OkvActors.KeyStore.Tests.Support;
using OkvActors.KeyStore.Vault;
using Xunit;

namespace OkvActors.KeyStore.Tests.Serialization;

/// <summary>The batches of writes vaults send each other go through our serializer, and malformed ones are refused.</summary>
public sealed class KeyStoreSerializerTests() : Akka.TestKit.Xunit2.TestKit(ConfigurationFactory.ParseString("akka.actor.provider = cluster")
    .WithFallback(KeyStoreSettings.DefaultConfig())
    .WithFallback(DistributedData.DefaultConfig()), "serializer")
{
    private T RoundTrip<T>(T message) where T : notnull
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);
        Assert.IsType<KeyStoreSerializer>(serializer);
        return (T)Sys.Serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, message));
    }

    [Fact]
    public void A_batch_of_writes_keeps_its_id_and_every_object_byte_for_byte()
    {
        var batch = new ReplicaBatch(long.MaxValue - 7, [Scenario.BaseObject("uid-b"), Scenario.BaseObject("uid-a")]);

        var back = RoundTrip(batch);

        Assert.Equal(batch.Id, back.Id);
        Assert.Equal(batch.Objects.Select(o => o.Uid), back.Objects.Select(o => o.Uid));
        Assert.Equal(batch.Objects.Select(ManagedObjectCodec.Encode), back.Objects.Select(ManagedObjectCodec.Encode));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_batch_answer_keeps_its_id_and_outcome(bool stored)
    {
        Assert.Equal(new ReplicaBatchStored(42, stored), RoundTrip(new ReplicaBatchStored(42, stored)));
    }

    [Fact]
    public void Truncated_or_malformed_batches_are_refused_with_a_clear_error()
    {
        var serializer = (KeyStoreSerializer)Sys.Serialization.FindSerializerForType(typeof(ReplicaBatch));
        var whole = serializer.ToBinary(new ReplicaBatch(1, [Scenario.BaseObject("uid-a")]));

        Assert.Contains("truncated", Assert.Throws<SerializationException>(() => serializer.FromBinary(whole[..5], "replica-batch")).Message);
        Assert.Contains("truncated", Assert.Throws<SerializationException>(() => serializer.FromBinary(whole[..^3], "replica-batch")).Message);
        Assert.Contains("malformed", Assert.Throws<SerializationException>(() => serializer.FromBinary([1, 0, 0, 0, 0, 0, 0, 0, 7], "replica-batch-stored")).Message);
        Assert.Contains("unknown", Assert.Throws<SerializationException>(() => serializer.FromBinary(whole, "replica-batch-v9")).Message);
    }
}
