using OkvActors.Lab.Report;
using Xunit;
using static OkvActors.Lab.Tests.RatiosTests;

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
    public void A_lost_write_misses_the_kill_target_by_its_count()
    {
        var kill = new AvailabilityResult(Systems.Okv, "node3", 8, 12, 500, 0, 2, 500, 50, 11, 4, "how", []);
        var v = Targets.Judge([], [], [kill], []).Single(t => t.Target.StartsWith("Node kill", StringComparison.Ordinal));
        Assert.Equal((false, "2 lost of 500 verified", "missed by 2 writes"), (v.Met, v.Measured, v.Detail));
    }
}
