using OkvActors.Lab.Report;
using OkvActors.Lab.Scenarios;
using Xunit;
using static OkvActors.Lab.Tests.MicroBenchTests;

namespace OkvActors.Lab.Tests;

public class MicroSummaryTests
{
    /// <summary>The real reports of ours (codec) and the stock dictionary, with PyKMIP missing and nothing else run.</summary>
    private static IReadOnlyList<MicroResult> Results()
    {
        var measured = MicroBench.ParseReport(Data("micro-kmip-codec-report-brief.json"))
            .Concat(MicroBench.ParseReport(Data("micro-stock-shard-report-brief.json")))
            .Concat(MicroBench.ParsePyKmip(Data("micro-pykmip-missing.json"), 1))
            .Append(new MicroResult(MicroAreas.Crdt, "MergeDelta (1 new object)", "4000 objects", Systems.Okv, 372.4, 11.2, 5.1, 1168))
            .ToList();
        return MicroBench.Complete(measured, new Dictionary<string, string> { ["OkvActors.Benchmarks"] = "BenchmarkDotNet exited 1" });
    }

    [Fact]
    public void Each_area_has_a_table_of_ours_beside_the_peer_with_allocations_and_the_ratio()
    {
        var md = MicroSummary.Render(Results());

        Assert.StartsWith("## Micro benchmarks: ", md, StringComparison.Ordinal);
        Assert.Contains("### TTLV codec: OkvActors beside PyKMIP codec", md, StringComparison.Ordinal);
        Assert.Contains("| operation | size | OkvActors | allocated | stock LWWDictionary | allocated | ratio |", md, StringComparison.Ordinal);
        Assert.Contains("| MergeDelta (1 new object) | 4000 objects | 372 ns ±3% | 1.14 KiB | 6.28 ms ±10% | 3.91 MiB | 16,870× |", md, StringComparison.Ordinal);
        Assert.Contains("1 launch, 3 warm-up and 8 measured iterations", md, StringComparison.Ordinal);
        Assert.Contains("`timeit`", md, StringComparison.Ordinal);
        Assert.Contains("Ratio = peer time ÷ OkvActors time: above 1 OkvActors is faster.", md, StringComparison.Ordinal);
        Assert.True(md.IndexOf("### TTLV codec", StringComparison.Ordinal) < md.IndexOf("### Key wrap", StringComparison.Ordinal)
            && md.IndexOf("### Key wrap", StringComparison.Ordinal) < md.IndexOf("### CRDT merge", StringComparison.Ordinal));
    }

    [Fact]
    public void A_peer_that_did_not_run_says_so_and_why_in_its_row_with_no_ratio()
    {
        var md = MicroSummary.Render(Results());

        Assert.Contains("| Decode Get request | batch 1 | 372 ns ±2% | 1.54 KiB | not run: PyKMIP is not installed (No module named 'kmip'): apt-get install -y python3-pykmip | — | — |",
            md, StringComparison.Ordinal);
        Assert.Contains("| Put (local write) | 250 objects | not run: BenchmarkDotNet exited 1 | — | 563 ns ±5% | 1.75 KiB | — |", md, StringComparison.Ordinal);
        Assert.Contains("| Wrap | 32-byte key | not run: BenchmarkDotNet exited 1 | — | not run: BenchmarkDotNet exited 1 | — | — |", md, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lab_without_micro_results_says_not_run() =>
        Assert.Equal("## Micro benchmarks: OkvActors beside its peers, per operation\n\nNot run.\n", MicroSummary.Render([]));

    [Theory]
    [InlineData(0.85, "0.85 ns")]
    [InlineData(312.4, "312 ns")]
    [InlineData(46_712.0, "46.7 µs")]
    [InlineData(6_282_245.2, "6.28 ms")]
    [InlineData(20_743_013.0, "20.7 ms")]
    public void Times_read_in_the_unit_that_suits_with_three_digits(double ns, string expected) => Assert.Equal(expected, MicroSummary.Nanoseconds(ns));

    [Theory]
    [InlineData(0L, "0 B")]
    [InlineData(1000L, "1000 B")]
    [InlineData(197_664L, "193 KiB")]
    [InlineData(4_096_416L, "3.91 MiB")]
    [InlineData(null, "—")]
    public void Allocations_read_in_binary_units(long? bytes, string expected) => Assert.Equal(expected, MicroSummary.Bytes(bytes));

    [Theory]
    [InlineData(16_874.4, "16,874×")]
    [InlineData(10.5, "10.5×")]
    [InlineData(0.42, "0.42×")]
    [InlineData(null, "—")]
    public void Ratios_in_the_thousands_read_without_decimals(double? ratio, string expected) => Assert.Equal(expected, MicroSummary.Ratio(ratio));
}
