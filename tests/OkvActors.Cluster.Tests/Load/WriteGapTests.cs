using OkvActors.Cluster.Load;
using Xunit;

namespace OkvActors.Cluster.Tests.Load;

public sealed class WriteGapTests
{
    [Fact]
    public void The_gap_is_the_longest_stretch_after_the_kill_including_its_start_and_the_end() =>
        Assert.Equal(400, WriteGap.Longest([100, 950, 1000, 1050, 1450, 1500], fromMs: 1000, toMs: 1600));

    [Fact]
    public void Acknowledgements_before_the_kill_do_not_shorten_the_first_gap() =>
        Assert.Equal(300, WriteGap.Longest([990, 999, 1300, 1310], fromMs: 1000, toMs: 1400));

    [Fact]
    public void No_write_after_the_kill_is_a_gap_as_long_as_the_rest_of_the_run() =>
        Assert.Equal(5000, WriteGap.Longest([10, 20], fromMs: 1000, toMs: 6000));

    [Fact]
    public void Order_does_not_matter() =>
        Assert.Equal(WriteGap.Longest([1100, 1500, 1200], 1000, 1600), WriteGap.Longest([1500, 1100, 1200], 1000, 1600));

    [Fact]
    public void An_end_before_the_kill_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => WriteGap.Longest([], 10, 5));

    [Fact]
    public void The_longest_gaps_come_longest_first_with_where_each_starts()
    {
        var gaps = WriteGap.Longest([1100, 1500, 1520, 1900], fromMs: 1000, toMs: 2000, count: 3);

        Assert.Equal([new WriteGap.Gap(1100, 400), new WriteGap.Gap(1520, 380), new WriteGap.Gap(1000, 100)], gaps);
    }

    [Fact]
    public void A_window_before_the_kill_is_measured_the_same_way_as_after_it() =>
        Assert.Equal(250, WriteGap.Longest([100, 350, 400, 1200], fromMs: 0, toMs: 500));
}
