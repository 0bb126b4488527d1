using OkvActors.Lab.Report;
using Xunit;
using static OkvActors.Lab.Tests.RatiosTests;
using Target = OkvActors.Lab.Report.TargetVerdict;

namespace OkvActors.Lab.Tests;

public class TargetsTests
{
    private static Comparison Cmp(string op, string peer, int clients, double? ratio) =>
        new(op, clients, peer, op, 100, ratio is null ? null : 100 / ratio, ratio, 1, 1);

    [Fact]
    public void A_ratio_target_is_judged_by_its_worst_concurrency_and_says_by_how_much_it_missed()
    {
        var v = Targets.RatioTarget("Get ≥ 30×", [Cmp("Get", Systems.PyKmip, 1, 40), Cmp("Get", Systems.PyKmip, 32, 15)], 30);
        Assert.False(v.Met);
        Assert.Equal("1c 40×, 32c 15×", v.Measured);
        Assert.Equal("missed by 2× at 32 clients (0.5× of the goal)", v.Detail);

        var met = Targets.RatioTarget("Get ≥ 30×", [Cmp("Get", Systems.PyKmip, 1, 40), Cmp("Get", Systems.PyKmip, 8, 31)], 30);
        Assert.True(met.Met);
        Assert.Equal("lowest 31× at 8 clients", met.Detail);
    }

    [Fact]
    public void A_ratio_target_without_peer_figures_is_not_measured_rather_than_met() =>
        Assert.Null(Targets.RatioTarget("x", [Cmp("Get", Systems.PyKmip, 1, null)], 30).Met);

    [Fact]
    public void A_ceiling_reports_the_excess_and_the_factor()
    {
        var missed = Targets.Upper("Get p99 ≤ 2 ms", 29.6, 2, "ms");
        Assert.Equal((false, "29.6 ms", "missed by 27.6 ms (14.8× the ceiling)"), (missed.Met, missed.Measured, missed.Detail));
        var met = Targets.Upper("gap", 80, 100, "ms");
        Assert.Equal((true, "20 ms under"), (met.Met, met.Detail));
    }

    [Fact]
    public void Judge_reads_every_target_from_the_run_and_marks_what_was_not_measured()
    {
        var macro = new[] { Row(Systems.Okv, "Get", 32, 1000, p99: 1.5) };
        var kill = new AvailabilityResult(Systems.Okv, "node3", 8, 12, 500, 3, 0, 500, 250, 11, 4, "how", []);
        var convergence = new ConvergenceResult(Systems.Okv, 50, 0, 20, 120, 130, "how");

        var v = Targets.Judge(macro, [Cmp("Create", Systems.Etcd, 32, 2)], [kill], [convergence]).ToDictionary(t => t.Target);

        Assert.True(v["Replicated Create ≥ 1.5× etcd put at equal concurrency"].Met);
        Assert.Null(v["Get ≥ 30× pykmip-server"].Met);
        Assert.True(v["Get p99 ≤ 2 ms at 32 clients"].Met);
        Assert.True(v["Node kill under load: 0 lost acknowledged writes"].Met);
        Assert.False(v["Write gap on survivors ≤ 100 ms"].Met);
        Assert.True(v["Convergence p99 ≤ 500 ms"].Met);
        Assert.Null(v["1M objects at ≤ 2 GiB per node"].Met);
    }

    [Fact]
    public void The_write_gap_verdict_names_the_longest_gap_of_the_same_load_before_the_kill()
    {
        var kill = new AvailabilityResult(Systems.Okv, "node3", 8, 12, 500, 0, 0, 500, 146.5, 11, 4, "how", [], GapBeforeKillMs: 77.3);

        var verdict = Targets.Judge([], [], [kill], []).Single(t => t.Target == "Write gap on survivors ≤ 100 ms");

        Assert.Equal("missed by 46.5 ms (1.5× the ceiling); longest gap before the kill 77.3 ms", verdict.Detail);
    }

    [Fact]
    public void A_lost_write_misses_the_kill_target_by_its_count()
    {
        var kill = new AvailabilityResult(Systems.Okv, "node3", 8, 12, 500, 0, 2, 500, 50, 11, 4, "how", []);
        var v = Targets.Judge([], [], [kill], []).Single(t => t.Target.StartsWith("Node kill", StringComparison.Ordinal));
        Assert.Equal((false, "2 lost of 500 verified", "missed by 2 writes"), (v.Met, v.Measured, v.Detail));
    }

    private static ScaleResult Loaded(int objects, long peakMiB) =>
        new(Systems.Okv, objects, objects, 0, 100, 1000, [new NodeMemory("node1", 100L << 20, 50L << 20), new NodeMemory("node2", 200L << 20, peakMiB << 20)], "how");

    private static RecoveryResult Restarted(long records, params double?[] seconds) =>
        new(Systems.Okv, records, seconds.Select((s, i) => (Key: $"node{i + 1}", Value: s)).ToDictionary(p => p.Key, p => p.Value), [], "how");

    [Fact]
    public void Memory_is_judged_by_the_highest_peak_of_the_largest_load_and_only_at_a_million()
    {
        Target Memory(params ScaleResult[] scale) => Targets.Judge([], [], [], [], scale).Single(t => t.Target == "1M objects at ≤ 2 GiB per node");

        var missed = Memory(Loaded(100_000, 900), Loaded(1_000_000, 2450));
        Assert.Equal((false, "peak 2450 MiB, 200 MiB after the load, at 1,000,000 objects", "missed by 402 MiB (1.2× the ceiling)"), (missed.Met, missed.Measured, missed.Detail));
        Assert.True(Memory(Loaded(1_000_000, 2000)).Met);
        var small = Memory(Loaded(20_000, 300));
        Assert.Equal((null, "the largest load was 20,000 objects (`--large-objects`)"), (small.Met, small.Detail));
        Assert.Equal("not measured", Memory().Measured);
    }

    [Fact]
    public void A_cold_restart_is_judged_by_its_last_node_back_and_fails_when_one_never_came()
    {
        Target Restart(params RecoveryResult[] recovery) => Targets.Judge([], [], [], [], [], recovery).Single(t => t.Target == "Cold restart back to serving ≤ 60 s");

        var met = Restart(Restarted(100_000, 3, 4), Restarted(1_000_000, 12.5, 16.6, 9));
        Assert.Equal((true, "16.6 s with 1,000,000 objects"), (met.Met, met.Measured));
        Assert.False(Restart(Restarted(1_000_000, 61, 2)).Met);
        var never = Restart(Restarted(1_000_000, 10, null));
        Assert.Equal((false, "not every node back (1,000,000 objects)"), (never.Met, never.Measured));
        Assert.Null(Restart(Restarted(20_000, 5)).Met);
        Assert.Null(Restart().Met);
    }
}
