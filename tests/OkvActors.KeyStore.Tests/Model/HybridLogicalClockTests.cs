using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Tests.Support;
using Xunit;

namespace OkvActors.KeyStore.Tests.Model;

public sealed class HybridLogicalClockTests
{
    private static readonly DateTimeOffset T0 = Scenario.Start;

    private readonly ManualClock _wall = new(T0);

    [Fact]
    public void Now_follows_the_wall_clock_when_it_moves_forward()
    {
        var hlc = new HybridLogicalClock("node-a", _wall);

        var first = hlc.Now();
        _wall.Advance(TimeSpan.FromSeconds(1));
        var second = hlc.Now();

        Assert.Equal(new Hlc(T0.UtcTicks, 0, "node-a"), first);
        Assert.Equal(new Hlc(T0.AddSeconds(1).UtcTicks, 0, "node-a"), second);
    }

    [Fact]
    public void Now_counts_within_one_tick()
    {
        var hlc = new HybridLogicalClock("node-a", _wall);

        var stamps = Enumerable.Range(0, 5).Select(_ => hlc.Now()).ToArray();

        Assert.All(stamps, s => Assert.Equal(T0.UtcTicks, s.WallTicks));
        Assert.Equal([0, 1, 2, 3, 4], stamps.Select(s => s.Counter));
    }

    [Fact]
    public void Now_stays_monotonic_when_the_wall_clock_goes_backwards()
    {
        var hlc = new HybridLogicalClock("node-a", _wall);
        var stamps = new List<Hlc> { hlc.Now() };

        _wall.Advance(TimeSpan.FromHours(-1));
        stamps.Add(hlc.Now());
        stamps.Add(hlc.Now());
        _wall.Advance(TimeSpan.FromMinutes(30));
        stamps.Add(hlc.Now());
        _wall.Advance(TimeSpan.FromHours(1));
        stamps.Add(hlc.Now());

        for (var i = 1; i < stamps.Count; i++)
        {
            Assert.True(stamps[i] > stamps[i - 1], $"{stamps[i]} is not after {stamps[i - 1]}");
        }

        Assert.Equal(new Hlc(T0.UtcTicks, 3, "node-a"), stamps[3]);
        Assert.Equal(new Hlc(T0.AddMinutes(30).UtcTicks, 0, "node-a"), stamps[4]);
    }

    [Fact]
    public void Observe_moves_the_clock_past_a_remote_stamp_from_a_faster_node()
    {
        var slow = new HybridLogicalClock("node-a", _wall);
        var remote = new Hlc(T0.AddMinutes(5).UtcTicks, 7, "node-b");

        slow.Observe(remote);
        var next = slow.Now();

        Assert.True(next > remote, $"{next} is not after {remote}");
        Assert.Equal(new Hlc(remote.WallTicks, 8, "node-a"), next);
    }

    [Fact]
    public void Observe_moves_past_a_remote_stamp_in_the_same_tick_with_a_higher_counter()
    {
        var hlc = new HybridLogicalClock("node-a", _wall);
        hlc.Now();
        var remote = new Hlc(T0.UtcTicks, 4, "node-b");

        hlc.Observe(remote);

        Assert.True(hlc.Now() > remote);
    }

    [Fact]
    public void Observe_moves_past_a_remote_stamp_equal_to_the_last_local_one_but_for_the_node()
    {
        var hlc = new HybridLogicalClock("node-z", _wall);
        var last = hlc.Now();
        var remote = last with { Node = "node-b" };

        hlc.Observe(remote);
        var next = hlc.Now();

        Assert.True(next > remote && next > last);
    }

    [Fact]
    public void Observe_of_an_older_stamp_changes_nothing()
    {
        var hlc = new HybridLogicalClock("node-a", _wall);
        var witness = new HybridLogicalClock("node-a", new ManualClock(T0));
        hlc.Now();
        witness.Now();

        hlc.Observe(new Hlc(T0.AddSeconds(-1).UtcTicks, 99, "node-b"));

        Assert.Equal(witness.Now(), hlc.Now());
    }

    [Fact]
    public void A_write_after_observing_wins_over_the_observed_write_despite_a_slow_wall_clock()
    {
        var fast = new HybridLogicalClock("node-b", new ManualClock(T0.AddMinutes(10)));
        var slow = new HybridLogicalClock("node-a", _wall);
        var theirs = new Register<string?>("theirs", fast.Now());

        slow.Observe(theirs.Stamp);
        var mine = new Register<string?>("mine", slow.Now());

        Assert.Equal("mine", theirs.Merge(mine).Value);
        Assert.Equal("mine", mine.Merge(theirs).Value);
    }

    [Fact]
    public void Stamps_order_by_wall_then_counter_then_node()
    {
        Assert.True(new Hlc(2, 0, "a") > new Hlc(1, 9, "z"));
        Assert.True(new Hlc(1, 2, "a") > new Hlc(1, 1, "z"));
        Assert.True(new Hlc(1, 1, "b") > new Hlc(1, 1, "a"));
        Assert.True(new Hlc(1, 1, "a") >= new Hlc(1, 1, "a"));
        Assert.True(new Hlc(1, 1, "a") <= new Hlc(1, 1, "a"));
        Assert.Equal(0, new Hlc(1, 1, "a").CompareTo(new Hlc(1, 1, "a")));
        Assert.True(Hlc.Zero < new Hlc(0, 0, "a"));
    }

    [Fact]
    public void Ties_are_broken_by_node_id_ordinally()
    {
        // Ordinal: upper case sorts before lower case, whatever the culture.
        Assert.True(new Hlc(5, 1, "node-b") > new Hlc(5, 1, "node-a"));
        Assert.True(new Hlc(5, 1, "node-a") > new Hlc(5, 1, "Node-z"));
    }

    [Fact]
    public void Two_nodes_on_the_same_tick_agree_on_the_winner_by_node_id()
    {
        var a = new HybridLogicalClock("node-a", new ManualClock(T0));
        var b = new HybridLogicalClock("node-b", new ManualClock(T0));
        var fromA = new Register<int>(1, a.Now());
        var fromB = new Register<int>(2, b.Now());

        Assert.Equal(fromA.Stamp.WallTicks, fromB.Stamp.WallTicks);
        Assert.Equal(fromA.Stamp.Counter, fromB.Stamp.Counter);
        Assert.Equal(2, fromA.Merge(fromB).Value);
        Assert.Equal(2, fromB.Merge(fromA).Value);
    }

    [Fact]
    public void A_register_keeps_the_later_write_whichever_side_it_is_on()
    {
        var older = new Register<string?>("old", new Hlc(1, 0, "node-b"));
        var newer = new Register<string?>(null, new Hlc(1, 1, "node-a"));

        Assert.Equal(newer, older.Merge(newer));
        Assert.Equal(newer, newer.Merge(older));
        Assert.Equal(older, older.Merge(older));
    }

    [Fact]
    public void Each_clock_reports_its_node()
    {
        Assert.Equal("node-c", new HybridLogicalClock("node-c", _wall).Node);
        Assert.Equal("node-c", new HybridLogicalClock("node-c", _wall).Now().Node);
    }
}
