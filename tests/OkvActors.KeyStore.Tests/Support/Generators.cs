using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using OkvActors.KeyStore.Model;

namespace OkvActors.KeyStore.Tests.Support;

/// <summary>
/// FsCheck generators. They draw only from FsCheck's own random source (no System.Random, no clock, no
/// Guid.NewGuid), so the replay seed FsCheck prints on a failure regenerates the same case exactly.
/// </summary>
public static class Generators
{
    public const string Uid = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";

    /// <summary>UIDs for shards: ASCII and non-ASCII, so UID order is checked as ordinal.</summary>
    public static readonly string[] ShardUids = ["uid-00", "uid-01", "uid-10", "uid-2", "Uid-3", "ключ", "鍵"];

    private static readonly string?[] Texts = [null, "", "ops", "finance", "ключ", "鍵-α", "a b"];
    private static readonly string[] CustomNames = ["x-owner", "x-env", "x-ключ"];
    private static readonly string[] NamePool = ["alpha", "beta", "gamma", "鍵"];
    private static readonly string?[] LinkTargets = [null, "uid-2", "uid-3"];

    public static Gen<Step> Step(int replicas) =>
        Gen.Choose(0, replicas - 1).SelectMany(r => Gen.Frequency(
            (3, Gen.Constant<Step>(new Step.Activate(r))),
            (3, Gen.Elements(Enum.GetValues<RevocationReason>()).Select(Step (reason) => new Step.Revoke(r, reason))),
            (2, Gen.Constant<Step>(new Step.Destroy(r))),
            (2, Gen.Choose(2, 3).SelectMany(generation => Gen.Choose(0, 3).Select(Step (variant) => new Step.Rewrap(r, generation, variant)))),
            (2, Gen.SubListOf(NamePool).Select(Step (names) => new Step.SetNames(r, string.Join(',', names)))),
            (2, Gen.Choose(0, 0xFFFF).Select(Step (mask) => new Step.SetUsageMask(r, mask))),
            (2, Gen.Elements(Texts).Select(Step (wallet) => new Step.SetWallet(r, wallet))),
            (3, Gen.Elements(CustomNames).SelectMany(name => Gen.Elements(Texts).Select(Step (value) => new Step.SetCustom(r, name, value)))),
            (2, Gen.Elements(Enum.GetValues<LinkType>()).SelectMany(type => Gen.Elements(LinkTargets).Select(Step (target) => new Step.SetLink(r, type, target)))),
            (3, Gen.Frequency(
                    (2, Gen.Constant(0)),
                    (3, Gen.Choose(1, 2000)),
                    (1, Gen.Choose(-60_000, -1)))
                .Select(Step (ms) => new Step.Tick(r, ms))),
            (replicas > 1 ? 4 : 0, Gen.Choose(1, Math.Max(1, replicas - 1)).Select(Step (k) => new Step.Sync(r, (r + k) % replicas)))));

    public static Gen<Scenario> Scenario(string uid, int replicas, int maxSteps) =>
        from count in Gen.Choose(0, maxSteps)
        from steps in Step(replicas).ArrayOf(count)
        select new Scenario(uid, replicas, [.. steps]);

    public static Gen<ScenarioRun> Run(string uid, int replicas, int maxSteps) =>
        Scenario(uid, replicas, maxSteps).Select(s => s.Run());

    /// <summary>A run of three replicas, plus three states picked from anywhere in its history and an order over all its states.</summary>
    public static Gen<MergeCase> MergeCase() =>
        from run in Run(Uid, 3, 30)
        from picks in Gen.Choose(0, run.AllStates.Length - 1).ArrayOf(3)
        from order in Gen.Shuffle(Enumerable.Range(0, run.AllStates.Length))
        select new MergeCase(run, [.. picks], [.. order]);

    /// <summary>Objects under several UIDs, each with its own replicated history: the pool shards are built from.</summary>
    public static Gen<ImmutableArray<ScenarioRun>> ObjectPool() =>
        from count in Gen.Choose(1, ShardUids.Length)
        from runs in Gen.CollectToArray(ShardUids.Take(count).Select(uid => Run(uid, 3, 12)))
        select runs.ToImmutableArray();

    /// <summary>Three shard replicas, each holding an arbitrary subset of the pool's object versions.</summary>
    public static Gen<ShardCase> ShardCase() =>
        from runs in ObjectPool()
        let pool = runs.SelectMany(r => r.AllStates).ToArray()
        from replicas in Gen.SubListOf(pool).Select(s => s.ToImmutableArray()).ArrayOf(3)
        select new ShardCase(runs, [.. replicas]);

    /// <summary>
    /// A source shard S0 that a target already merged (plus the target's own objects), then batches of local
    /// writes on the source (each batch one Replicator update, so one delta), and an order in which the target
    /// receives every delta twice.
    /// </summary>
    public static Gen<DeltaCase> DeltaCase() =>
        from runs in ObjectPool()
        let pool = runs.SelectMany(r => r.AllStates).ToArray()
        from source in Gen.SubListOf(pool)
        from target in Gen.SubListOf(pool)
        from batchCount in Gen.Choose(0, 8)
        from batches in Gen.Elements(pool).ArrayOf(3).SelectMany(b => Gen.Choose(1, 3).Select(n => b.Take(n).ToImmutableArray())).ArrayOf(batchCount)
        from arrival in Gen.Shuffle(Enumerable.Range(0, 2 * batchCount))
        select new DeltaCase(runs, [.. source], [.. target], [.. batches], [.. arrival.Select(i => i % Math.Max(1, batchCount))]);

    /// <summary>One version per UID of some objects, and two insertion orders of them.</summary>
    public static Gen<ContentCase> ContentCase() =>
        from runs in ObjectPool()
        from picked in Gen.CollectToArray(runs.Select(r => Gen.Elements(r.AllStates.AsEnumerable())))
        from first in Gen.Shuffle(picked)
        from second in Gen.Shuffle(picked)
        select new ContentCase(runs, [.. first], [.. second]);
}

public sealed record MergeCase(ScenarioRun Run, ImmutableArray<int> Picks, ImmutableArray<int> Order)
{
    /// <summary>The replicas' final states and the picked states.</summary>
    public ImmutableArray<ManagedObject> Inputs => [.. Run.Finals, .. Picks.Select(i => Run.AllStates[i])];

    /// <summary>Every state of every replica, in the generated order.</summary>
    public ImmutableArray<ManagedObject> Shuffled => [.. Order.Select(i => Run.AllStates[i])];

    public override string ToString() => $"{Run}; picks [{string.Join(",", Picks)}]; order [{string.Join(",", Order)}]";
}

public sealed record ShardCase(ImmutableArray<ScenarioRun> Runs, ImmutableArray<ImmutableArray<ManagedObject>> Replicas)
{
    public override string ToString() =>
        $"{string.Join(" | ", Runs)}; replicas: {string.Join(" / ", Replicas.Select(r => string.Join(",", r)))}";
}

public sealed record DeltaCase(
    ImmutableArray<ScenarioRun> Runs,
    ImmutableArray<ManagedObject> Source,
    ImmutableArray<ManagedObject> Target,
    ImmutableArray<ImmutableArray<ManagedObject>> Batches,
    ImmutableArray<int> Arrival)
{
    public override string ToString() =>
        $"{string.Join(" | ", Runs)}; source {string.Join(",", Source)}; target {string.Join(",", Target)}; " +
        $"batches {string.Join(" / ", Batches.Select(b => string.Join(",", b)))}; arrival [{string.Join(",", Arrival)}]";
}

public sealed record ContentCase(ImmutableArray<ScenarioRun> Runs, ImmutableArray<ManagedObject> First, ImmutableArray<ManagedObject> Second)
{
    public override string ToString() =>
        $"{string.Join(" | ", Runs)}; first {string.Join(",", First)}; second {string.Join(",", Second)}";
}
