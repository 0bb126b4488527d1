using Akka.Actor;
using Akka.Cluster;
using OkvActors.Cluster.Downing;
using OkvActors.KeyStore.Membership;
using Xunit;

namespace OkvActors.Cluster.Tests.Downing;

public sealed class QuorumDecisionTests
{
    private static Address Node(int port) => new("akka.ssl.tcp", "okv", "127.0.0.1", port);

    private static MemberView Up(int port) => new(Node(port), MemberStatus.Up);

    private static MemberView Member(int port, MemberStatus status) => new(Node(port), status);

    private static BrokenLink Cut(int observer, int subject) => new(Node(observer), Node(subject));

    /// <summary>What a side sees of a clean partition: each of its members observes each member of the other unreachable.</summary>
    private static BrokenLink[] Partition(int[] side, int[] other) => [.. side.SelectMany(o => other.Select(s => Cut(o, s)))];

    private static DowningDecision Decide(int self, MemberView[] members, params BrokenLink[] links) =>
        QuorumDecision.Decide(Node(self), members, links);

    [Fact]
    public void Nothing_is_decided_while_every_link_holds() =>
        Assert.IsType<DowningDecision.NothingToDecide>(Decide(1, [Up(1), Up(2), Up(3)]));

    [Fact]
    public void The_majority_side_downs_the_unreachable_member()
    {
        var decision = Assert.IsType<DowningDecision.DownUnreachable>(Decide(1, [Up(1), Up(2), Up(3)], Partition([1, 2], [3])));

        Assert.Equal([Node(3)], decision.Members);
        Assert.Equal(2, decision.Reachable);
        Assert.Equal(3, decision.Counted);
    }

    [Fact]
    public void A_minority_downs_nobody_not_even_itself()
    {
        var decision = Assert.IsType<DowningDecision.StayRestricted>(Decide(1, [Up(1), Up(2), Up(3)], Partition([1], [2, 3])));

        Assert.Equal(1, decision.Reachable);
        Assert.Equal(3, decision.Counted);
    }

    [Fact]
    public void On_an_even_split_exactly_the_side_with_the_lowest_address_keeps_the_cluster()
    {
        MemberView[] four = [Up(1), Up(2), Up(3), Up(4)];
        var low = Decide(1, four, Partition([1, 2], [3, 4]));
        var high = Decide(3, four, Partition([3, 4], [1, 2]));

        Assert.Equal([Node(3), Node(4)], Assert.IsType<DowningDecision.DownUnreachable>(low).Members);
        Assert.Equal(2, Assert.IsType<DowningDecision.StayRestricted>(high).Reachable);
    }

    [Fact]
    public void A_crashed_incarnation_already_down_no_longer_counts_so_a_lone_survivor_with_the_lowest_address_recovers()
    {
        // Node 2 restarted: joining downed its old incarnation. 1 reachable against 1 unreachable is a
        // tie, which the lowest address (node 1, reachable) wins, so node 3 is downed and node 2 can join.
        var decision = Decide(1, [Up(1), Member(2, MemberStatus.Down), Up(3)], Cut(1, 2), Cut(1, 3));

        Assert.Equal([Node(3)], Assert.IsType<DowningDecision.DownUnreachable>(decision).Members);
    }

    [Fact]
    public void Joining_members_do_not_vote_but_are_downed_when_unreachable()
    {
        var decision = Decide(1, [
                Up(1), Up(2),
                Member(3, MemberStatus.Joining),
                Member(4, MemberStatus.WeaklyUp),
                Member(5, MemberStatus.Joining),
            ],
            Partition([1, 2], [3, 4, 5]));

        // 3, 4 and 5 reach one another, and outnumber 1 and 2, but hold no vote.
        var down = Assert.IsType<DowningDecision.DownUnreachable>(decision);
        Assert.Equal([Node(3), Node(4), Node(5)], down.Members);
        Assert.Equal(2, down.Counted);
    }

    [Fact]
    public void Members_already_leaving_the_cluster_are_not_downed_again()
    {
        var decision = Decide(1, [Up(1), Up(2), Member(3, MemberStatus.Exiting)], Partition([1, 2], [3]));

        Assert.IsType<DowningDecision.NothingToDecide>(decision);
    }

    /// <summary>
    /// The chaos harness's episode (seed 7, 475 s): node3 killed, node4 a restarted incarnation that node2 and node5
    /// cannot answer. The gossiped table marks 2, 3, 4 and 5 unreachable to everyone, so counting unreachable members
    /// left every node reaching a minority and nobody downing anybody, for two minutes. The largest group that all
    /// reach one another is 1, 2 and 5: a majority, which downs 3 and 4.
    /// </summary>
    [Fact]
    public void A_member_only_some_reach_is_downed_by_the_largest_group_that_all_reach_one_another()
    {
        MemberView[] five = [Up(1), Up(2), Up(3), Up(4), Up(5)];
        BrokenLink[] table = [Cut(1, 3), Cut(2, 3), Cut(5, 3), Cut(4, 3), Cut(4, 2), Cut(4, 5), Cut(2, 4), Cut(5, 4)];

        var speaker = Assert.IsType<DowningDecision.DownUnreachable>(Decide(1, five, table));
        Assert.Equal([Node(3), Node(4)], speaker.Members);
        Assert.Equal(3, speaker.Reachable);
        Assert.Equal(5, speaker.Counted);

        // Every member of the kept group reaches the same verdict; the downed one stays out of it.
        Assert.Equal(speaker.Members, Assert.IsType<DowningDecision.DownUnreachable>(Decide(2, five, table)).Members);
        Assert.Equal(speaker.Members, Assert.IsType<DowningDecision.DownUnreachable>(Decide(5, five, table)).Members);
        Assert.IsType<DowningDecision.StayRestricted>(Decide(4, five, table));
    }

    [Fact]
    public void A_link_broken_one_way_between_two_of_three_downs_the_one_with_the_higher_address()
    {
        MemberView[] three = [Up(1), Up(2), Up(3)];

        var decision = Assert.IsType<DowningDecision.DownUnreachable>(Decide(1, three, Cut(3, 2)));

        Assert.Equal([Node(3)], decision.Members);
        Assert.IsType<DowningDecision.StayRestricted>(Decide(3, three, Cut(3, 2)));
    }

    [Fact]
    public void Broken_links_that_leave_no_majority_group_down_nobody()
    {
        // 1-2 and 3-4 broken, so the largest groups (1-3, 1-4, 2-3, 2-4) each hold 2 of 5 with node 5 cut from all.
        MemberView[] five = [Up(1), Up(2), Up(3), Up(4), Up(5)];
        BrokenLink[] table = [Cut(1, 2), Cut(3, 4), Cut(1, 5), Cut(2, 5), Cut(3, 5), Cut(4, 5)];

        Assert.All(new[] { 1, 2, 3, 4, 5 }, self => Assert.IsType<DowningDecision.StayRestricted>(Decide(self, five, table)));
    }

    [Fact]
    public void Links_to_or_from_members_no_longer_in_the_membership_are_ignored() =>
        Assert.IsType<DowningDecision.NothingToDecide>(Decide(1, [Up(1), Up(2), Up(3)], Cut(7, 2), Cut(1, 8)));

    [Fact]
    public void Addresses_are_ordered_by_host_then_port_the_same_on_every_node()
    {
        var order = QuorumDecision.AddressOrder.Instance;

        Assert.True(order.Compare(Node(4053), Node(4054)) < 0);
        Assert.True(order.Compare(new Address("akka.ssl.tcp", "okv", "127.0.0.2", 1), Node(9999)) > 0);
        Assert.Equal(0, order.Compare(Node(7), Node(7)));
    }
}
