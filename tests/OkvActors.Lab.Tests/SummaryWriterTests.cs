using OkvActors.Lab.Report;
using Xunit;
using static OkvActors.Lab.Tests.RatiosTests;

namespace OkvActors.Lab.Tests;

public class SummaryWriterTests
{
    private static LabReport Report(IReadOnlyList<MacroRow> macro)
    {
        var comparisons = Ratios.Compare(macro);
        var kill = new AvailabilityResult(Systems.Okv, "node3", 8, 12, 500, 3, 0, 500, 250.4, 11.2, 4.5, "KMIP Create", ["Create: boom"], 41.5);
        var convergence = new ConvergenceResult(Systems.Etcd, 20, 1, 3.5, 9.25, 12, "gateway");
        var scale = new ScaleResult(Systems.Okv, 10000, 9990, 10, 4, 2497.5, [new NodeMemory("node1", 300L << 20, 350L << 20)], "control load");
        var large = new ScaleResult(Systems.Okv, 1_000_000, 1_000_000, 0, 250, 4000, [new NodeMemory("node1", 1500L << 20, 2500L << 20)], "control load", FreshCluster: true);
        var etcdLarge = new ScaleResult(Systems.Etcd, 1_000_000, 1_000_000, 0, 200, 5000, [new NodeMemory("etcd1", 900L << 20, 1000L << 20)], "gateway", FreshCluster: true);
        RecoveryResult Restarted(string system, long records, double? last) => new(system, records,
            new Dictionary<string, double?> { ["a"] = 4.25, ["b"] = last }, [new NodeMemory("a", 1200L << 20, 1300L << 20)], "power cut", FreshCluster: records >= 1_000_000);
        var recovery = new[] { Restarted(Systems.Etcd, 1_000_000, 3), Restarted(Systems.Okv, 1_000_000, 16.5), Restarted(Systems.Okv, 10_000, null) };
        var profile = new NodeProfile("Create × 32 clients", "node1", 8, new Scenarios.RuntimeMeters(55.5, 12.25, 120, 9, 2, 1, 3.5, 4000, 900),
            [new ProfileFrame("durable store (SQLite)", 8.7)], [new ProfileFrame("Sqlite.SqliteDataReader::NextResult()", 8.7)], "t.nettrace", null, null);
        var noTrace = new NodeProfile("Get × 32 clients", "node1", 8, null, [], [], null, "dotnet-counters failed (1): gone", "dotnet-trace failed (1): not root");
        GrowthResult Grown(int nodes, double seconds, double p99) => new(nodes, seconds, 1.25, 2.5, 200L << 20,
            new MacroRow(Systems.Okv, "Create", 8, 6, 600, 0, 100, 20, 30, p99, 500, 1.0), new ConvergenceResult(Systems.Okv, 20, 0, 12, 40, 50, "local reads"));
        return new LabReport(new DateTimeOffset(2026, 11, 29, 23, 40, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 29, 23, 52, 30, TimeSpan.Zero),
            new MachineInfo(2, "Linux", "10.0", "17.1 18.0 19.2", "12.0 13.0 14.0"), "okv-lab --quick", 315, macro, comparisons, [kill], [convergence], [large, scale, etcdLarge],
            [Grown(3, 21.5, 40), Grown(16, 150.25, 300)], Targets.Judge(macro, comparisons, [kill], [convergence], [scale, large], recovery), ["scale: not run"], ["noisy"],
            recovery, [profile, noTrace]);
    }

    [Fact]
    public void Every_okv_figure_stands_beside_its_peer_with_the_ratio()
    {
        var md = SummaryWriter.Render(Report([Row(Systems.Okv, "Create", 8, 300, 40), Row(Systems.PyKmip, "Create", 8, 10, 400), Row(Systems.Etcd, "Put", 8, 200, 20)]), []);

        Assert.Contains("| Create | 8 | 300 | 20.00 | 40.00 | pykmip-server Create | 10 | 200 | 400 | 30.0× | 1.0 / 1.0 |", md, StringComparison.Ordinal);
        Assert.Contains("| Create | 8 | 300 | 20.00 | 40.00 | etcd Put | 200 | 10.00 | 20.00 | 1.50× | 1.0 / 1.0 |", md, StringComparison.Ordinal);
    }

    [Fact]
    public void The_summary_records_load_reproduce_command_targets_availability_convergence_and_gaps()
    {
        var md = SummaryWriter.Render(Report([Row(Systems.Okv, "Get", 32, 1000, 30)]), ["s-get-throughput.png"]);

        Assert.Contains("# Performance lab: 2026-11-29 23:40 UTC", md, StringComparison.Ordinal);
        Assert.Contains("Reproduce: `dotnet tool restore && dotnet pwsh ./build.ps1 bench` (this run: `okv-lab --quick`)", md, StringComparison.Ordinal);
        Assert.Contains("before: **17.1 18.0 19.2**, after: **12.0 13.0 14.0**", md, StringComparison.Ordinal);
        Assert.Contains("Duration 12.5 min", md, StringComparison.Ordinal);
        Assert.Contains("| Get p99 ≤ 2 ms at 32 clients | 30 ms | **missed** | missed by 28 ms (15× the ceiling) |", md, StringComparison.Ordinal);
        Assert.Contains("| Get | 32 | 1000 | 15.00 | 30.00 | — |", md, StringComparison.Ordinal);
        Assert.Contains("| OkvActors | node3 | 8 | 12 | 500 | 3 | 0 (500) | 250.4 | 41.5 | 11.2 | 4.5 |", md, StringComparison.Ordinal);
        Assert.Contains("Error samples: Create: boom", md, StringComparison.Ordinal);
        Assert.Contains("| etcd | 20 | 1 | 3.50 | 9.25 | 12.00 | gateway |", md, StringComparison.Ordinal);
        Assert.Contains("![s-get-throughput](s-get-throughput.png)", md, StringComparison.Ordinal);
        Assert.Contains("- scale: not run", md, StringComparison.Ordinal);
        Assert.Contains("| OkvActors | 10000 | 9990 | 10 | 4.0 | 2498 | node1 300 (350) | control load |", md, StringComparison.Ordinal);
        Assert.Contains("| 1M objects at ≤ 2 GiB per node | peak 2500 MiB, 1500 MiB after the load, at 1,000,000 objects | **missed** | missed by 452 MiB (1.2× the ceiling) |", md, StringComparison.Ordinal);
        Assert.Contains("| Cold restart back to serving ≤ 60 s | 16.5 s with 1,000,000 objects | met | 43.5 s under |", md, StringComparison.Ordinal);
        Assert.Contains("- noisy", md, StringComparison.Ordinal);
        Assert.Contains("| 3 | 21.5 | 1.3 (2.5) | 200 | 100 | 20.00 | 40.00 | 1.00× | 12.00 | 40.00 |", md, StringComparison.Ordinal);
        Assert.Contains("| 16 | 150.3 | 1.3 (2.5) | 200 | 100 | 20.00 | 300 | 7.50× | 12.00 | 40.00 |", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Scale_and_cold_restart_rows_go_by_size_with_the_peer_after_ours()
    {
        var md = SummaryWriter.Render(Report([Row(Systems.Okv, "Get", 32, 1000, 30)]), []);

        var small = md.IndexOf("| OkvActors | 10000 |", StringComparison.Ordinal);
        var large = md.IndexOf("| OkvActors, fresh | 1000000 | 1000000 | 0 | 250.0 | 4000 | node1 1500 (2500) | control load |", StringComparison.Ordinal);
        var etcd = md.IndexOf("| etcd, fresh | 1000000 | 1000000 | 0 | 200.0 | 5000 | etcd1 900 (1000) | gateway |", StringComparison.Ordinal);
        Assert.True(small >= 0 && small < large && large < etcd, md);
        Assert.Contains("Rows without \"fresh\" are the lab's own systems", md, StringComparison.Ordinal);

        var notBack = md.IndexOf("| OkvActors | 10,000 | **not all back** | a 4.3, b never | a 1200 | power cut |", StringComparison.Ordinal);
        var okvLarge = md.IndexOf("| OkvActors, fresh | 1,000,000 | 16.5 | a 4.3, b 16.5 | a 1200 | power cut |", StringComparison.Ordinal);
        var etcdLarge = md.IndexOf("| etcd, fresh | 1,000,000 | 4.3 | a 4.3, b 3.0 | a 1200 | power cut |", StringComparison.Ordinal);
        Assert.True(notBack >= 0 && notBack < okvLarge && okvLarge < etcdLarge, md);
    }

    [Fact]
    public void Profiles_show_the_meters_the_components_and_the_heaviest_frames_or_why_there_are_none()
    {
        var md = SummaryWriter.Render(Report([Row(Systems.Okv, "Get", 32, 1000, 30)]), []);

        Assert.Contains("| Create × 32 clients | node1 | 8 | 55.5 | 12.3 | 120.0 | 9/2/1 | 3.5 | 4000 | 900 |", md, StringComparison.Ordinal);
        Assert.Contains("- **Create × 32 clients**, components: `durable store (SQLite)` 8.7%.", md, StringComparison.Ordinal);
        Assert.Contains("  Heaviest frames: `Sqlite.SqliteDataReader::NextResult()` 8.7%.", md, StringComparison.Ordinal);
        Assert.Contains("| Get × 32 clients | node1 | 8 | dotnet-counters failed (1): gone |", md, StringComparison.Ordinal);
        Assert.Contains("- **Get × 32 clients**: no CPU profile (dotnet-trace failed (1): not root).", md, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_peer_run_shows_as_failed_with_its_reason_and_no_ratio()
    {
        var md = SummaryWriter.Render(Report([Row(Systems.Okv, "Get", 128, 500), Row(Systems.PyKmip, "Get", 128, 0, failure: "IOException: reset")]), []);

        Assert.Contains("| pykmip-server Get | failed | — | — | — |", md, StringComparison.Ordinal);
        Assert.Contains("pykmip-server Get × 128: IOException: reset", md, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(31.25, "31.3×")]
    [InlineData(1.456, "1.46×")]
    [InlineData(null, "—")]
    public void Ratios_read_with_sensible_precision(double? ratio, string expected) => Assert.Equal(expected, SummaryWriter.Ratio(ratio));
}
