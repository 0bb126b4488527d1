using System.Text.Json.Nodes;
using OkvActors.Node.Tests.Infrastructure;
using Xunit;

namespace OkvActors.Node.Tests.Okvctl;

/// <summary>
/// okvctl's node lifecycle verbs against a real four-node cluster: `node disable` puts the node in the
/// registry as disabled and its process leaves, `node enable` lets it back, `node remove` takes a live
/// node out for good and `node force-remove` a dead one, both revoking its certificate on every node.
/// </summary>
[Collection(OkvctlLifecycleClusterCollection.Name)]
public sealed class OkvctlSteeringLifecycleTests(OkvctlLifecycleCluster cluster)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private Task<JsonNode> Json(string node, params string[] command) => Infrastructure.Okvctl.Json(cluster, node, command);

    private async Task<JsonNode> Entry(string node) =>
        (await cluster.Registry("node1"))["nodes"]!.AsArray().Single(n => n!["name"]!.GetValue<string>() == node)!;

    private async Task GoneFromTheCluster(string node, int pid)
    {
        await Eventually.Until(() => !Okv.IsAlive(pid), Timeout, $"{node}'s process to stop");
        await Eventually.Until(async () => !LocalCluster.AllMembers(await cluster.Status("node1")).Contains(cluster.Remoting(node)), Timeout,
            $"{node} to be removed from node1's view");
    }

    [Fact]
    public async Task Disable_takes_the_node_out_and_enable_lets_it_back()
    {
        var node4 = cluster.Remoting("node4");
        var pid = await cluster.CurrentPid("node4");

        var disable = await Infrastructure.Okvctl.On(cluster, "node1", "node", "disable", "-n", "node4");

        Assert.True(disable.ExitCode == 0, disable.ToString());
        Assert.Contains("node 'node4' disabled", disable.Stdout);
        Assert.Equal("disabled", (await Entry("node4"))["state"]!.GetValue<string>());
        await GoneFromTheCluster("node4", pid);
        var again = await Infrastructure.Okvctl.On(cluster, "node1", "node", "disable", "-n", "node4");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("only an active node can be disabled", again.Stderr);

        var enable = await Json("node1", "node", "enable", "-n", "node4");

        Assert.True(enable["version"]!.GetValue<long>() > 0);
        Assert.Equal("active", (await Entry("node4"))["state"]!.GetValue<string>());
        cluster.StartNode(cluster.Dir("node4").Root, Path.Combine(cluster.Root, "node4-enabled.log"));
        await Eventually.Until(async () => LocalCluster.UpMembers(await cluster.Status("node1")).Contains(node4), Timeout, "node4 to rejoin once enabled");
        var list = await Json("node4", "node", "list");
        Assert.Equal("Active", list["nodes"]!.AsArray().Single(n => n!["name"]!.GetValue<string>() == "node4")!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task Remove_takes_a_live_node_out_and_force_remove_a_dead_one_both_revoked()
    {
        var node3 = cluster.Remoting("node3");
        var node2 = cluster.Remoting("node2");
        var fingerprint3 = (await Entry("node3"))["fingerprint"]!.GetValue<string>();
        var fingerprint2 = (await Entry("node2"))["fingerprint"]!.GetValue<string>();
        var pid3 = await cluster.CurrentPid("node3");

        var remove = await Json("node1", "node", "remove", "-n", "node3");

        Assert.True(remove["version"]!.GetValue<long>() > 0);
        await GoneFromTheCluster("node3", pid3);
        Assert.Equal("removed", (await Entry("node3"))["state"]!.GetValue<string>());

        var pid2 = await cluster.CurrentPid("node2");
        Okv.Kill9(pid2);
        var forceRemove = await Infrastructure.Okvctl.On(cluster, "node1", "node", "force-remove", "-n", "node2");

        Assert.True(forceRemove.ExitCode == 0, forceRemove.ToString());
        Assert.Contains("node 'node2' force-removed", forceRemove.Stdout);
        await Eventually.Until(async () => !LocalCluster.AllMembers(await cluster.Status("node1")).Contains(node2), Timeout, "node2 to be removed");
        var registry = await cluster.Registry("node1");
        Assert.Equal("forceRemoved", registry["nodes"]!.AsArray().Single(n => n!["name"]!.GetValue<string>() == "node2")!["state"]!.GetValue<string>());
        var revoked = registry["revocations"]!.AsArray().Select(r => r!["fingerprint"]!.GetValue<string>()).ToArray();
        Assert.Contains(fingerprint3, revoked);
        Assert.Contains(fingerprint2, revoked);
        await Eventually.Until(async () => (await cluster.Status("node4"))["revocations"]!.GetValue<int>() == 2, Timeout, "node4 to learn both revocations");
        Assert.DoesNotContain(node3, LocalCluster.AllMembers(await cluster.Status("node4")));

        var enable = await Infrastructure.Okvctl.On(cluster, "node1", "node", "enable", "-n", "node3");
        Assert.Equal(1, enable.ExitCode);
        Assert.Contains("a removed node never comes back", enable.Stderr);
    }
}
