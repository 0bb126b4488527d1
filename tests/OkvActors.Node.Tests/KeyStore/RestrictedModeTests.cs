using OkvActors.Kmip.Payloads;
using OkvActors.Kmip.Protocol;
using OkvActors.Kmip.Ttlv;
using OkvActors.Node.Tests.Infrastructure;
using OkvActors.Node.Tests.Kmip;
using Xunit;

namespace OkvActors.Node.Tests.KeyStore;

/// <summary>
/// kill -9 of two nodes of three: the survivor turns read-only and says so, stays up (our downing never
/// makes a minority down itself), and writes again by itself once a killed node is back.
/// </summary>
[Collection(RestrictedClusterCollection.Name)]
public sealed class RestrictedModeTests(RestrictedCluster cluster)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_node_that_loses_its_quorum_refuses_writes_naming_restricted_mode_serves_reads_and_recovers_when_a_peer_returns()
    {
        var created = await cluster.Control("node1", "key-create", ("name", "before-the-partition"));
        Assert.True(created.Ok, created.Message);
        var uid = created.Data!["uid"]!.GetValue<string>();
        Assert.Equal("normal", await Mode("node1"));
        var survivorPid = await cluster.CurrentPid("node1");
        var logOffset = cluster.LogLength("node1");

        Okv.Kill9(cluster.Pid("node2"));
        Okv.Kill9(cluster.Pid("node3"));

        await Eventually.Until(async () => await Mode("node1") == "restricted", TimeSpan.FromSeconds(30), "node1 to enter restricted mode");
        var refused = await cluster.Control("node1", "key-create", ("name", "during-the-partition"));
        var read = await cluster.Control("node1", "key-get", ("uid", uid));
        var status = await cluster.Status("node1");

        Assert.False(refused.Ok);
        Assert.Contains("restricted mode", refused.Message);
        Assert.True(refused.Data!["restricted"]!.GetValue<bool>());
        Assert.True(read.Ok, read.Message);
        Assert.Equal("before-the-partition", read.Data!["names"]![0]!.GetValue<string>());
        Assert.Contains("reaches 1 of 3 nodes", status["modeReason"]!.GetValue<string>());

        // Through KMIP it is a failure result naming restricted mode, at once, not a hang.
        var endpoint = cluster.File.Pki.Endpoints[0];
        await using (var kmip = await KmipRawClient.Connect(cluster.File.Nodes[0].Kmip, endpoint.Cert, endpoint.Key, cluster.File.Pki.Ca))
        {
            var create = await kmip.Send(KmipRawClient.Request((Operation.Create, KmipRawClient.Payload(
                TtlvItem.Enumeration(Tag.ObjectType, ObjectType.SymmetricKey),
                TtlvItem.Structure(Tag.TemplateAttribute, AttributeCodec.ToItem(ProtocolVersion.V1_2,
                    new KmipAttribute(AttributeNames.CryptographicAlgorithm, TtlvItem.Enumeration(Tag.AttributeValue, CryptographicAlgorithm.Aes))))))));
            var item = Assert.Single(create.BatchItems);
            Assert.Equal(ResultStatus.OperationFailed, item.ResultStatus);
            Assert.Contains("restricted mode", item.ResultMessage);
        }

        // Past stable-after the minority decides to down nobody, itself included, and keeps serving.
        await Eventually.Until(() => cluster.LogSince("node1", logOffset).Contains("downing nobody"), Timeout,
            "node1 to decide it is a minority");
        Assert.True(Okv.IsAlive(survivorPid), "the survivor's process must stay up");
        Assert.Equal(survivorPid, await cluster.CurrentPid("node1"));
        Assert.True((await cluster.Control("node1", "key-get", ("uid", uid))).Ok);

        // node2 comes back: its old incarnation and the still-dead node3 are downed, it joins, and node1
        // leaves restricted mode by itself.
        cluster.StartNode(cluster.Dir("node2").Root, cluster.LogOf("node2"));
        await Eventually.Until(async () => await Mode("node1") == "normal", Timeout, "node1 to leave restricted mode");
        var after = await cluster.Control("node1", "key-create", ("name", "after-the-partition"));
        Assert.True(after.Ok, after.Message);
        var readOnNode2 = await cluster.Control("node2", "key-get", ("uid", after.Data!["uid"]!.GetValue<string>()));
        Assert.True(readOnNode2.Ok, readOnNode2.Message);
        Assert.Contains("Leaving restricted mode", cluster.LogSince("node1", logOffset));
    }

    private async Task<string> Mode(string node) => (await cluster.Status(node))["mode"]!.GetValue<string>();
}
