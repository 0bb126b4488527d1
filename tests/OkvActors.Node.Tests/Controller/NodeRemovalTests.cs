using OkvActors.Node.Tests.Infrastructure;
using Xunit;

namespace OkvActors.Node.Tests.Controller;

/// <summary>
/// Removing nodes through the controller: gracefully (remove) and while dead (force-remove). Either way
/// the node's certificate is revoked on every node, and a restart of it is refused at the handshake.
/// </summary>
[Collection(RemovalClusterCollection.Name)]
public sealed class NodeRemovalTests(RemovalCluster cluster)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_removed_node_leaves_is_revoked_and_is_refused_when_it_comes_back()
    {
        var node3 = cluster.Remoting("node3");
        var fingerprint = (await cluster.Registry("node1"))["nodes"]!.AsArray().Single(n => n!["name"]!.GetValue<string>() == "node3")!["fingerprint"]!.GetValue<string>();

        var result = await Okv.Run(["node", "remove", "--dir", cluster.Dir("node2").Root, "-n", "node3"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("node 'node3' removed", result.Stdout);
        await Eventually.Until(() => !Okv.IsAlive(cluster.Pid("node3")), Timeout, "node3's process to stop after leaving");
        await Eventually.Until(async () => !LocalCluster.AllMembers(await cluster.Status("node1")).Contains(node3), Timeout, "node3 to be removed");
        var registry = await cluster.Registry("node1");
        Assert.Equal("removed", registry["nodes"]!.AsArray().Single(n => n!["name"]!.GetValue<string>() == "node3")!["state"]!.GetValue<string>());
        Assert.Contains(registry["revocations"]!.AsArray(), r => r!["fingerprint"]!.GetValue<string>() == fingerprint);
        await Eventually.Until(async () => (await cluster.Status("node2"))["revocations"]!.GetValue<int>() == 1, Timeout,
            "node2 to learn the revocation");

        var offset1 = cluster.LogLength("node1");
        var offset2 = cluster.LogLength("node2");
        var comeback = cluster.StartNode(cluster.Dir("node3").Root, Path.Combine(cluster.Root, "node3-comeback.log"));

        await Eventually.Until(() =>
            (cluster.LogSince("node1", offset1) + cluster.LogSince("node2", offset2)).Split('\n')
                .Any(l => l.Contains("Refused TLS peer", StringComparison.Ordinal) && l.Contains("CN=node3", StringComparison.Ordinal)
                          && l.Contains("(Revoked)", StringComparison.Ordinal)),
            Timeout, "a node to refuse node3's revoked certificate");
        var status = await cluster.Status("node1");
        Assert.DoesNotContain(node3, LocalCluster.AllMembers(status));
        Assert.Equal(2, LocalCluster.UpMembers(status).Count);
        comeback.Kill(entireProcessTree: true);

        // A removed node never comes back through the controller either.
        var again = await Okv.Run(["node", "enable", "--dir", cluster.Dir("node1").Root, "-n", "node3"]);
        Assert.Equal(3, again.ExitCode);
        Assert.Contains("a removed node never comes back", again.Stderr);
    }

    [Fact]
    public async Task A_disabled_node_leaves_is_downed_if_it_returns_and_rejoins_once_enabled()
    {
        var node2 = cluster.Remoting("node2");
        var pid = cluster.Pid("node2");

        var disable = await Okv.Run(["node", "disable", "--dir", cluster.Dir("node1").Root, "-n", "node2"]);

        Assert.True(disable.ExitCode == 0, disable.ToString());
        await Eventually.Until(() => !Okv.IsAlive(pid), Timeout, "node2's process to stop after leaving");
        await Eventually.Until(async () => !LocalCluster.AllMembers(await cluster.Status("node1")).Contains(node2), Timeout, "node2 to be removed");

        // Back while disabled: it may reach the cluster (its certificate is not revoked), but the controller downs it.
        var offset = cluster.LogLength("node1");
        var early = cluster.StartNode(cluster.Dir("node2").Root, Path.Combine(cluster.Root, "node2-early.log"));
        await Eventually.Until(() => cluster.LogSince("node1", offset).Contains($"Controller downs member {node2}: node 'node2' is Disabled", StringComparison.Ordinal),
            Timeout, "the controller to down the disabled node");
        await Eventually.Until(() => early.HasExited, Timeout, "the downed node's process to stop");

        var enable = await Okv.Run(["node", "enable", "--dir", cluster.Dir("node1").Root, "-n", "node2"]);
        Assert.True(enable.ExitCode == 0, enable.ToString());
        cluster.StartNode(cluster.Dir("node2").Root, Path.Combine(cluster.Root, "node2-enabled.log"));
        await Eventually.Until(async () => LocalCluster.UpMembers(await cluster.Status("node1")).Contains(node2), Timeout, "node2 to rejoin once enabled");
        var registry = await cluster.Registry("node1");
        Assert.Equal("active", registry["nodes"]!.AsArray().Single(n => n!["name"]!.GetValue<string>() == "node2")!["state"]!.GetValue<string>());
    }
}
