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

    private static string Part(JsonNode registry, string part) => registry[part]!.ToJsonString();

    [Fact]
    public async Task Killing_the_controllers_node_hands_the_controller_over_with_its_registry_intact()
    {
        var node1 = cluster.Remoting("node1");
        var node2 = cluster.Remoting("node2");
        var before = await cluster.Registry("node2");
        Assert.Equal(node1, before["controller"]!.GetValue<string>());

        Okv.Kill9(cluster.Pid("node1"));

        await Eventually.Until(async () =>
        {
            var status = await cluster.Status("node2");
            return !LocalCluster.AllMembers(status).Contains(node1) && status["controller"]?.GetValue<string>() == node2;
        }, HandOverTimeout, "node1 to be removed and node2 to become the oldest");
        var after = await Eventually.Until(async () =>
        {
            var registry = await cluster.Registry("node3");
            var where = registry["controller"]!.GetValue<string>();
            return (where == node2, registry, $"controller at {where}");
        }, HandOverTimeout, "the controller singleton to run on node2");

        Assert.Equal(before["version"]!.GetValue<long>(), after["version"]!.GetValue<long>());
        foreach (var part in new[] { "nodes", "approvals", "revocations", "policy" })
        {
            Assert.Equal(Part(before, part), Part(after, part));
        }

        // The new controller decides and records changes.
        var add = await Okv.Run(["subgroup", "add", "--dir", cluster.Dir("node3").Root, "--name", "sg02"]);
        Assert.True(add.ExitCode == 0, add.ToString());
        var changed = await cluster.Registry("node2");
        Assert.Equal(before["version"]!.GetValue<long>() + 1, changed["version"]!.GetValue<long>());
        Assert.Contains("sg02", Part(changed, "policy"));

        // node1 comes back with its data and rejoins as a member (it was never removed).
        cluster.StartNode(cluster.Dir("node1").Root, cluster.LogOf("node1"));
        await Eventually.Until(async () => LocalCluster.UpMembers(await cluster.Status("node2")).Contains(node1), HandOverTimeout,
            "node1 to rejoin after its restart");
        await Eventually.Until(async () => LocalCluster.UpMembers(await cluster.Status("node1")).Count == 3, HandOverTimeout,
            "node1 to see all three nodes Up");
        Assert.Equal(node2, (await cluster.Registry("node1"))["controller"]!.GetValue<string>());
    }
}
