using System.Security.Authentication;
using OkvActors.Kmip.Protocol;
using OkvActors.Kmip.Ttlv;
using OkvActors.Node.Tests.Infrastructure;
using Xunit;

namespace OkvActors.Node.Tests.Kmip;

/// <summary>
/// The protocol surface a KMIP client meets on a real node, below what PyKMIP (TLS 1.2, KMIP 1.x) covers:
/// TLS 1.3 as well as 1.2, version negotiation with Discover Versions, and a KMIP 2.0 client that speaks
/// only the 2.0 forms (Attributes by tag, Attribute Reference, New and Current Attribute).
/// </summary>
[Collection(KmipClusterCollection.Name)]
public sealed class KmipProtocolTests(KmipCluster cluster)
{
    private Task<KmipRawClient> Connect(string node = "node1", SslProtocols protocols = SslProtocols.Tls12 | SslProtocols.Tls13)
    {
        var identity = cluster.File.Pki.Endpoints.Single(e => e.Name == "endpoint1");
        return KmipRawClient.Connect(cluster.File.Nodes.Single(n => n.Name == node).Kmip, identity.Cert, identity.Key, cluster.File.Pki.Ca, protocols);
    }

    private static ProtocolVersion[] Versions(TtlvItem payload) =>
        payload.FindAll(Tag.ProtocolVersion)
            .Select(v => new ProtocolVersion(v.Required(Tag.ProtocolVersionMajor).AsInt32(), v.Required(Tag.ProtocolVersionMinor).AsInt32()))
            .ToArray();

    private static TtlvItem Version(ProtocolVersion v) =>
        TtlvItem.Structure(Tag.ProtocolVersion, TtlvItem.Integer(Tag.ProtocolVersionMajor, v.Major), TtlvItem.Integer(Tag.ProtocolVersionMinor, v.Minor));

    private static TtlvItem NameItem(string name) =>
        TtlvItem.Structure(Tag.Name, TtlvItem.TextString(Tag.NameValue, name), TtlvItem.Enumeration(Tag.NameType, NameType.UninterpretedTextString));

    [Theory]
    [InlineData(SslProtocols.Tls12)]
    [InlineData(SslProtocols.Tls13)]
    public async Task A_client_on_either_tls_version_is_served_and_negotiates_its_kmip_version(SslProtocols protocol)
    {
        await using var client = await Connect("node2", protocol);

        var offered = Versions(await client.Succeed(ProtocolVersion.V1_0, Operation.DiscoverVersions));
        var agreed = Versions(await client.Succeed(ProtocolVersion.V1_0, Operation.DiscoverVersions,
            Version(new ProtocolVersion(2, 1)), Version(ProtocolVersion.V1_4), Version(new ProtocolVersion(1, 5))));

        Assert.Equal(protocol, client.Protocol);
        Assert.Equal([ProtocolVersion.V2_0, ProtocolVersion.V1_4, ProtocolVersion.V1_3, ProtocolVersion.V1_2, ProtocolVersion.V1_1, ProtocolVersion.V1_0], offered);
        Assert.Equal([ProtocolVersion.V1_4], agreed); // the client's versions this server also speaks, in the client's order
    }

    [Fact]
    public async Task A_kmip_2_0_client_creates_locates_reads_adds_modifies_and_deletes_attributes_in_the_2_0_forms()
    {
        var v2 = ProtocolVersion.V2_0;
        var name = $"kmip2-{Guid.NewGuid():N}";
        await using var onNode1 = await Connect("node1");
        await using var onNode3 = await Connect("node3", SslProtocols.Tls13);

        var created = await onNode1.Succeed(v2, Operation.Create,
            TtlvItem.Enumeration(Tag.ObjectType, ObjectType.SymmetricKey),
            TtlvItem.Structure(Tag.Attributes,
                TtlvItem.Enumeration(Tag.CryptographicAlgorithm, CryptographicAlgorithm.Aes),
                TtlvItem.Integer(Tag.CryptographicLength, 192),
                TtlvItem.Integer(Tag.CryptographicUsageMask, 12),
                NameItem(name)));
        var uid = created.RequiredText(Tag.UniqueIdentifier);
        // Locate scans node3's own replica, which holds the key once replication reaches it (a gossip round at most).
        var located = await Eventually.Until(async () =>
        {
            var answer = await onNode3.Succeed(v2, Operation.Locate, TtlvItem.Structure(Tag.Attributes, NameItem(name)));
            var found = answer.FindAll(Tag.UniqueIdentifier).Count();
            return (found > 0, answer, $"{found} located");
        }, TimeSpan.FromSeconds(30), "node3 to locate the key created through node1");
        await onNode3.Succeed(v2, Operation.ModifyAttribute, TtlvItem.TextString(Tag.UniqueIdentifier, uid),
            TtlvItem.Structure(Tag.NewAttribute, TtlvItem.Integer(Tag.CryptographicUsageMask, 4)));
        await onNode3.Succeed(v2, Operation.AddAttribute, TtlvItem.TextString(Tag.UniqueIdentifier, uid),
            TtlvItem.Structure(Tag.NewAttribute, NameItem(name + "-next")));
        await onNode1.Succeed(v2, Operation.DeleteAttribute, TtlvItem.TextString(Tag.UniqueIdentifier, uid),
            TtlvItem.Structure(Tag.CurrentAttribute, NameItem(name)));
        var read = await onNode1.Succeed(v2, Operation.GetAttributes, TtlvItem.TextString(Tag.UniqueIdentifier, uid),
            TtlvItem.Enumeration(Tag.AttributeReference, (uint)Tag.CryptographicLength),
            TtlvItem.Enumeration(Tag.AttributeReference, (uint)Tag.CryptographicUsageMask),
            TtlvItem.Enumeration(Tag.AttributeReference, (uint)Tag.Name));

        Assert.Equal(uid, Assert.Single(located.FindAll(Tag.UniqueIdentifier)).AsText());
        var attributes = read.RequiredStructure(Tag.Attributes);
        Assert.Empty(read.FindAll(Tag.Attribute)); // 2.0 has no 1.x Attribute items in the payload
        Assert.Empty(attributes.FindAll(Tag.Attribute));
        Assert.Equal(192, attributes.Required(Tag.CryptographicLength).AsInt32());
        Assert.Equal(4, attributes.Required(Tag.CryptographicUsageMask).AsInt32());
        Assert.Equal(name + "-next", Assert.Single(attributes.FindAll(Tag.Name)).RequiredText(Tag.NameValue));
    }
}
