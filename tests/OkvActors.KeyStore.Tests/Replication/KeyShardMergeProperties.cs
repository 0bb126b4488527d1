using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Replication;
using OkvActors.KeyStore.Tests.Support;
using Xunit;

namespace OkvActors.KeyStore.Tests.Replication;

/// <summary>
/// The join laws of <see cref="KeyShard"/> over shards holding random versions of objects under several UIDs,
/// compared by <see cref="KeyShard.Digest"/> (what replicas compare to stop gossiping). On a failure FsCheck
/// prints the case and the seed to replay it with <c>[Property(Replay = "...")]</c>.
/// </summary>
public sealed class KeyShardMergeProperties
{
    private const int Tests = 200;

    private static readonly Arbitrary<ShardCase> Shards = Arb.From(Generators.ShardCase());
    private static readonly Arbitrary<DeltaCase> Deltas = Arb.From(Generators.DeltaCase());
    private static readonly Arbitrary<ContentCase> Contents = Arb.From(Generators.ContentCase());

    [Property(MaxTest = Tests)]
    public Property Merge_is_commutative() => Prop.ForAll(Shards, c =>
    {
        var shards = Build(c);
        foreach (var a in shards)
        {
            foreach (var b in shards)
            {
                SameDigest(a.Merge(b), b.Merge(a), "a ⊔ b vs b ⊔ a");
            }
        }
    });

    [Property(MaxTest = Tests)]
    public Property Merge_is_associative() => Prop.ForAll(Shards, c =>
    {
        var shards = Build(c);
        foreach (var a in shards)
        {
            foreach (var b in shards)
            {
                foreach (var d in shards)
                {
                    SameDigest(a.Merge(b).Merge(d), a.Merge(b.Merge(d)), "(a ⊔ b) ⊔ c vs a ⊔ (b ⊔ c)");
                }
            }
        }
    });

    [Property(MaxTest = Tests)]
    public Property Merge_is_idempotent() => Prop.ForAll(Shards, c =>
    {
        foreach (var a in Build(c))
        {
            var copy = KeyShard.FromObjects(a.Objects.Values.Select(o => ManagedObjectCodec.Decode(ManagedObjectCodec.Encode(o))));
            SameDigest(a, a.Merge(a), "a ⊔ a");
            SameDigest(a, a.Merge(copy), "a ⊔ copy of a");
            SameDigest(a, copy.Merge(a), "copy of a ⊔ a");
            SameDigest(a, a.MergeDelta(new KeyShardDelta(copy.Objects)), "a ⊔ a as a delta");
        }
    });

    [Property(MaxTest = Tests)]
    public Property Merge_keeps_every_uid_and_merges_each_object() => Prop.ForAll(Shards, c =>
    {
        var shards = Build(c);
        var merged = shards.Aggregate((acc, s) => acc.Merge(s));
        var uids = shards.SelectMany(s => s.Objects.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        Assert.Equal(uids, merged.Objects.Keys);
        foreach (var (uid, o) in merged.Objects)
        {
            var expected = shards.Select(s => s.Get(uid)).OfType<ManagedObject>().Aggregate((x, y) => x.Merge(y));
            Describe.SameEncoding(expected, o, $"merged {uid}");
            Assert.True(!shards.Any(s => s.Get(uid)?.IsDestroyed == true) || o.IsDestroyed, $"{uid} came back");
        }
    });

    /// <summary>
    /// The source replica runs the Replicator's local-update path (modify, take the delta, reset, merge into the
    /// old state); the target gets every delta twice in a random order, and ends where a full-state merge ends.
    /// </summary>
    [Property(MaxTest = Tests)]
    public Property Deltas_in_any_order_and_duplicated_give_the_same_digest_as_a_full_merge() => Prop.ForAll(Deltas, c =>
    {
        var start = KeyShard.FromObjects(c.Source);
        var target = KeyShard.FromObjects(c.Target).Merge(start);
        var source = start;
        var deltas = new List<KeyShardDelta>();
        foreach (var batch in c.Batches)
        {
            var modified = batch.Aggregate(source, (s, o) => s.Put(o));
            Assert.NotNull(modified.Delta);
            Assert.Equal(batch.Select(o => o.Uid).Distinct().Count(), modified.Delta.DeltaSize);
            deltas.Add(modified.Delta);
            source = source.Merge(modified.ResetDelta());
            SameDigest(modified, source, "the Replicator's merge of a local update");
        }

        var viaDeltas = c.Arrival.Aggregate(target, (t, i) => t.MergeDelta(deltas[i]));
        var viaFullMerge = target.Merge(source);
        SameDigest(viaFullMerge, viaDeltas, "deltas vs full merge");
        SameDigest(viaFullMerge, source.Merge(target), "full merge the other way");

        var combined = deltas.Count == 0 ? target : target.MergeDelta(deltas.Aggregate((x, y) => x.Merge(y)));
        SameDigest(viaFullMerge, combined, "one merged delta vs full merge");
    });

    [Property(MaxTest = Tests)]
    public Property Equal_content_gives_an_equal_digest_whatever_the_insertion_order() => Prop.ForAll(Contents, c =>
    {
        var oneByOne = c.First.Aggregate(KeyShard.Empty, (s, o) => s.Put(o).ResetDelta());
        var chained = c.Second.Aggregate(KeyShard.Empty, (s, o) => s.Put(o));
        var atOnce = KeyShard.FromObjects(c.Second);
        var viaMerges = c.First.Select(o => KeyShard.FromObjects([o])).Aggregate(KeyShard.Empty, (s, o) => s.Merge(o));
        var viaDeltas = c.Second.Aggregate(KeyShard.Empty, (s, o) => s.MergeDelta(KeyShard.Empty.Put(o).Delta!));

        Assert.Equal(oneByOne.DigestHex, chained.DigestHex);
        Assert.Equal(oneByOne.DigestHex, atOnce.DigestHex);
        Assert.Equal(oneByOne.DigestHex, viaMerges.DigestHex);
        Assert.Equal(oneByOne.DigestHex, viaDeltas.DigestHex);
        Assert.Equal(c.First.Length, oneByOne.Count);
    });

    [Property(MaxTest = Tests)]
    public Property Different_content_gives_a_different_digest() => Prop.ForAll(Shards, c =>
    {
        var shards = Build(c);
        foreach (var a in shards)
        {
            foreach (var b in shards)
            {
                var sameContent = a.Objects.Keys.SequenceEqual(b.Objects.Keys)
                    && a.Objects.Values.Zip(b.Objects.Values).All(p => ManagedObjectCodec.Encode(p.First).AsSpan().SequenceEqual(ManagedObjectCodec.Encode(p.Second)));
                Assert.Equal(sameContent, a.Digest.AsSpan().SequenceEqual(b.Digest));
            }
        }
    });

    private static KeyShard[] Build(ShardCase c) => [.. c.Replicas.Select(r => KeyShard.FromObjects(r))];

    private static void SameDigest(KeyShard expected, KeyShard actual, string what)
    {
        if (expected.DigestHex == actual.DigestHex)
        {
            return;
        }

        var diff = expected.Objects.Keys.Union(actual.Objects.Keys)
            .Where(uid => expected.Get(uid) is not { } e || actual.Get(uid) is not { } a
                || !ManagedObjectCodec.Encode(e).AsSpan().SequenceEqual(ManagedObjectCodec.Encode(a)))
            .Select(uid => $"\n  {uid}: expected {Show(expected.Get(uid))}\n  {new string(' ', uid.Length)}  actual   {Show(actual.Get(uid))}");
        throw new Xunit.Sdk.XunitException($"{what}: digests differ{string.Concat(diff)}");
    }

    private static string Show(ManagedObject? o) => o is null ? "(absent)" : Describe.Object(o);
}
