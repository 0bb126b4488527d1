using System.Collections.Immutable;
using System.Text;
using OkvActors.KeyStore.Model;

namespace OkvActors.KeyStore.Tests.Support;

/// <summary>One thing one replica does to its copy of an object. Plain data, so a failing case prints readably.</summary>
public abstract record Step(int Replica)
{
    public sealed record Activate(int Replica) : Step(Replica);

    public sealed record Revoke(int Replica, RevocationReason Reason) : Step(Replica);

    public sealed record Destroy(int Replica) : Step(Replica);

    /// <summary>Names joined by commas (an array would print as its type name).</summary>
    public sealed record SetNames(int Replica, string Names) : Step(Replica);

    public sealed record SetUsageMask(int Replica, int Mask) : Step(Replica);

    public sealed record SetWallet(int Replica, string? Wallet) : Step(Replica);

    public sealed record SetCustom(int Replica, string Name, string? Value) : Step(Replica);

    public sealed record SetLink(int Replica, LinkType Type, string? Target) : Step(Replica);

    /// <summary>
    /// A KEK rotation re-wraps the replica's material under <paramref name="Generation"/>; <paramref name="Variant"/>
    /// stands for the random nonce, so two re-wraps racing to the same generation give different blobs.
    /// </summary>
    public sealed record Rewrap(int Replica, int Generation, int Variant) : Step(Replica);

    /// <summary>Moves the replica's wall clock, possibly backwards.</summary>
    public sealed record Tick(int Replica, int Milliseconds) : Step(Replica);

    /// <summary>The replica merges another replica's current state (gossip) and observes its stamps.</summary>
    public sealed record Sync(int Replica, int From) : Step(Replica);
}

/// <summary>
/// A base object created once, then a sequence of steps on several replicas, each with its own node id,
/// its own wall clock and its own <see cref="HybridLogicalClock"/>. Running it is deterministic.
/// </summary>
public sealed record Scenario(string Uid, int Replicas, ImmutableArray<Step> Steps)
{
    public static readonly DateTimeOffset Start = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly string[] Nodes = ["node-a", "node-b", "node-c", "node-d"];

    public static ManagedObject BaseObject(string uid)
    {
        var origin = new HybridLogicalClock("origin", new ManualClock(Start));
        // A legacy (version 0x01) blob: generation 1, what every object held before rotation existed.
        return ManagedObject.Create(uid, ObjectType.SymmetricKey, 3, 256, [0x01, .. Encoding.UTF8.GetBytes($"wrapped:{uid}")],
            origin.Now(), Start, names: ["base"], usageMask: 12);
    }

    public ScenarioRun Run()
    {
        var initial = BaseObject(Uid);
        var clocks = new ManualClock[Replicas];
        var hlcs = new HybridLogicalClock[Replicas];
        var histories = new List<ManagedObject>[Replicas];
        for (var i = 0; i < Replicas; i++)
        {
            clocks[i] = new ManualClock(Start);
            hlcs[i] = new HybridLogicalClock(Nodes[i], clocks[i]);
            hlcs[i].Observe(MaxStamp(initial));
            histories[i] = [initial];
        }

        var refused = 0;
        foreach (var step in Steps)
        {
            var r = step.Replica;
            var current = histories[r][^1];
            var clock = clocks[r];
            var hlc = hlcs[r];
            try
            {
                ManagedObject? next = step switch
                {
                    Step.Activate => current.Activate(clock.GetUtcNow()),
                    Step.Revoke s => current.Revoke(s.Reason, clock.GetUtcNow()),
                    Step.Destroy => current.Destroy(clock.GetUtcNow()),
                    Step.SetNames s => current.SetNames(s.Names.Split(',', StringSplitOptions.RemoveEmptyEntries), hlc.Now()),
                    Step.SetUsageMask s => current.SetUsageMask(s.Mask, hlc.Now()),
                    Step.SetWallet s => current.SetWallet(s.Wallet, hlc.Now()),
                    Step.SetCustom s => current.SetCustom(s.Name, s.Value, hlc.Now()),
                    Step.SetLink s => current.SetLink(s.Type, s.Target, hlc.Now()),
                    Step.Sync s => Sync(current, histories[s.From][^1], hlc),
                    Step.Rewrap s => Rewrap(current, s.Generation, s.Variant),
                    Step.Tick s => Tick(clock, s.Milliseconds),
                    _ => throw new InvalidOperationException($"unknown step {step}"),
                };
                if (next is not null)
                {
                    histories[r].Add(next);
                }
            }
            catch (IllegalTransitionException)
            {
                refused++;
            }
        }

        return new ScenarioRun(this, initial, [.. histories.Select(h => h.ToImmutableArray())], refused);
    }

    public static Hlc MaxStamp(ManagedObject o)
    {
        var stamps = new[] { o.Names.Stamp, o.UsageMask.Stamp, o.Wallet.Stamp }
            .Concat(o.Custom.Values.Select(c => c.Stamp))
            .Concat(o.Links.Values.Select(l => l.Stamp));
        return stamps.Max();
    }

    private static ManagedObject Sync(ManagedObject mine, ManagedObject theirs, HybridLogicalClock hlc)
    {
        hlc.Observe(MaxStamp(theirs));
        return mine.Merge(theirs);
    }

    /// <summary>
    /// What the re-wrapper does: only live material under an older generation is re-wrapped (two replicas may
    /// still re-wrap the same object to the same generation, with different blobs).
    /// </summary>
    private static ManagedObject? Rewrap(ManagedObject current, int generation, int variant)
    {
        if (current.WrappedMaterial is null || OkvActors.Crypto.Kek.KeyEncryptionKey.GenerationOf(current.WrappedMaterial) >= generation)
        {
            return null;
        }

        byte[] blob = [0x02, 0, 0, 0, (byte)generation, .. Encoding.UTF8.GetBytes($"kek-id-{generation}"), (byte)variant, .. current.WrappedMaterial[1..]];
        return current.WithRewrappedMaterial(blob);
    }

    private static ManagedObject? Tick(ManualClock clock, int milliseconds)
    {
        clock.Advance(TimeSpan.FromMilliseconds(milliseconds));
        return null;
    }

    public override string ToString() =>
        $"{Uid} on {Replicas} replicas, {Steps.Length} steps: {string.Join("; ", Steps)}";
}

/// <summary>What a <see cref="Scenario"/> produced: every state each replica went through.</summary>
public sealed record ScenarioRun(Scenario Scenario, ManagedObject Initial, ImmutableArray<ImmutableArray<ManagedObject>> Histories, int Refused)
{
    /// <summary>Each replica's last state.</summary>
    public ImmutableArray<ManagedObject> Finals => [.. Histories.Select(h => h[^1])];

    /// <summary>Every state of every replica, replica by replica, oldest first.</summary>
    public ImmutableArray<ManagedObject> AllStates => [.. Histories.SelectMany(h => h)];

    public override string ToString() =>
        $"{Scenario} => [{string.Join(", ", Finals.Select(f => f.State))}], {Refused} refused";
}
