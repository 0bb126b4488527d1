using OkvActors.Chaos.Checks;
using OkvActors.Chaos.Faults;
using Xunit;

namespace OkvActors.Chaos.Tests;

public sealed class QuorumTimelineTests
{
    private static readonly string[] Five = ["node1", "node2", "node3", "node4", "node5"];

    [Fact]
    public void Two_of_five_down_leave_the_other_three_their_quorum()
    {
        var quorum = new QuorumTimeline(Five, [new(FaultKind.Kill, ["node1"], 0, 10, ""), new(FaultKind.Pause, ["node2"], 0, 10, "")]);

        Assert.True(quorum.LacksQuorum("node1", 5));
        Assert.True(quorum.LacksQuorum("node2", 5));
        Assert.False(quorum.LacksQuorum("node3", 5));
        Assert.False(quorum.LacksQuorum("node1", 10));
    }

    [Fact]
    public void A_partition_of_two_from_three_cuts_the_two_only()
    {
        var quorum = new QuorumTimeline(Five, [new(FaultKind.Partition, ["node4", "node5"], 10, 20, "")]);

        Assert.True(quorum.LacksQuorum("node4", 15));
        Assert.False(quorum.LacksQuorum("node1", 15));
        Assert.True(quorum.CanReach("node4", "node5", 15));
        Assert.False(quorum.CanReach("node1", "node5", 15));
    }

    [Fact]
    public void A_kill_on_the_majority_side_of_a_partition_takes_its_quorum()
    {
        // 5 nodes: node4,node5 cut off; node1 killed as well: node2 and node3 reach only each other.
        var quorum = new QuorumTimeline(Five, [new(FaultKind.Partition, ["node4", "node5"], 10, 20, ""), new(FaultKind.Kill, ["node1"], 12, 14, "")]);

        Assert.False(quorum.LacksQuorum("node2", 11));
        Assert.True(quorum.LacksQuorum("node2", 13));
        Assert.True(quorum.LacksQuorumDuring("node2", 11, 12.5));
        Assert.False(quorum.LacksQuorumDuring("node2", 14, 30));
    }

    [Fact]
    public void A_restarted_node_lacks_its_quorum_until_it_sees_itself_Up_again()
    {
        FaultRecord[] faults = [new(FaultKind.Kill, ["node1", "node2"], 10, 20, "")];
        NodeView[] views =
        [
            new(21, "node1", true, "Joining", "restricted", 1),
            new(24, "node1", true, "Up", "normal", 5),
            new(21, "node2", false, null, null, 0),
            new(22, "node3", true, "Up", "normal", 3),
        ];

        var extended = Rejoins.Extend(faults, views, runEnd: 60);
        var quorum = new QuorumTimeline(Five, extended);

        Assert.True(quorum.LacksQuorum("node1", 22));
        Assert.False(quorum.LacksQuorum("node1", 24));
        // node2 was never seen Up again: out until the run's end.
        Assert.True(quorum.LacksQuorum("node2", 59));
        Assert.False(quorum.LacksQuorum("node3", 22));
        Assert.Equal([4.0, 40.0], Rejoins.Delays(faults, extended));
    }

    [Fact]
    public void Without_sampled_views_the_fault_timeline_stands_as_it_is()
    {
        FaultRecord[] faults = [new(FaultKind.Kill, ["node1"], 10, 20, ""), new(FaultKind.Pause, ["node2"], 10, 20, "")];

        Assert.Same(faults, Rejoins.Extend(faults, [], runEnd: 60));
        // A pause does not restart the node: no rejoin to wait for.
        Assert.Equal(20, Rejoins.Extend(faults, [new(30, "node2", true, "Joining", "normal", 5)], 60).Single(f => f.Kind == FaultKind.Pause).End);
    }
}
