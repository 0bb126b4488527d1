namespace OkvActors.Chaos.Faults;

/// <summary>
/// The faults of a run, drawn from its seed alone: the same seed, node count and duration give the same plan.
/// Faults come in rounds; a round hits at most a minority of the nodes (with 5 nodes, e.g. a kill and a pause at
/// once), lasts a few seconds to tens of seconds, and the next round starts after a gap in which the cluster heals.
/// </summary>
public static class FaultPlan
{
    /// <summary>Time before the first fault, so the workload has objects to act on.</summary>
    public const double Warmup = 8;

    /// <param name="kinds">Only these kinds (e.g. to aim a run at one weakness); null for the full mix. A drawn kind
    /// outside the set is replaced by one of the set, chosen by the same seed, so the plan still replays.</param>
    public static IReadOnlyList<PlannedFault> Generate(int seed, int nodes, double duration, bool partitions = true, double maxClockOffset = 2,
        IReadOnlyCollection<FaultKind>? kinds = null)
    {
        if (kinds is { Count: 0 } || kinds?.Contains(FaultKind.Downed) == true || (!partitions && kinds?.All(k => k is FaultKind.Partition or FaultKind.CutWipe) == true))
        {
            throw new ArgumentException("the fault kinds must be some of kill, wipe, pause, partition, cutwipe (partition and cutwipe need the network lab)", nameof(kinds));
        }

        if (nodes < 3)
        {
            throw new ArgumentOutOfRangeException(nameof(nodes), nodes, "a chaos run needs at least 3 nodes, so a minority can fail");
        }

        var random = new Random(seed);
        var minority = (nodes - 1) / 2;
        var plan = new List<PlannedFault>();
        var t = Warmup;
        // Faults end before the run does, leaving time to see the cluster recover under load.
        var lastStart = duration - 12;
        while (t < lastStart)
        {
            var length = Math.Round(4 + random.NextDouble() * Math.Min(20, Math.Max(4, duration / 6)), 1);
            length = Math.Min(length, Math.Max(2, duration - 6 - t));
            if (random.NextDouble() < 0.15 && kinds?.Contains(FaultKind.Kill) != false)
            {
                // The controller's node, whichever it is then: nothing else in the round.
                plan.Add(new PlannedFault(Math.Round(t, 1), length, FaultKind.Kill, [], Controller: true, ClockOffset: Offset(random, maxClockOffset)));
            }
            else
            {
                var victims = Enumerable.Range(1, nodes).OrderBy(_ => random.Next()).Take(1 + random.Next(minority)).ToList();
                // Several faults at once: the victims split into groups, each hit by its own kind.
                var groups = victims.Count > 1 && random.NextDouble() < 0.5
                    ? victims.Select(v => (IReadOnlyList<int>)[v]).ToList()
                    : [victims];
                foreach (var group in groups)
                {
                    var kind = Pick(random, partitions);
                    if (kinds is not null && !kinds.Contains(kind))
                    {
                        var allowed = kinds.Where(k => partitions || k is not (FaultKind.Partition or FaultKind.CutWipe)).Order().ToList();
                        kind = allowed[random.Next(allowed.Count)];
                    }

                    var offset = kind is FaultKind.Kill or FaultKind.Wipe or FaultKind.CutWipe ? Offset(random, maxClockOffset) : 0;
                    plan.Add(new PlannedFault(Math.Round(t, 1), length, kind, group.Order().ToArray(), ClockOffset: offset));
                }
            }

            t += length + 6 + random.NextDouble() * 8;
        }

        return plan;
    }

    /// <summary>Without partitions (no network lab) their share goes to pauses and wipes, so the other draws stay the same.</summary>
    private static FaultKind Pick(Random random, bool partitions) => random.NextDouble() switch
    {
        < 0.30 => FaultKind.Kill,
        < 0.40 => FaultKind.Wipe,
        < 0.62 => FaultKind.Pause,
        < 0.88 => partitions ? FaultKind.Partition : FaultKind.Pause,
        _ => partitions ? FaultKind.CutWipe : FaultKind.Wipe,
    };

    private static double Offset(Random random, double max) =>
        random.NextDouble() < 0.5 ? 0 : Math.Round((random.NextDouble() * 2 - 1) * max, 1);
}
