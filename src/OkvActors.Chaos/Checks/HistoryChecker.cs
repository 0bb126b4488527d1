using OkvActors.Chaos.Faults;
using OkvActors.Chaos.History;

namespace OkvActors.Chaos.Checks;

/// <summary>
/// The checks every run must pass, over the history of client operations, the fault timeline and what the healed
/// cluster holds at the end. Each check is a pure function of those, so each can be shown to fail on a hand-made
/// history (tests/OkvActors.Chaos.Tests).
/// </summary>
public static class HistoryChecker
{
    public const string AcknowledgedWritesSurvive = "acknowledged-writes-survive";
    public const string DestroyedStaysDestroyed = "destroyed-stays-destroyed";
    public const string LifecycleMovesForward = "lifecycle-moves-forward";
    public const string ReplicasIdentical = "replicas-identical";
    public const string UniqueUids = "unique-uids";
    public const string RestrictedOnlyWithoutQuorum = "restricted-only-without-quorum";
    public const string ControllerRegistryIntact = "controller-registry-intact";
    public const string NoPlaintextAtRest = "no-plaintext-at-rest";

    public static readonly IReadOnlyList<string> All =
    [
        AcknowledgedWritesSurvive, DestroyedStaysDestroyed, LifecycleMovesForward, ReplicasIdentical, UniqueUids,
        RestrictedOnlyWithoutQuorum, ControllerRegistryIntact, NoPlaintextAtRest,
    ];

    /// <summary>Lifecycle order (Pre-Active &lt; Active &lt; Deactivated/Compromised &lt; Destroyed); unknown names rank -1.</summary>
    public static int Rank(string? state) => state switch
    {
        "PreActive" => 0,
        "Active" => 1,
        "Deactivated" or "Compromised" => 2,
        "Destroyed" or "DestroyedCompromised" => 3,
        _ => -1,
    };

    public static IReadOnlyList<Violation> Check(
        IReadOnlyList<ClientOperation> history, IReadOnlyList<FaultRecord> faults, IReadOnlyList<string> nodes, Observations final, double restrictedMargin,
        IReadOnlyList<NodeView>? views = null)
    {
        var violations = new List<Violation>();
        // A restarted node has no quorum until the cluster has taken it in again (seen in the sampled views).
        var runEnd = history.Select(o => o.End).Concat(views?.Select(v => v.At) ?? []).DefaultIfEmpty(0).Max();
        var quorum = new QuorumTimeline(nodes, Rejoins.Extend(faults, views, runEnd));
        violations.AddRange(CheckAcknowledgedWrites(history, final));
        violations.AddRange(CheckDestroyed(history, final, quorum, restrictedMargin));
        violations.AddRange(CheckLifecycle(history, final, faults));
        violations.AddRange(CheckReplicas(final));
        violations.AddRange(CheckUniqueUids(history));
        violations.AddRange(CheckRestricted(history, quorum, restrictedMargin));
        violations.AddRange(CheckRegistry(nodes, final));
        violations.AddRange(final.Plaintext.Select(p =>
            new Violation(NoPlaintextAtRest, $"material of {p.Uid} in plaintext ({p.Encoding}) in {p.File} at byte {p.Offset}", [])));
        return violations;
    }

    /// <summary>
    /// Every object a client was told was created is still there, on every node, with the material it was registered
    /// with (or first read with), and every successful Get of it returned that same material.
    /// </summary>
    public static IEnumerable<Violation> CheckAcknowledgedWrites(IReadOnlyList<ClientOperation> history, Observations final)
    {
        foreach (var created in history.Where(o => o.CreatedObject))
        {
            var uid = created.Result!;
            if (!final.Objects.TryGetValue(uid, out var found) || found.State is null)
            {
                yield return new Violation(AcknowledgedWritesSurvive, $"acknowledged {created.Kind} of {uid} is lost: no node holds it after healing", [created.Id]);
                continue;
            }

            var destroyed = Rank(found.State) == 3;
            foreach (var replica in final.Nodes.Where(n => !n.Uids.Contains(uid) && !destroyed))
            {
                yield return new Violation(AcknowledgedWritesSurvive, $"acknowledged {created.Kind} of {uid} is missing on {replica.Node}", [created.Id]);
            }

            var reads = history.Where(o => o.Kind == OpKind.Get && o.Uid == uid && o.Outcome == Outcome.Ok && o.Result is not null).ToList();
            var expected = created.Kind == OpKind.Register ? created.Args : reads.FirstOrDefault()?.Result;
            foreach (var read in reads.Where(r => expected is not null && r.Result != expected))
            {
                yield return new Violation(AcknowledgedWritesSurvive, $"Get of {uid} returned other material than {(created.Kind == OpKind.Register ? "was registered" : "its first read")}",
                    [created.Id, read.Id]);
            }

            if (!destroyed && expected is not null && found.MaterialHash is not null && found.MaterialHash != expected)
            {
                yield return new Violation(AcknowledgedWritesSurvive, $"{uid} holds other material after healing than it was given", [created.Id]);
            }
        }
    }

    /// <summary>
    /// Once a destroy was acknowledged, no later Get or encryption anywhere returns the object's material (they read
    /// the latest a majority holds), no node's own replica shows it alive once <paramref name="margin"/> seconds have
    /// passed for the destroy to spread, and it is destroyed after healing. A node cut from its majority since the
    /// destroy began serves its own, possibly older, replica by design (restricted mode): its reads are exempt.
    /// </summary>
    public static IEnumerable<Violation> CheckDestroyed(IReadOnlyList<ClientOperation> history, Observations final, QuorumTimeline quorum, double margin)
    {
        foreach (var destroy in history.Where(o => o.Kind == OpKind.Destroy && o.Outcome == Outcome.Ok && o.Uid is not null))
        {
            var later = history.Where(o => o.Uid == destroy.Uid && o.Start > destroy.End && o.Outcome == Outcome.Ok);
            foreach (var op in later)
            {
                var resurrected = op.Kind switch
                {
                    OpKind.Get or OpKind.EncryptDecrypt => true,
                    OpKind.Inspect => Rank(op.Result) is >= 0 and < 3 && op.Start > destroy.End + margin,
                    _ => false,
                };
                if (resurrected && !quorum.LacksQuorumDuring(op.Node, destroy.Start - margin, op.End))
                {
                    yield return new Violation(DestroyedStaysDestroyed,
                        $"{destroy.Uid} was destroyed at {destroy.End:F2}s, then {op.Kind} on {op.Node} at {op.Start:F2}s saw it {(op.Kind == OpKind.Inspect ? op.Result : "with material")}",
                        [destroy.Id, op.Id]);
                }
            }

            if (final.Objects.TryGetValue(destroy.Uid!, out var found) && Rank(found.State) != 3)
            {
                yield return new Violation(DestroyedStaysDestroyed, $"{destroy.Uid} was destroyed but reads {found.State ?? "absent"} after healing", [destroy.Id]);
            }
        }
    }

    /// <summary>
    /// On each node, an object's state never moves back (an Inspect that began after another ended sees no earlier
    /// state), and after healing every object is at least as far as every transition a client was told succeeded.
    /// Across a wipe of the node its replica starts again from what the others hold, so a state it alone held (a
    /// write that was never acknowledged) may go: those pairs are not compared.
    /// </summary>
    public static IEnumerable<Violation> CheckLifecycle(IReadOnlyList<ClientOperation> history, Observations final, IReadOnlyList<FaultRecord> faults)
    {
        var observations = history.Where(o => o.Kind == OpKind.Inspect && o.Outcome == Outcome.Ok && o.Uid is not null && Rank(o.Result) >= 0)
            .GroupBy(o => (o.Uid, o.Node));
        foreach (var group in observations)
        {
            var seen = group.OrderBy(o => o.End).ToList();
            foreach (var later in seen)
            {
                var regress = seen.FirstOrDefault(earlier => earlier.End < later.Start && Rank(earlier.Result) > Rank(later.Result)
                    && !faults.Any(f => f.Kind is FaultKind.Wipe or FaultKind.CutWipe && f.Nodes.Contains(later.Node) && f.Start >= earlier.Start && f.Start <= later.End));
                if (regress is not null)
                {
                    yield return new Violation(LifecycleMovesForward,
                        $"{later.Uid} on {later.Node} was {regress.Result} at {regress.End:F2}s, then {later.Result} at {later.Start:F2}s", [regress.Id, later.Id]);
                }
            }
        }

        foreach (var transition in history.Where(o => o.Outcome == Outcome.Ok && o.Uid is not null && o.Kind is OpKind.Activate or OpKind.Revoke or OpKind.Destroy))
        {
            var atLeast = transition.Kind switch
            {
                OpKind.Activate => 1,
                OpKind.Revoke => 2,
                _ => 3,
            };
            if (final.Objects.TryGetValue(transition.Uid!, out var found) && found.State is not null && Rank(found.State) < atLeast)
            {
                yield return new Violation(LifecycleMovesForward,
                    $"{transition.Uid} reads {found.State} after healing although {transition.Kind} was acknowledged", [transition.Id]);
            }
        }
    }

    /// <summary>After healing every replica holds the same data: equal per-shard digests on every node.</summary>
    public static IEnumerable<Violation> CheckReplicas(Observations final)
    {
        if (final.Nodes.Count == 0)
        {
            yield return new Violation(ReplicasIdentical, "no replica could be read after healing", []);
            yield break;
        }

        if (!final.Converged)
        {
            yield return new Violation(ReplicasIdentical, "the replicas did not converge to equal digests before the timeout", []);
        }

        var reference = final.Nodes[0];
        foreach (var replica in final.Nodes.Skip(1))
        {
            var differing = reference.ShardDigests.Keys.Union(replica.ShardDigests.Keys)
                .Where(k => reference.ShardDigests.GetValueOrDefault(k) != replica.ShardDigests.GetValueOrDefault(k))
                .Order(StringComparer.Ordinal).ToList();
            if (differing.Count > 0)
            {
                yield return new Violation(ReplicasIdentical,
                    $"{replica.Node} differs from {reference.Node} in {differing.Count} shard(s): {string.Join(", ", differing.Take(8))}{(differing.Count > 8 ? ", …" : "")}", []);
            }
        }
    }

    /// <summary>No UID is handed out twice.</summary>
    public static IEnumerable<Violation> CheckUniqueUids(IReadOnlyList<ClientOperation> history) =>
        history.Where(o => o.CreatedObject).GroupBy(o => o.Result!).Where(g => g.Count() > 1)
            .Select(g => new Violation(UniqueUids, $"UID {g.Key} was returned by {g.Count()} creations", g.Select(o => o.Id).ToArray()));

    /// <summary>
    /// A write refused for restricted mode is legitimate only while the fault timeline says the node was cut from a
    /// majority (a restarted node counts as cut off until it is a member again), or within <paramref name="margin"/>
    /// seconds after (the failure detector needs time to see the cut and to see it heal).
    /// </summary>
    public static IEnumerable<Violation> CheckRestricted(IReadOnlyList<ClientOperation> history, QuorumTimeline quorum, double margin) =>
        history.Where(o => o.Restricted && !quorum.LacksQuorumDuring(o.Node, o.Start - margin, o.End))
            .Select(o => new Violation(RestrictedOnlyWithoutQuorum,
                $"{o.Node} refused {o.Kind} for restricted mode at {o.Start:F2}s although it reached a majority from {o.Start - margin:F2}s on", [o.Id]));

    /// <summary>After every controller kill (and at the end) the controller answers and its registry lists every node.</summary>
    public static IEnumerable<Violation> CheckRegistry(IReadOnlyList<string> nodes, Observations final)
    {
        foreach (var probe in final.Registry)
        {
            if (!probe.Answered)
            {
                yield return new Violation(ControllerRegistryIntact, $"no controller answered after {probe.Reason}: {probe.Detail}", []);
                continue;
            }

            var missing = nodes.Except(probe.Listed).ToList();
            if (missing.Count > 0)
            {
                yield return new Violation(ControllerRegistryIntact,
                    $"after {probe.Reason} the registry (controller {probe.Controller}) lacks {string.Join(", ", missing)}", []);
            }
        }
    }
}
