using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;
using Akka.DistributedData;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using OkvActors.KeyStore.Replication;
using OkvActors.KeyStore.Serialization;
using Xunit;

namespace OkvActors.KeyStore.Tests.Replication;

/// <summary>What a restarted member compares with its peers before it reads the shards that differ from a majority.</summary>
public sealed class ShardDigestsTests() : Akka.TestKit.Xunit2.TestKit(ConfigurationFactory.ParseString("akka.actor.provider = cluster")
    .WithFallback(KeyStoreSettings.DefaultConfig())
    .WithFallback(DistributedData.DefaultConfig()), "digests")
{
    private static byte[] Digest(byte fill) => Enumerable.Repeat(fill, 32).ToArray();

    private static ShardDigests Of(params (string Key, byte Fill)[] shards) =>
        new(shards.ToDictionary(s => s.Key, s => Digest(s.Fill), StringComparer.Ordinal));

    [Fact]
    public void Shards_differ_when_their_digests_differ_or_one_side_lacks_them()
    {
        var mine = Of(("okv-shard-0000", 1), ("okv-shard-0001", 2), ("okv-shard-0002", 3));
        var theirs = Of(("okv-shard-0000", 1), ("okv-shard-0001", 9), ("okv-shard-0003", 4));

        Assert.Equal(["okv-shard-0001", "okv-shard-0002", "okv-shard-0003"], mine.DifferingFrom(theirs).Order(StringComparer.Ordinal));
        Assert.Equal(mine.DifferingFrom(theirs).Order(StringComparer.Ordinal), theirs.DifferingFrom(mine).Order(StringComparer.Ordinal));
        Assert.Empty(mine.DifferingFrom(Of(("okv-shard-0000", 1), ("okv-shard-0001", 2), ("okv-shard-0002", 3))));
    }

    [Fact]
    public void A_restarted_member_reads_the_shards_that_differ_from_any_answering_peer_and_only_those()
    {
        string[] shards = ["okv-shard-0000", "okv-shard-0001", "okv-shard-0002", "okv-shard-0003"];
        var mine = Of(("okv-shard-0000", 1), ("okv-shard-0001", 2), ("okv-shard-0002", 3));
        var peer1 = Of(("okv-shard-0000", 1), ("okv-shard-0001", 2), ("okv-shard-0002", 3));
        var peer2 = Of(("okv-shard-0000", 1), ("okv-shard-0001", 7), ("okv-shard-0002", 3), ("okv-shard-0003", 4));

        // Three nodes: one peer and this node are a majority.
        Assert.Empty(mine.ShardsToRead([peer1], majority: 2, shards)!);
        Assert.Equal(["okv-shard-0001", "okv-shard-0003"], mine.ShardsToRead([peer2], majority: 2, shards));
        Assert.Equal(["okv-shard-0001", "okv-shard-0003"], mine.ShardsToRead([peer1, peer2], majority: 2, shards));

        // Five nodes: two peers are needed, and with fewer there is nothing to go by (every shard is read).
        Assert.Null(mine.ShardsToRead([peer1], majority: 3, shards));
        Assert.Equal(["okv-shard-0001", "okv-shard-0003"], mine.ShardsToRead([peer1, peer2], majority: 3, shards));

        // Only the shards asked about: the registries are read anyway, and a peer's unknown keys are not shards to read.
        Assert.Equal(["okv-shard-0001"], mine.ShardsToRead([peer2], majority: 2, ["okv-shard-0001", "okv-shard-0002"]));
    }

    [Fact]
    public void Digests_and_a_refusal_cross_the_wire_through_our_serializer()
    {
        var digests = Of(("okv-shard-0001", 7), ("okv-shard-0000", 5));

        var back = RoundTrip(digests);
        var refused = RoundTrip(new ShardDigests(new Dictionary<string, byte[]>(), "not a member of this cluster"));

        Assert.Null(back.Refused);
        Assert.Equal(digests.Digests.Keys.Order(), back.Digests.Keys.Order());
        Assert.Empty(back.DifferingFrom(digests));
        Assert.Equal("not a member of this cluster", refused.Refused);
        Assert.Same(ShardDigestsQuery.Instance, RoundTrip(ShardDigestsQuery.Instance));
    }

    private static readonly Arbitrary<(int Shards, (int At, byte Value)[] Damage)> Corruptions = Arb.From(
        from shards in Gen.Choose(0, 20)
        from damage in Gen.Zip(Gen.Choose(0, int.MaxValue), Gen.Choose(0, 255).Select(b => (byte)b)).ArrayOf().Where(d => d.Length > 0)
        select (shards, damage.Select(d => (d.Item1, d.Item2)).ToArray()));

    /// <summary>Whatever a peer sends as digests, reading it gives digests or a SerializationException, nothing else.</summary>
    [Property(MaxTest = 300)]
    public Property Damaged_digests_fail_only_with_a_serialization_exception() => Prop.ForAll(Corruptions, c =>
    {
        var bytes = ShardDigestsCodec.Encode(Of([.. Enumerable.Range(0, c.Shards).Select(i => (ShardMap.KeyId(i), (byte)i))]));
        foreach (var (at, value) in c.Damage)
        {
            bytes[at % bytes.Length] = value;
        }

        try
        {
            ShardDigestsCodec.Decode(bytes);
        }
        catch (SerializationException)
        {
        }
    });

    [Fact]
    public void Truncated_digests_and_trailing_bytes_are_refused_with_a_clear_error()
    {
        var whole = ShardDigestsCodec.Encode(Of(("okv-shard-0000", 1)));

        Assert.Contains("truncated", Assert.Throws<SerializationException>(() => ShardDigestsCodec.Decode(whole.AsSpan(0, whole.Length - 1))).Message);
        Assert.Contains("trailing", Assert.Throws<SerializationException>(() => ShardDigestsCodec.Decode([.. whole, 0])).Message);
        Assert.Contains("format", Assert.Throws<SerializationException>(() => ShardDigestsCodec.Decode([9, .. whole[1..]])).Message);
    }

    /// <summary>Only a member of the cluster is told the digests: an asker this node's cluster does not know is refused.</summary>
    [Fact]
    public void An_asker_that_is_not_a_member_is_refused()
    {
        var digests = Sys.ActorOf(ShardDigestsActor.Props(TimeSpan.FromSeconds(5)));

        digests.Tell(ShardDigestsQuery.Instance, TestActor);

        var answer = ExpectMsg<ShardDigests>();
        Assert.Equal("not a member of this cluster", answer.Refused);
        Assert.Empty(answer.Digests);
    }

    private T RoundTrip<T>(T message) where T : notnull
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);
        Assert.IsType<KeyStoreSerializer>(serializer);
        return (T)Sys.Serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, message));
    }
}
