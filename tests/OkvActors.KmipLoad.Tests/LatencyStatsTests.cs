using OkvActors.KmipLoad;
using Xunit;

namespace OkvActors.KmipLoad.Tests;

public class LatencyStatsTests
{
    private static readonly double[] OneToHundred = Enumerable.Range(1, 100).Select(i => (double)i).ToArray();

    [Theory]
    [InlineData(50, 50)]
    [InlineData(95, 95)]
    [InlineData(99, 99)]
    [InlineData(99.5, 100)]
    [InlineData(100, 100)]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    public void Nearest_rank_percentiles_of_1_to_100(double percentile, double expected) =>
        Assert.Equal(expected, LatencyStats.Percentile(OneToHundred, percentile));

    [Fact]
    public void Small_samples_round_the_rank_up()
    {
        double[] sample = [10, 20, 30, 40];
        Assert.Equal(20, LatencyStats.Percentile(sample, 50));
        Assert.Equal(40, LatencyStats.Percentile(sample, 95));
        Assert.Equal(40, LatencyStats.Percentile(sample, 99));
        Assert.Equal(7, LatencyStats.Percentile([7.0], 99));
        Assert.Equal(0, LatencyStats.Percentile([], 50));
    }

    [Fact]
    public void Summarise_sorts_counts_and_computes_throughput()
    {
        var shuffled = OneToHundred.Reverse().ToArray();
        var summary = LatencyStats.Summarise("Get", shuffled, errors: 3, seconds: 4);
        Assert.Equal(100, summary.Count);
        Assert.Equal(3, summary.Errors);
        Assert.Equal(25, summary.OpsPerSecond);
        Assert.Equal(50, summary.P50Ms);
        Assert.Equal(95, summary.P95Ms);
        Assert.Equal(99, summary.P99Ms);
        Assert.Equal(100, summary.MaxMs);
    }

    [Fact]
    public void An_empty_run_summarises_to_zeros()
    {
        var summary = LatencyStats.Summarise("Locate", [], errors: 0, seconds: 0);
        Assert.Equal(0, summary.Count);
        Assert.Equal(0, summary.OpsPerSecond);
        Assert.Equal(0, summary.MaxMs);
    }

    [Fact]
    public void Percentiles_outside_0_to_100_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LatencyStats.Percentile(OneToHundred, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => LatencyStats.Percentile(OneToHundred, 101));
    }
}
