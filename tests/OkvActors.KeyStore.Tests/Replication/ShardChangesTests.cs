using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Replication;
using OkvActors.KeyStore.Tests.Support;
using Xunit;

namespace OkvActors.KeyStore.Tests.Replication;

/// <summary>
/// What a shard says changed since an earlier version, which the durable store writes instead of comparing
/// whole shards: never less than what differs, and no answer at all where the ancestry is not proven.
/// </summary>
public sealed class ShardChangesTests
{
    private static readonly Arbitrary<DeltaCase> Deltas = Arb.From(Generators.DeltaCase());

    private static ManagedObject Object(string uid) => Scenario.BaseObject(uid);

    /// <summary>
    /// Versions from the Replicator's local-update path, a replica merging deltas in any order and full merges
    /// both ways: whenever a version answers for an earlier one, the answer holds every object that differs,
    /// and along each line of derivation it always answers. On a failure FsCheck prints the case and its seed.
    /// </summary>
    [Property(MaxTest = 200)]
    public Property Changes_since_an_earlier_version_cover_every_difference() => Prop.ForAll(Deltas, c =>
    {
        var source = KeyShard.FromObjects(c.Source);
        var sourceLine = new List<KeyShard> { source };
        var deltas = new List<KeyShardDelta>();
        foreach (var batch in c.Batches)
        {
            var modified = batch.Aggregate(source, (s, o) => s.Put(o));
            deltas.Add(modified.Delta!);
            sourceLine.Add(modified);
            source = source.Merge(modified.ResetDelta());
            sourceLine.Add(source);
        }

        var targetLine = new List<KeyShard> { KeyShard.FromObjects(c.Target) };
        foreach (var i in c.Arrival)
        {
            targetLine.Add(targetLine[^1].MergeDelta(deltas[i]));
        }

        var target = targetLine[^1];
        KeyShard[] all = [.. sourceLine, .. targetLine, target.Merge(source), source.Merge(target), KeyShard.Empty];

        foreach (var later in all)
        {
            foreach (var earlier in all)
            {
                if (later.ChangedSince(earlier) is { } changed)
                {
                    var named = changed.Select(o => o.Uid).ToHashSet(StringComparer.Ordinal);
                    var differing = later.Objects.Values.Where(o => earlier.Get(o.Uid) is not { } before
                        || !before.SameAs(o)).Select(o => o.Uid);
                    Assert.Subset(named, differing.ToHashSet(StringComparer.Ordinal));
                    Assert.All(changed, o => Assert.Same(later.Get(o.Uid), o));
                }
            }
        }

        foreach (var line in new[] { sourceLine, targetLine })
        {
            for (var i = 0; i < line.Count; i++)
            {
                for (var j = i; j < line.Count; j++)
                {
                    Assert.NotNull(line[j].ChangedSince(line[i]));
                }
            }
        }
    });

    [Fact]
    public void A_version_names_the_objects_written_since_its_ancestor_and_nothing_else()
    {
        var start = KeyShard.FromObjects([Object("a"), Object("b"), Object("c")]);

        var later = start.Put(Object("d")).ResetDelta().MergeDelta(KeyShard.Empty.Put(Object("e")).Delta!);

        Assert.Equal(["d", "e"], later.ChangedSince(start)!.Select(o => o.Uid).Order(StringComparer.Ordinal));
        Assert.Empty(later.ChangedSince(later)!);
    }

    [Fact]
    public void A_write_arriving_again_or_a_copy_of_held_objects_leaves_the_shard_as_it_was()
    {
        var x = Object("x");
        var shard = KeyShard.FromObjects([x, Object("y")]);
        var again = KeyShard.Empty.Put(ManagedObjectCodec.Decode(ManagedObjectCodec.Encode(x))).Delta!;
        var copy = KeyShard.FromObjects(shard.Objects.Values.Select(o => ManagedObjectCodec.Decode(ManagedObjectCodec.Encode(o))));

        Assert.Same(shard.Objects, shard.MergeDelta(again).Objects);
        Assert.Same(shard.Objects, shard.Merge(copy).Objects);
        Assert.Empty(shard.Merge(copy).ChangedSince(shard)!);

        var activated = shard.MergeDelta(KeyShard.Empty.Put(x.Activate(Scenario.Start.AddHours(1))).Delta!);
        Assert.Equal(LifecycleState.Active, activated.Get("x")!.State);
        Assert.Equal(["x"], activated.ChangedSince(shard)!.Select(o => o.Uid));
    }

    [Fact]
    public void Sibling_branches_and_shards_read_from_bytes_get_no_answer()
    {
        var start = KeyShard.FromObjects([Object("a")]);
        var left = start.Put(Object("b"));
        var right = start.Put(Object("c"));
        var copy = KeyShard.FromObjects(start.Objects.Values);

        Assert.Null(left.ChangedSince(right));
        Assert.Null(right.ChangedSince(left));
        Assert.Null(copy.ChangedSince(start));
        Assert.Null(start.ChangedSince(left));
    }

    [Fact]
    public void History_is_cut_so_a_long_line_forgets_its_oldest_versions()
    {
        var start = KeyShard.FromObjects([Object("a")]);
        var versions = new List<KeyShard> { start };
        for (var i = 0; i < 8 * ShardChanges.Kept; i++)
        {
            versions.Add(versions[^1].Put(Object($"u{i:D4}")).ResetDelta());
        }

        var newest = versions[^1];
        Assert.Null(newest.ChangedSince(start));
        Assert.Equal(Enumerable.Range(8 * ShardChanges.Kept - 10, 10).Select(i => $"u{i:D4}"),
            newest.ChangedSince(versions[^11])!.Select(o => o.Uid).Order(StringComparer.Ordinal));
    }
}
