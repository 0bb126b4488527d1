using System.Diagnostics;
using System.Text.Json.Nodes;
using OkvActors.Node.Tests.Infrastructure;
using Xunit;

namespace OkvActors.Node.Tests.Controller;

/// <summary>
/// kill -9 of the node that runs the controller: the singleton moves to the next-oldest node, which
/// starts from the same registry (durable on a majority), and keeps serving. The killed node, restarted
/// with its data, rejoins; force-remove of a dead node revokes it.
/// </summary>
[Collection(HandOverClusterCollection.Name)]
public sealed class ControllerHandOverTests(HandOverCluster cluster)
{
    private static readonly TimeSpan HandOverTimeout = TimeSpan.FromSeconds(90);
    private static readonly string[] Nodes = ["node1", "node2", "node3"];

    private static string Part(JsonNode registry, string part) => registry[part]!.ToJsonString();

    [Fact]
    public async Task Killing_the_controllers_node_hands_the_controller_over_with_its_registry_intact()
    {
        // Whichever node runs the controller (node1 on a fresh cluster; another test of this class restarts node1).
        var before = await cluster.Registry("node2");
        var controller = before["controller"]!.GetValue<string>();
        var victim = Nodes.Single(n => cluster.Remoting(n) == controller);
        var rest = Nodes.Where(n => n != victim).ToArray();
        var (watcher, other) = (rest[0], rest[1]);

        Okv.Kill9(await cluster.CurrentPid(victim));

        var successor = await Eventually.Until(async () =>
        {
            var status = await cluster.Status(watcher);
            var where = status["controller"]?.GetValue<string>();
            return (!LocalCluster.AllMembers(status).Contains(controller) && where is not null && where != controller, where!, $"controller at {where}");
        }, HandOverTimeout, $"{victim} to be removed and another node to become the oldest");
        var after = await Eventually.Until(async () =>
        {
            var registry = await cluster.Registry(other);
            var where = registry["controller"]!.GetValue<string>();
            return (where == successor, registry, $"controller at {where}");
        }, HandOverTimeout, $"the controller singleton to run on {successor}");

        Assert.Equal(before["version"]!.GetValue<long>(), after["version"]!.GetValue<long>());
        foreach (var part in new[] { "nodes", "approvals", "revocations", "policy" })
        {
            Assert.Equal(Part(before, part), Part(after, part));
        }

        // The new controller decides and records changes.
        var subgroup = $"sg{before["version"]!.GetValue<long>()}";
        var add = await Okv.Run(["subgroup", "add", "--dir", cluster.Dir(other).Root, "--name", subgroup]);
        Assert.True(add.ExitCode == 0, add.ToString());
        var changed = await cluster.Registry(watcher);
        Assert.Equal(before["version"]!.GetValue<long>() + 1, changed["version"]!.GetValue<long>());
        Assert.Contains(subgroup, Part(changed, "policy"));

        // The killed node comes back with its data and rejoins as a member (it was never removed).
        cluster.StartNode(cluster.Dir(victim).Root, cluster.LogOf(victim));
        await Eventually.Until(async () => LocalCluster.UpMembers(await cluster.Status(watcher)).Contains(controller), HandOverTimeout,
            $"{victim} to rejoin after its restart");
        await Eventually.Until(async () => LocalCluster.UpMembers(await cluster.Status(victim)).Count == 3, HandOverTimeout,
            $"{victim} to see all three nodes Up");
        Assert.Equal(successor, (await cluster.Registry(victim))["controller"]!.GetValue<string>());
    }

    /// <summary>
    /// The first recorded seed, killed and restarted while it is still a member, must join the running members even
    /// when they answer late. Seen in a chaos run on a loaded machine: the answers took longer than Akka's
    /// seed-node-timeout (3 s here) and node1 formed a one-node cluster beside the running one (a split brain).
    /// Here its peers are frozen for well past that timeout while it starts.
    /// </summary>
    [Fact]
    public async Task The_first_seed_restarted_while_its_peers_answer_late_joins_them_and_forms_no_cluster_of_its_own()
    {
        var node1 = cluster.Remoting("node1");
        await RestartNode1WhilePeersAreFrozen(async () =>
        {
            await Eventually.Until(() => Node1Said("First recorded seed"), HandOverTimeout, "node1 to start joining");
            await Eventually.Never(() => Node1Said(FormedAlone), TimeSpan.FromSeconds(9), "node1 forming a cluster alone while its peers were silent");
        });

        await Eventually.Until(async () => LocalCluster.UpMembers(await cluster.Status("node1")).Count == 3
            && LocalCluster.UpMembers(await cluster.Status("node2")).Contains(node1), HandOverTimeout, "node1 back among the running members");
        Assert.False(Node1Said(FormedAlone), cluster.LogSince("node1", _node1Offset));
        Assert.True(Node1Said("Welcome from"), cluster.LogSince("node1", _node1Offset));
    }

    /// <summary>
    /// Past form-alone-after (15 s here) a first seed whose peers stay silent does form a cluster alone: the right
    /// call when they are down, an island when they were only cut off. Akka never merges two clusters, so once it hears
    /// its peers again it must see that they hold the quorum without it, stop (for its service manager to start it
    /// again, played here by the test) and join them.
    /// </summary>
    [Fact]
    public async Task A_first_seed_that_formed_an_island_while_cut_off_stops_when_it_hears_the_running_cluster_and_joins_it_again()
    {
        var node1 = cluster.Remoting("node1");
        var island = await RestartNode1WhilePeersAreFrozen(() =>
            Eventually.Until(() => Node1Said(FormedAlone), HandOverTimeout, "node1 to form a cluster alone once form-alone-after passed"));

        await Eventually.Until(() => island.HasExited, HandOverTimeout, "node1 to find it is an island and stop");
        Assert.True(Node1Said("This node is an island"), cluster.LogSince("node1", _node1Offset));
        Assert.Equal(75, island.ExitCode);
        await cluster.RestartUntilBack("node1", 3);
        await Eventually.Until(async () => LocalCluster.UpMembers(await cluster.Status("node2")).Contains(node1), HandOverTimeout,
            "node2 to see node1 Up again");
    }

    private const string FormedAlone = "is JOINING itself";

    private long _node1Offset;

    private bool Node1Said(string text) => cluster.LogSince("node1", _node1Offset).Contains(text, StringComparison.Ordinal);

    /// <summary>
    /// kill -9 of node1 (the first recorded seed) once all three are Up, then node2 and node3 frozen (SIGSTOP) while
    /// node1 starts again and <paramref name="whileFrozen"/> runs; they are resumed whatever happens. Returns node1's
    /// new process; its log from before the kill on is <see cref="Node1Said"/>'s.
    /// </summary>
    private async Task<Process> RestartNode1WhilePeersAreFrozen(Func<Task> whileFrozen)
    {
        var node1 = cluster.Remoting("node1");
        await Eventually.Until(async () => LocalCluster.UpMembers(await cluster.Status("node1")).Count == 3
            && LocalCluster.UpMembers(await cluster.Status("node2")).Contains(node1), HandOverTimeout, "all three nodes Up");
        var pid = await cluster.CurrentPid("node1");
        int[] peers = [await cluster.CurrentPid("node2"), await cluster.CurrentPid("node3")];
        _node1Offset = cluster.LogLength("node1");
        Okv.Kill9(pid);
        await Eventually.Until(() => !Okv.IsAlive(pid), HandOverTimeout, "node1 to be dead");
        foreach (var peer in peers)
        {
            Okv.Freeze(peer);
        }

        try
        {
            var started = cluster.StartNode(cluster.Dir("node1").Root, cluster.LogOf("node1"));
            await whileFrozen();
            return started;
        }
        finally
        {
            foreach (var peer in peers)
            {
                Okv.Resume(peer);
            }
        }
    }
}
