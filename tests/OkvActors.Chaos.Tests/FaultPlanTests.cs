using OkvActors.Chaos.Faults;
using Xunit;

namespace OkvActors.Chaos.Tests;

public sealed class FaultPlanTests
{
    [Theory]
    [InlineData(1, 3)]
    [InlineData(42, 5)]
    public void The_same_seed_gives_the_same_plan(int seed, int nodes)
    {
        Assert.Equal(FaultPlan.Generate(seed, nodes, 600), FaultPlan.Generate(seed, nodes, 600), new PlanComparer());
        Assert.NotEqual(FaultPlan.Generate(seed, nodes, 600), FaultPlan.Generate(seed + 1, nodes, 600), new PlanComparer());
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(7)]
    public void No_round_hits_more_than_a_minority_and_faults_end_before_the_run(int nodes)
    {
        for (var seed = 0; seed < 50; seed++)
        {
            var plan = FaultPlan.Generate(seed, nodes, 900);
            Assert.NotEmpty(plan);
            foreach (var round in plan.GroupBy(f => f.At))
            {
                var hit = round.SelectMany(f => f.Controller ? [0] : f.Nodes).ToList();
                Assert.True(hit.Count <= (nodes - 1) / 2, $"seed {seed}: round at {round.Key} hits {hit.Count} of {nodes}");
                Assert.Equal(hit.Count, hit.Distinct().Count());
                Assert.All(round, f => Assert.True(f.At + f.Duration <= 900, $"seed {seed}: {f} outlasts the run"));
            }

            // Rounds do not overlap: each ends before the next begins.
            var rounds = plan.GroupBy(f => f.At).Select(g => (Start: g.Key, End: g.Key + g.Max(f => f.Duration))).OrderBy(r => r.Start).ToList();
            Assert.All(rounds.Zip(rounds.Skip(1)), pair => Assert.True(pair.Item1.End < pair.Item2.Start));
        }
    }

    [Fact]
    public void A_long_five_node_plan_mixes_every_kind_of_fault_and_concurrent_ones()
    {
        var plan = FaultPlan.Generate(7, 5, 1800);

        Assert.Equal(Enum.GetValues<FaultKind>().Where(k => k != FaultKind.Downed).Order(), plan.Select(f => f.Kind).Distinct().Order());
        Assert.Contains(plan, f => f.Controller);
        Assert.Contains(plan, f => f.ClockOffset != 0);
        Assert.Contains(plan.GroupBy(f => f.At), round => round.Count() > 1);
    }

    [Fact]
    public void Without_a_network_lab_there_are_no_partitions()
    {
        Assert.DoesNotContain(FaultPlan.Generate(7, 5, 1800, partitions: false), f => f.Kind == FaultKind.Partition);
    }

    [Fact]
    public void Fewer_than_three_nodes_are_refused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => FaultPlan.Generate(1, 2, 60));
        Assert.Contains("at least 3 nodes", e.Message);
    }

    private sealed class PlanComparer : IEqualityComparer<PlannedFault>
    {
        public bool Equals(PlannedFault? x, PlannedFault? y) =>
            x is not null && y is not null && x.At == y.At && x.Duration == y.Duration && x.Kind == y.Kind && x.Nodes.SequenceEqual(y.Nodes)
            && x.Controller == y.Controller && x.ClockOffset == y.ClockOffset;

        public int GetHashCode(PlannedFault obj) => HashCode.Combine(obj.At, obj.Kind);
    }

    [Fact]
    public void A_run_aimed_at_some_kinds_draws_only_those_and_replays_from_its_seed()
    {
        var aimed = FaultPlan.Generate(7, 5, 600, kinds: [FaultKind.CutWipe, FaultKind.Wipe]);

        Assert.All(aimed, f => Assert.Contains(f.Kind, new[] { FaultKind.CutWipe, FaultKind.Wipe }));
        Assert.Contains(aimed, f => f.Kind == FaultKind.CutWipe);
        Assert.Equal(aimed, FaultPlan.Generate(7, 5, 600, kinds: [FaultKind.CutWipe, FaultKind.Wipe]), new PlanComparer());
    }

    [Fact]
    public void Partitions_cannot_be_the_only_kinds_without_a_network_lab()
    {
        Assert.Throws<ArgumentException>(() => FaultPlan.Generate(7, 3, 60, partitions: false, kinds: [FaultKind.CutWipe]));
        Assert.Throws<ArgumentException>(() => FaultPlan.Generate(7, 3, 60, kinds: []));
    }
}
