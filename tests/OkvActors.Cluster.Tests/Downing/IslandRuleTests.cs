using OkvActors.Cluster.Downing;
using Xunit;

namespace OkvActors.Cluster.Tests.Downing;

/// <summary>
/// An island (a cluster formed apart from the running one) must rejoin; a node of the running cluster, a minority side
/// of the same cluster, and a cluster that is itself short of a quorum must not.
/// </summary>
public sealed class IslandRuleTests
{
    private const string Node1Old = "akka.ssl.tcp://okv@10.0.0.1:4053#11";
    private const string Node1New = "akka.ssl.tcp://okv@10.0.0.1:4053#12";
    private const string Node2 = "akka.ssl.tcp://okv@10.0.0.2:4053#21";
    private const string Node3 = "akka.ssl.tcp://okv@10.0.0.3:4053#31";

    private static MembershipView From(params string[] up) => new("akka.ssl.tcp://okv@10.0.0.2:4053", up);

    [Fact]
    public void A_restarted_node_alone_in_its_own_cluster_beside_a_majority_cluster_must_rejoin()
    {
        var why = IslandRule.MustRejoin([Node1New], 1, 3, From(Node2, Node3));

        Assert.NotNull(why);
        Assert.Contains("cluster of 2 Up members", why);
        Assert.Contains("a majority of the registry's 3 active nodes", why);
    }

    [Fact]
    public void The_majority_still_listing_the_old_incarnation_is_not_this_incarnations_cluster()
    {
        Assert.NotNull(IslandRule.MustRejoin([Node1New], 1, 3, From(Node1Old, Node2, Node3)));
    }

    [Fact]
    public void A_node_whose_own_cluster_holds_a_majority_stays()
    {
        Assert.Null(IslandRule.MustRejoin([Node1New, Node2], 2, 3, From(Node3)));
        Assert.Null(IslandRule.MustRejoin([Node1New, Node2, Node3], 3, 5, From("akka.ssl.tcp://okv@10.0.0.4:4053#41", "akka.ssl.tcp://okv@10.0.0.5:4053#51")));
    }

    [Fact]
    public void A_node_that_shares_an_incarnation_with_the_answer_is_a_minority_side_of_the_same_cluster()
    {
        Assert.Null(IslandRule.MustRejoin([Node1Old, Node2, Node3], 1, 3, From(Node2, Node3)));
    }

    [Fact]
    public void Neither_side_short_of_a_quorum_moves()
    {
        // 4 active nodes, 2 and 2: a majority is 3, so neither side is the cluster to rejoin.
        Assert.Null(IslandRule.MustRejoin([Node1New, Node2], 2, 4, From(Node3, "akka.ssl.tcp://okv@10.0.0.4:4053#41")));
        Assert.Null(IslandRule.MustRejoin([Node1New], 1, 3, From(Node2)));
    }
}
