using OkvActors.Kmip.Messages;
using OkvActors.Kmip.Protocol;
using OkvActors.Kmip.Ttlv;
using OkvActors.Node.Tests.Infrastructure;
using Xunit;

namespace OkvActors.Node.Tests.Kmip;

/// <summary>
/// What a KMIP client gets for bad input on a real node: every failure is a KMIP result with a reason
/// and the connection stays usable, except for bytes that are not TTLV at all, which close it.
/// </summary>
[Collection(KmipClusterCollection.Name)]
public sealed class KmipBadInputTests(KmipCluster cluster)
{
    private Task<KmipRawClient> Connect(string node = "node1", string endpoint = "endpoint1")
    {
        var identity = cluster.File.Pki.Endpoints.Single(e => e.Name == endpoint);
        return KmipRawClient.Connect(cluster.File.Nodes.Single(n => n.Name == node).Kmip, identity.Cert, identity.Key, cluster.File.Pki.Ca);
    }

    private static (Operation, TtlvItem) GetUnknown() =>
        (Operation.Get, KmipRawClient.Payload(TtlvItem.TextString(Tag.UniqueIdentifier, "00000000-no-such-object")));

    private static (Operation, TtlvItem) Query() =>
        (Operation.Query, KmipRawClient.Payload(TtlvItem.Enumeration(Tag.QueryFunction, QueryFunction.QueryOperations),
            TtlvItem.Enumeration(Tag.QueryFunction, QueryFunction.QueryServerInformation)));

    [Fact]
    public async Task Each_item_of_a_batch_is_answered_on_its_own_and_the_connection_serves_the_next_request()
    {
        await using var client = await Connect();

        var response = await client.Send(KmipRawClient.Request(
            Query(),
            GetUnknown(),
            (Operation.Archive, KmipRawClient.Payload()),
            (Operation.Create, KmipRawClient.Payload(TtlvItem.Enumeration(Tag.ObjectType, ObjectType.SymmetricKey))),
            (Operation.DiscoverVersions, KmipRawClient.Payload())));
        var again = await client.Send(KmipRawClient.Request(GetUnknown()));

        Assert.Equal(5, response.BatchItems.Count);
        Assert.Equal(ResultStatus.Success, response.BatchItems[0].ResultStatus);
        Assert.Contains(response.BatchItems[0].Payload!.FindAll(Tag.Operation), o => o.AsEnum<Operation>() == Operation.Encrypt);
        var servers = response.BatchItems[0].Payload!.Required(Tag.ServerInformation).Children.Select(c => c.AsText()).ToArray();
        Assert.Equal(3, servers.Length);
        Assert.All(servers, s => Assert.Contains("subgroup=sg01", s));
        Assert.Equal(ResultReason.ItemNotFound, response.BatchItems[1].ResultReason);
        Assert.Equal(ResultReason.OperationNotSupported, response.BatchItems[2].ResultReason);
        Assert.Equal(ResultReason.InvalidField, response.BatchItems[3].ResultReason);
        Assert.Contains("Cryptographic Algorithm", response.BatchItems[3].ResultMessage);
        Assert.Equal(ResultStatus.Success, response.BatchItems[4].ResultStatus);
        Assert.Equal([0, 1, 2, 3, 4], response.BatchItems.Select(i => (int)i.UniqueBatchItemId![0]));
        Assert.Equal(ResultReason.ItemNotFound, Assert.Single(again.BatchItems).ResultReason);
    }

    [Fact]
    public async Task A_message_that_frames_as_ttlv_but_does_not_decode_gets_invalid_message_and_the_connection_lives_on()
    {
        await using var client = await Connect();
        // A Request Message whose only child is a Boolean with the value 2.
        byte[] bad = [0x42, 0x00, 0x78, 0x01, 0, 0, 0, 16, 0x42, 0x00, 0x08, 0x06, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 2];

        var response = await client.SendBytes(bad);
        var next = await client.Send(KmipRawClient.Request(Query()));

        var item = Assert.Single(response.BatchItems);
        Assert.Equal(ResultStatus.OperationFailed, item.ResultStatus);
        Assert.Equal(ResultReason.InvalidMessage, item.ResultReason);
        Assert.Equal(ResultStatus.Success, Assert.Single(next.BatchItems).ResultStatus);
    }

    [Fact]
    public async Task Bytes_that_are_not_ttlv_close_that_connection_and_no_other()
    {
        await using var other = await Connect("node2");
        await using var client = await Connect("node2");

        Assert.True(await client.WriteAndSeeClosed("GET / HTTP/1.1\r\nHost: okv\r\n\r\n"u8.ToArray()));
        Assert.Equal(ResultStatus.Success, Assert.Single((await other.Send(KmipRawClient.Request(Query()))).BatchItems).ResultStatus);
    }

    [Fact]
    public async Task A_certificate_of_the_cluster_ca_that_no_operator_registered_is_denied_on_every_item()
    {
        var scratch = cluster.Scratch("kmip-rogue");
        var issued = await Okv.Run(["issue", "--dir", cluster.Dir("node1").Root, "--role", "endpoint", "--name", "unregistered",
            "--out", scratch, "--passphrase-file", cluster.PassphraseFile]);
        Assert.True(issued.ExitCode == 0, issued.ToString());
        await using var client = await KmipRawClient.Connect(cluster.File.Nodes[0].Kmip, Path.Combine(scratch, "unregistered.pem"),
            Path.Combine(scratch, "unregistered.key"), cluster.File.Pki.Ca);

        var response = await client.Send(KmipRawClient.Request(Query(), GetUnknown()));

        Assert.All(response.BatchItems, i =>
        {
            Assert.Equal(ResultReason.PermissionDenied, i.ResultReason);
            Assert.Contains("not registered as an endpoint", i.ResultMessage);
        });
    }
}
