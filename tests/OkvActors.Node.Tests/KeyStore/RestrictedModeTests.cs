using OkvActors.Node.Tests.Infrastructure;
using Xunit;

namespace OkvActors.Node.Tests.KeyStore;

/// <summary>
/// kill -9 of two nodes of three: the survivor turns read-only and says so. (With the split-brain
/// resolver's keep-majority it then downs itself after stable-after; see the resolver's HOCON.)
/// </summary>
[Collection(RestrictedClusterCollection.Name)]
public sealed class RestrictedModeTests(RestrictedCluster cluster)
{
    [Fact]
    public async Task A_node_that_loses_its_quorum_refuses_writes_naming_restricted_mode_and_still_serves_reads()
    {
        var created = await cluster.Control("node1", "key-create", ("name", "before-the-partition"));
        Assert.True(created.Ok, created.Message);
        var uid = created.Data!["uid"]!.GetValue<string>();
        Assert.Equal("normal", (await cluster.Status("node1"))["mode"]!.GetValue<string>());

        Okv.Kill9(cluster.Pid("node2"));
        Okv.Kill9(cluster.Pid("node3"));

        await Eventually.Until(async () => (await cluster.Status("node1"))["mode"]!.GetValue<string>() == "restricted",
            TimeSpan.FromSeconds(30), "node1 to enter restricted mode");
        var refused = await cluster.Control("node1", "key-create", ("name", "during-the-partition"));
        var read = await cluster.Control("node1", "key-get", ("uid", uid));
        var status = await cluster.Status("node1");

        Assert.False(refused.Ok);
        Assert.Contains("restricted mode", refused.Message);
        Assert.True(refused.Data!["restricted"]!.GetValue<bool>());
        Assert.True(read.Ok, read.Message);
        Assert.Equal("before-the-partition", read.Data!["names"]![0]!.GetValue<string>());
        Assert.Contains("reaches 1 of 3 nodes", status["modeReason"]!.GetValue<string>());
    }
}
