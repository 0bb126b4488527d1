using Akka.Actor;
using Akka.Cluster;
using OkvActors.Cluster.Downing;
using Xunit;

namespace OkvActors.Cluster.Tests.Downing;

public sealed class QuorumDecisionTests
{
    private static Address Node(int port) => new("akka.ssl.tcp", "okv", "127.0.0.1", port);

    private static MemberView Up(int port, bool reachable = true) => new(Node(port), MemberStatus.Up, reachable);

    [Fact]
    public void Nothing_is_decided_while_every_member_is_reachable() =>
        Assert.IsType<DowningDecision.NothingToDecide>(QuorumDecision.Decide([Up(1), Up(2), Up(3)]));

    [Fact]
    public void The_majority_side_downs_the_unreachable_member()
    {
        var decision = Assert.IsType<DowningDecision.DownUnreachable>(QuorumDecision.Decide([Up(1), Up(2), Up(3, reachable: false)]));

        Assert.Equal([Node(3)], decision.Members);
        Assert.Equal(2, decision.Reachable);
        Assert.Equal(3, decision.Counted);
    }

    [Fact]
    public void A_minority_downs_nobody_not_even_itself()
    {
        var decision = Assert.IsType<DowningDecision.StayRestricted>(
            QuorumDecision.Decide([Up(1), Up(2, reachable: false), Up(3, reachable: false)]));

        Assert.Equal(1, decision.Reachable);
        Assert.Equal(3, decision.Counted);
    }

    [Fact]
    public void On_an_even_split_exactly_the_side_with_the_lowest_address_keeps_the_cluster()
    {
        var low = QuorumDecision.Decide([Up(1), Up(2), Up(3, reachable: false), Up(4, reachable: false)]);
        var high = QuorumDecision.Decide([Up(1, reachable: false), Up(2, reachable: false), Up(3), Up(4)]);

        Assert.Equal([Node(3), Node(4)], Assert.IsType<DowningDecision.DownUnreachable>(low).Members);
        Assert.IsType<DowningDecision.StayRestricted>(high);
    }

    [Fact]
    public void A_crashed_incarnation_already_down_no_longer_counts_so_a_lone_survivor_with_the_lowest_address_recovers()
    {
        // Node 2 restarted: joining downed its old incarnation. 1 reachable against 1 unreachable is a
        // tie, which the lowest address (node 1, reachable) wins, so node 3 is downed and node 2 can join.
        var decision = QuorumDecision.Decide([
            Up(1),
            new MemberView(Node(2), MemberStatus.Down, Reachable: false),
            Up(3, reachable: false),
        ]);

        Assert.Equal([Node(3)], Assert.IsType<DowningDecision.DownUnreachable>(decision).Members);
    }

    [Fact]
    public void Joining_members_do_not_vote_but_are_downed_when_unreachable()
    {
        var decision = QuorumDecision.Decide([
            Up(1), Up(2),
            new MemberView(Node(3), MemberStatus.Joining, Reachable: false),
            new MemberView(Node(4), MemberStatus.WeaklyUp, Reachable: false),
            new MemberView(Node(5), MemberStatus.Joining, Reachable: false),
        ]);

        var down = Assert.IsType<DowningDecision.DownUnreachable>(decision);
        Assert.Equal([Node(3), Node(4), Node(5)], down.Members);
        Assert.Equal(2, down.Counted);
    }

    [Fact]
    public void Members_already_leaving_the_cluster_are_not_downed_again()
    {
        var decision = QuorumDecision.Decide([
            Up(1), Up(2),
            new MemberView(Node(3), MemberStatus.Exiting, Reachable: false),
        ]);

        Assert.IsType<DowningDecision.NothingToDecide>(decision);
    }

    [Fact]
    public void Addresses_are_ordered_by_host_then_port_the_same_on_every_node()
    {
        var order = QuorumDecision.AddressOrder.Instance;

        Assert.True(order.Compare(Node(4053), Node(4054)) < 0);
        Assert.True(order.Compare(new Address("akka.ssl.tcp", "okv", "127.0.0.2", 1), Node(9999)) > 0);
        Assert.Equal(0, order.Compare(Node(7), Node(7)));
    }
}
