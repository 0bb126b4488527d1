using System.Security.Cryptography;
using Akka.DistributedData;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Replication;
using OkvActors.KeyStore.Tests.Support;
using Xunit;

namespace OkvActors.KeyStore.Tests.Replication;

public sealed class KeyShardTests
{
    private static readonly DateTimeOffset Later = Scenario.Start.AddHours(1);

    private static ManagedObject Object(string uid) => Scenario.BaseObject(uid);

    [Fact]
    public void Empty_has_no_objects_and_no_delta()
    {
        Assert.Equal(0, KeyShard.Empty.Count);
        Assert.Null(KeyShard.Empty.Delta);
        Assert.Null(KeyShard.Empty.Get("a"));
    }

    [Fact]
    public void Put_records_the_change_in_the_delta()
    {
        var x = Object("x");

        var shard = KeyShard.Empty.Put(x);

        Assert.Same(x, shard.Get("x"));
        Assert.NotNull(shard.Delta);
        Assert.Equal(["x"], shard.Delta.Objects.Keys);
        Assert.Same(x, shard.Delta.Objects["x"]);
        Assert.Equal(1, shard.Delta.DeltaSize);
    }

    [Fact]
    public void Apply_merges_without_a_delta_and_the_replicators_merge_of_it_is_recognised()
    {
        var settled = KeyShard.FromObjects([Object("x")]);
        var activated = Object("x").Activate(Later);

        var applied = settled.Apply([activated, Object("y")]);
        var merged = settled.Merge(applied.ResetDelta());

        Assert.Null(applied.Delta);
        Assert.Equal(LifecycleState.Active, applied.Get("x")!.State);
        Assert.Same(applied.Objects, merged.Objects);
        Assert.Equal(["x", "y"], applied.ChangedSince(settled)!.Select(o => o.Uid).Order());
    }

    [Fact]
    public void Successive_puts_accumulate_in_one_delta_with_one_entry_per_uid()
    {
        var x = Object("x");
        var activated = x.Activate(Later);

        var shard = KeyShard.Empty.Put(x).Put(Object("y")).Put(activated);

        Assert.Equal(2, shard.Delta!.DeltaSize);
        Assert.Equal(["x", "y"], shard.Delta.Objects.Keys);
        Assert.Equal(LifecycleState.Active, shard.Delta.Objects["x"].State);
        Assert.Equal(LifecycleState.Active, shard.Get("x")!.State);
    }

    [Fact]
    public void Put_merges_into_the_object_already_there_rather_than_replacing_it()
    {
        var destroyed = Object("x").Destroy(Later);
        var shard = KeyShard.FromObjects([destroyed]);

        var afterStalePut = shard.Put(Object("x").SetWallet("late", new Hlc(Later.UtcTicks, 0, "node-b")));

        Assert.True(afterStalePut.Get("x")!.IsDestroyed);
        Assert.True(afterStalePut.Delta!.Objects["x"].IsDestroyed);
        Assert.Null(afterStalePut.Delta.Objects["x"].WrappedMaterial);
    }

    [Fact]
    public void The_digest_binds_every_byte_and_is_the_same_whether_or_not_the_objects_hashes_were_cached()
    {
        var objects = new[] { Object("m"), Object("a").SetWallet("w", new Hlc(Later.UtcTicks, 0, "node-a")), Object("z") };
        var shard = KeyShard.FromObjects(objects);

        // The same objects read back from bytes (no hash cached yet), and the digest asked for twice: the same value.
        var decoded = KeyShard.FromObjects(objects.Select(o => ManagedObjectCodec.Decode(ManagedObjectCodec.Encode(o))));
        Assert.Equal(shard.DigestHex, decoded.DigestHex);
        Assert.Equal(shard.DigestHex, decoded.DigestHex);

        // One attribute of one object changed: another digest.
        var changed = shard.Put(Object("z").SetWallet("other", new Hlc(Later.UtcTicks, 1, "node-a"))).ResetDelta();
        Assert.NotEqual(shard.DigestHex, changed.DigestHex);
        Assert.Equal(KeyShard.FromObjects(changed.Objects.Values).DigestHex, changed.DigestHex);
    }

    [Fact]
    public void ResetDelta_clears_the_delta_and_keeps_the_objects()
    {
        var shard = KeyShard.Empty.Put(Object("x")).Put(Object("y"));

        var reset = shard.ResetDelta();

        Assert.Null(reset.Delta);
        Assert.Same(shard.Objects, reset.Objects);
        Assert.Same(reset, reset.ResetDelta());
        Assert.Null(Assert.IsType<KeyShard>(((IDeltaReplicatedData)shard).ResetDelta()).Delta);

        // The Replicator reads a null delta as "nothing changed locally".
        Assert.Null(((IDeltaReplicatedData<KeyShard, KeyShardDelta>)reset).Delta);
    }

    [Fact]
    public void FromObjects_gives_a_settled_shard_without_a_delta()
    {
        var shard = KeyShard.FromObjects([Object("b"), Object("a")]);

        Assert.Null(shard.Delta);
        Assert.Equal(["a", "b"], shard.Objects.Keys);
    }

    [Fact]
    public void The_delta_of_a_shard_is_a_delta_crdt_whose_zero_is_the_empty_shard()
    {
        var delta = KeyShard.Empty.Put(Object("x")).Delta!;

        Assert.Same(KeyShard.Empty, delta.Zero);
        Assert.IsAssignableFrom<IReplicatedDeltaSize>(delta);
        Assert.Equal(1, ((IReplicatedDeltaSize)delta).DeltaSize);
    }

    [Fact]
    public void The_replicators_merge_of_a_local_update_into_its_origin_returns_the_update_without_a_full_merge()
    {
        var s0 = KeyShard.FromObjects([Object("a"), Object("x")]);
        var changed = s0.Get("x")!.Activate(Later);

        var s1 = s0.Put(changed).ResetDelta();
        var merged = s0.Merge(s1);

        // A full merge would iterate the equal-sized shards and build a new map with a new merged object.
        Assert.Same(s1.Objects, merged.Objects);
        Assert.Same(s1.Get("x"), merged.Get("x"));
        Assert.Null(merged.Delta);
        Assert.Equal(LifecycleState.Active, merged.Get("x")!.State);
        Assert.Same(s1.Objects, s1.Merge(s0).Objects);
    }

    [Fact]
    public void A_chain_of_local_updates_keeps_taking_the_short_path()
    {
        var s0 = KeyShard.FromObjects([Object("a"), Object("x")]);
        var s1 = s0.Merge(s0.Put(s0.Get("x")!.Activate(Later)).ResetDelta());

        var s2Modified = s1.Put(s1.Get("a")!.SetWallet("w", new Hlc(Later.UtcTicks, 0, "node-a"))).Put(Object("y"));
        var s2 = s1.Merge(s2Modified.ResetDelta());

        Assert.Equal(2, s2Modified.Delta!.DeltaSize);
        Assert.Same(s2Modified.Objects, s2.Objects);
        Assert.Equal(["a", "x", "y"], s2.Objects.Keys);
        Assert.Equal("w", s2.Get("a")!.Wallet.Value);
        Assert.Equal(LifecycleState.Active, s2.Get("x")!.State);

        var s3Modified = s2.Put(s2.Get("x")!.Revoke(RevocationReason.Superseded, Later));
        var s3 = s2.Merge(s3Modified.ResetDelta());
        Assert.Same(s3Modified.Objects, s3.Objects);
        Assert.Equal(LifecycleState.Deactivated, s3.Get("x")!.State);
    }

    [Fact]
    public void A_local_update_reset_and_then_updated_again_still_merges_into_its_origin()
    {
        var s0 = KeyShard.FromObjects([Object("a")]);
        var s1 = s0.Put(Object("b")).ResetDelta();
        var s2 = s1.Put(Object("c"));

        Assert.Equal(["a", "b", "c"], s1.Merge(s2.ResetDelta()).Objects.Keys);
        Assert.Equal(["a", "b", "c"], s0.Merge(s1).Merge(s2.ResetDelta()).Objects.Keys);
        Assert.Equal(["a", "b", "c"], s0.Merge(s2.ResetDelta()).Objects.Keys);
    }

    [Fact]
    public void Merging_a_destroyed_object_into_a_shard_with_the_live_one_yields_the_destroyed_one()
    {
        var live = Object("x").Activate(Later);
        var destroyed = Object("x").Revoke(RevocationReason.Superseded, Later).Destroy(Later.AddMinutes(1));
        var withLive = KeyShard.FromObjects([live, Object("a")]);
        var withDestroyed = KeyShard.FromObjects([destroyed]);

        var results = new[]
        {
            withLive.Merge(withDestroyed),
            withDestroyed.Merge(withLive),
            withLive.MergeDelta(KeyShard.Empty.Put(destroyed).Delta!),
            withLive.Put(destroyed),
            withDestroyed.MergeDelta(KeyShard.Empty.Put(live).Delta!),
            withDestroyed.Put(live),
        };

        Assert.All(results, r =>
        {
            var x = r.Get("x")!;
            Assert.True(x.IsDestroyed, x.ToString());
            Assert.Null(x.WrappedMaterial);
            Assert.Equal(Progress.Destroyed, x.Progress);
        });
        Assert.Equal(results[0].DigestHex, results[1].DigestHex);
        Assert.Equal(results[2].DigestHex, results[3].DigestHex);
    }

    [Fact]
    public void A_compromise_put_over_a_deactivated_object_keeps_its_compromise_reason()
    {
        // Put merges into the stored object: before the fix the stored Unspecified outranked KeyCompromise.
        var deactivated = Object("x").Activate(Later).Revoke(RevocationReason.Unspecified, Later.AddMinutes(1));
        var shard = KeyShard.FromObjects([deactivated]);

        var after = shard.Put(deactivated.Revoke(RevocationReason.KeyCompromise, Later.AddMinutes(2)));

        Assert.Equal(LifecycleState.Compromised, after.Get("x")!.State);
        Assert.Equal(RevocationReason.KeyCompromise, after.Get("x")!.RevocationReason);
        Assert.Equal(RevocationReason.KeyCompromise, shard.MergeDelta(after.Delta!).Get("x")!.RevocationReason);
    }

    [Fact]
    public void A_delta_arriving_twice_changes_nothing_the_second_time()
    {
        var target = KeyShard.FromObjects([Object("a"), Object("x")]);
        var delta = KeyShard.FromObjects([Object("x")]).Put(Object("x").Activate(Later)).Put(Object("b")).Delta!;

        var once = target.MergeDelta(delta);
        var twice = once.MergeDelta(delta);

        Assert.Equal(once.DigestHex, twice.DigestHex);
        Assert.Equal(["a", "b", "x"], twice.Objects.Keys);
        Assert.Null(once.Delta);
    }

    [Fact]
    public void An_empty_delta_leaves_the_shard_as_it_is()
    {
        var shard = KeyShard.FromObjects([Object("a")]);

        Assert.Same(shard, shard.MergeDelta(new KeyShardDelta(KeyShard.Empty.Objects)));
    }

    [Fact]
    public void The_replicated_data_interfaces_route_to_the_typed_merges()
    {
        var a = KeyShard.FromObjects([Object("a")]);
        var b = KeyShard.FromObjects([Object("b")]);
        var delta = KeyShard.Empty.Put(Object("c")).Delta!;

        var merged = (KeyShard)((IReplicatedData)a).Merge(b);
        var withDelta = (KeyShard)((IDeltaReplicatedData)merged).MergeDelta(delta);
        var deltas = (KeyShardDelta)((IReplicatedData)delta).Merge(KeyShard.Empty.Put(Object("d")).Delta!);

        Assert.Equal(["a", "b"], merged.Objects.Keys);
        Assert.Equal(["a", "b", "c"], withDelta.Objects.Keys);
        Assert.Equal(["c", "d"], deltas.Objects.Keys);
    }

    [Fact]
    public void The_digest_is_sha256_over_each_objects_sha256_in_ordinal_uid_order()
    {
        var objects = new[] { Object("b"), Object("B"), Object("ä"), Object("a") };
        var shard = KeyShard.FromObjects(objects);
        var expected = SHA256.HashData(
            objects.OrderBy(o => o.Uid, StringComparer.Ordinal).SelectMany(o => SHA256.HashData(ManagedObjectCodec.Encode(o))).ToArray());

        Assert.Equal(["B", "a", "b", "ä"], shard.Objects.Keys);
        Assert.Equal(expected, shard.Digest);
        Assert.Equal(Convert.ToHexStringLower(expected), shard.DigestHex);
    }

    [Fact]
    public void The_empty_shard_has_the_digest_of_nothing()
    {
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", KeyShard.Empty.DigestHex);
    }
}
