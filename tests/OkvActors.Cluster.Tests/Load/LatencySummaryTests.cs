using OkvActors.Cluster.Load;
using Xunit;

namespace OkvActors.Cluster.Tests.Load;

public sealed class LatencySummaryTests
{
    [Fact]
    public void Percentiles_are_nearest_rank_over_every_sample_in_any_order()
    {
        var samples = Enumerable.Range(1, 1000).Select(i => (double)i).Reverse();

        var summary = LatencySummary.Of(samples);

        Assert.Equal(1000, summary.Samples);
        Assert.Equal(500.5, summary.Mean);
        Assert.Equal(500, summary.P50);
        Assert.Equal(950, summary.P95);
        Assert.Equal(990, summary.P99);
        Assert.Equal(999, summary.P999);
        Assert.Equal(1000, summary.Max);
    }

    [Fact]
    public void A_single_sample_is_every_percentile_and_a_rare_outlier_shows_only_at_the_top()
    {
        Assert.Equal(new LatencySummary(1, 7, 7, 7, 7, 7, 7), LatencySummary.Of([7]));

        var withOutlier = LatencySummary.Of(Enumerable.Repeat(1.0, 99).Append(5000));
        Assert.Equal(1, withOutlier.P99);
        Assert.Equal(5000, withOutlier.Max);
    }

    [Fact]
    public void No_samples_give_the_empty_summary_and_a_percentile_outside_0_to_100_is_refused()
    {
        Assert.Equal(LatencySummary.None, LatencySummary.Of([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => LatencySummary.Percentile([1.0], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LatencySummary.Percentile([1.0], 100.1));
    }
}
