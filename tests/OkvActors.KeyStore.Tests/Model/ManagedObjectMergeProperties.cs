using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using OkvActors.Crypto.Kek;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Tests.Support;
using Xunit;

namespace OkvActors.KeyStore.Tests.Model;

/// <summary>
/// The join laws of <see cref="ManagedObject.Merge"/> over replicas that went through random KMIP operations.
/// Equality is equality of <see cref="ManagedObjectCodec"/> encodings. On a failure FsCheck prints the case and
/// the seed to replay it with <c>[Property(Replay = "...")]</c>.
/// </summary>
public sealed class ManagedObjectMergeProperties
{
    private const int Tests = 300;

    private static readonly Arbitrary<MergeCase> Cases = Arb.From(Generators.MergeCase());

    [Property(MaxTest = Tests)]
    public Property Merge_is_commutative() => Prop.ForAll(Cases, c =>
    {
        foreach (var a in c.Inputs)
        {
            foreach (var b in c.Inputs)
            {
                Describe.SameEncoding(a.Merge(b), b.Merge(a), "a ⊔ b vs b ⊔ a");
            }
        }
    });

    [Property(MaxTest = Tests)]
    public Property Merge_is_associative() => Prop.ForAll(Cases, c =>
    {
        foreach (var a in c.Inputs)
        {
            foreach (var b in c.Inputs)
            {
                foreach (var d in c.Inputs)
                {
                    Describe.SameEncoding(a.Merge(b).Merge(d), a.Merge(b.Merge(d)), "(a ⊔ b) ⊔ c vs a ⊔ (b ⊔ c)");
                }
            }
        }
    });

    [Property(MaxTest = Tests)]
    public Property Merge_is_idempotent() => Prop.ForAll(Cases, c =>
    {
        foreach (var a in c.Run.AllStates)
        {
            var copy = ManagedObjectCodec.Decode(ManagedObjectCodec.Encode(a));
            Describe.SameEncoding(a, a.Merge(a), "a ⊔ a");
            Describe.SameEncoding(a, a.Merge(copy), "a ⊔ copy of a");
            Describe.SameEncoding(a, copy.Merge(a), "copy of a ⊔ a");
        }

        foreach (var a in c.Inputs)
        {
            foreach (var b in c.Inputs)
            {
                var ab = a.Merge(b);
                Describe.SameEncoding(ab, ab.Merge(b), "(a ⊔ b) ⊔ b");
                Describe.SameEncoding(ab, ab.Merge(a), "(a ⊔ b) ⊔ a");
            }
        }
    });

    /// <summary>Each step a replica takes only adds to its state, so an older state of it merges in as a no-op.</summary>
    [Property(MaxTest = Tests)]
    public Property Every_local_step_is_absorbed_by_the_state_after_it() => Prop.ForAll(Cases, c =>
    {
        foreach (var history in c.Run.Histories)
        {
            for (var i = 1; i < history.Length; i++)
            {
                Describe.SameEncoding(history[i], history[i - 1].Merge(history[i]), $"state {i - 1} ⊔ state {i}");
                Describe.SameEncoding(history[i], history[i].Merge(history[i - 1]), $"state {i} ⊔ state {i - 1}");
            }
        }
    });

    /// <summary>Gossip re-delivers stale states in any order: folding every state ever seen equals folding the final ones.</summary>
    [Property(MaxTest = Tests)]
    public Property Merging_every_stale_state_in_any_order_equals_merging_the_final_states() => Prop.ForAll(Cases, c =>
    {
        var finals = c.Run.Finals;
        var expected = finals.Skip(1).Aggregate(finals[0], (acc, o) => acc.Merge(o));
        var everything = c.Shuffled.Skip(1).Aggregate(c.Shuffled[0], (acc, o) => acc.Merge(o));
        Describe.SameEncoding(expected, everything, "fold of all states vs fold of finals");
    });

    [Property(MaxTest = Tests)]
    public Property No_destroyed_object_comes_back() => Prop.ForAll(Cases, c =>
    {
        var finals = c.Run.Finals;
        var anyDestroyed = finals.Any(f => f.IsDestroyed);
        var live = c.Run.AllStates.Where(s => !s.IsDestroyed).ToArray();
        foreach (var order in Permutations(finals))
        {
            var merged = order.Skip(1).Aggregate(order[0], (acc, o) => acc.Merge(o));
            if (!anyDestroyed)
            {
                Assert.NotEqual(Progress.Destroyed, merged.Progress);
                continue;
            }

            AssertDestroyed(merged, "merge of the finals");
            foreach (var other in live)
            {
                AssertDestroyed(merged.Merge(other), "merged ⊔ a live state");
                AssertDestroyed(other.Merge(merged), "a live state ⊔ merged");
            }
        }

        var everything = c.Shuffled.Skip(1).Aggregate(c.Shuffled[0], (acc, o) => acc.Merge(o));
        Assert.Equal(c.Run.AllStates.Any(s => s.IsDestroyed), everything.IsDestroyed);
        if (everything.IsDestroyed)
        {
            AssertDestroyed(everything, "fold of all states");
        }
    });

    [Property(MaxTest = Tests)]
    public Property The_lifecycle_never_moves_backwards_and_compromise_is_an_or() => Prop.ForAll(Cases, c =>
    {
        var inputs = c.Inputs;
        foreach (var order in Permutations(inputs.Take(3).ToArray()))
        {
            var merged = order.Skip(1).Aggregate(order[0], (acc, o) => acc.Merge(o));
            Assert.All(order, o => Assert.True(merged.Progress >= o.Progress, $"{merged.Progress} < {o.Progress}"));
            Assert.Equal(order.Max(o => o.Progress), merged.Progress);
            Assert.Equal(order.Any(o => o.Compromised), merged.Compromised);
        }

        foreach (var a in inputs)
        {
            foreach (var b in inputs)
            {
                var ab = a.Merge(b);
                Assert.True(ab.Progress >= a.Progress && ab.Progress >= b.Progress);
                Assert.Equal(a.Compromised || b.Compromised, ab.Compromised);
                Assert.True(ab.State >= a.State, $"{a.State} ⊔ {b.State} = {ab.State}");
            }
        }
    });

    /// <summary>
    /// A KEK rotation re-wraps material: the merge keeps the blob under the newest generation any input
    /// holds (ties between racing re-wraps resolved the same way on every replica), and the material of a
    /// destroyed object stays dropped however many re-wraps arrive after the destroy.
    /// </summary>
    [Property(MaxTest = Tests)]
    public Property Material_under_the_newest_kek_generation_wins_and_destroyed_material_stays_dropped() => Prop.ForAll(Cases, c =>
    {
        foreach (var order in Permutations(c.Inputs.Take(4).ToArray()))
        {
            var merged = order.Skip(1).Aggregate(order[0], (acc, o) => acc.Merge(o));
            if (merged.IsDestroyed)
            {
                Assert.Null(merged.WrappedMaterial);
                continue;
            }

            var newest = order.Where(o => o.WrappedMaterial is not null).Max(o => KeyEncryptionKey.GenerationOf(o.WrappedMaterial));
            Assert.Equal(newest, KeyEncryptionKey.GenerationOf(merged.WrappedMaterial));
            Assert.Contains(order, o => o.WrappedMaterial is not null && o.WrappedMaterial.AsSpan().SequenceEqual(merged.WrappedMaterial));
        }
    });

    private static void AssertDestroyed(ManagedObject o, string what)
    {
        Assert.True(o.Progress == Progress.Destroyed, $"{what} came back: {Describe.Object(o)}");
        Assert.True(o.WrappedMaterial is null, $"{what} kept its material: {Describe.Object(o)}");
        Assert.True(ManagedObjectCodec.Decode(ManagedObjectCodec.Encode(o)).WrappedMaterial is null, $"{what}: material in its encoding");
    }

    private static IEnumerable<ManagedObject[]> Permutations(IReadOnlyList<ManagedObject> items)
    {
        if (items.Count <= 1)
        {
            yield return [.. items];
            yield break;
        }

        for (var i = 0; i < items.Count; i++)
        {
            var rest = items.Where((_, j) => j != i).ToArray();
            foreach (var tail in Permutations(rest))
            {
                yield return [items[i], .. tail];
            }
        }
    }
}
