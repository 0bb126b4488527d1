using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using OkvActors.Node.Tests.Infrastructure;
using Xunit;

namespace OkvActors.Node.Tests.Rest;

/// <summary>Managed objects over real HTTPS with the endpoint certificates `okv up` issued: every operation once, across nodes.</summary>
[Collection(RestClusterCollection.Name)]
public sealed class RestObjectsTests(RestCluster cluster)
{
    [Fact]
    public async Task An_endpoint_creates_activates_uses_rekeys_revokes_and_destroys_a_key_and_every_node_serves_it()
    {
        using var node1 = RestClient.Endpoint(cluster, "node1");
        using var node2 = RestClient.Endpoint(cluster, "node2");
        var name = $"orders-{Guid.NewGuid():N}";

        var created = await node1.Ok(HttpMethod.Post, "v1/objects/symmetric-keys", new { names = new[] { name } }, HttpStatusCode.Created);
        var uid = created["uid"]!.GetValue<string>();
        Assert.Equal("symmetric-key", created["type"]!.GetValue<string>());
        Assert.Equal("aes", created["algorithm"]!.GetValue<string>());
        Assert.Equal(256, created["length"]!.GetValue<int>());
        Assert.Equal("pre-active", created["state"]!.GetValue<string>());
        Assert.Null(created["material"]);

        // An illegal transition: an Active key must be revoked before it is destroyed.
        Assert.Equal("active", (await node1.Ok(HttpMethod.Post, $"v1/objects/{uid}/activate"))["state"]!.GetValue<string>());
        RestClient.AssertProblem(await node1.Post($"v1/objects/{uid}/destroy"), HttpStatusCode.Conflict, "invalid-transition");
        RestClient.AssertProblem(await node1.Post($"v1/objects/{uid}/activate"), HttpStatusCode.Conflict, "invalid-transition");

        // The key was written with majority acknowledgement: node2 serves it at once.
        var onNode2 = await node2.Ok(HttpMethod.Get, $"v1/objects/{uid}");
        Assert.Equal("active", onNode2["state"]!.GetValue<string>());
        Assert.Equal(name, onNode2["names"]![0]!.GetValue<string>());

        var encrypted = await node1.Ok(HttpMethod.Post, $"v1/objects/{uid}/encrypt", new { data = RestClient.B64("card 4111"), associatedData = RestClient.B64("order 7") });
        var decrypted = await node2.Ok(HttpMethod.Post, $"v1/objects/{uid}/decrypt", new
        {
            ciphertext = encrypted["ciphertext"]!.GetValue<string>(),
            iv = encrypted["iv"]!.GetValue<string>(),
            associatedData = RestClient.B64("order 7"),
        });
        Assert.Equal(RestClient.B64("card 4111"), decrypted["data"]!.GetValue<string>());
        var cbc = await node1.Ok(HttpMethod.Post, $"v1/objects/{uid}/encrypt", new { data = RestClient.B64("sixteen bytes!!!"), mode = "cbc" });
        Assert.Equal(32, Convert.FromBase64String(cbc["ciphertext"]!.GetValue<string>()).Length);

        var located = await node1.Ok(HttpMethod.Get, $"v1/objects?name={name}&type=symmetric-key&state=active");
        Assert.Equal(uid, Assert.Single(located["objects"]!.AsArray())!["uid"]!.GetValue<string>());

        var replacement = await node1.Ok(HttpMethod.Post, $"v1/objects/{uid}/re-key", expected: HttpStatusCode.Created);
        var newUid = replacement["uid"]!.GetValue<string>();
        Assert.NotEqual(uid, newUid);
        Assert.Equal(uid, replacement["links"]!["replaced-object"]!.GetValue<string>());
        Assert.Equal(name, replacement["names"]![0]!.GetValue<string>());

        var revoked = await node2.Ok(HttpMethod.Post, $"v1/objects/{uid}/revoke", new { reason = "superseded" });
        Assert.Equal("deactivated", revoked["state"]!.GetValue<string>());
        RestClient.AssertProblem(await node1.Post($"v1/objects/{uid}/encrypt", new { data = RestClient.B64("x") }), HttpStatusCode.Conflict, "invalid-transition");
        var destroyed = await node1.Ok(HttpMethod.Post, $"v1/objects/{uid}/destroy");
        Assert.Equal("destroyed", destroyed["state"]!.GetValue<string>());
        Assert.False(destroyed["hasMaterial"]!.GetValue<bool>());
        RestClient.AssertProblem(await node1.Get($"v1/objects/{uid}/material"), HttpStatusCode.Conflict, "invalid-transition");
    }

    [Fact]
    public async Task Registered_material_comes_back_exactly_and_lists_page_by_limit_and_offset()
    {
        using var client = RestClient.Endpoint(cluster, "node3");
        var prefix = $"page-{Guid.NewGuid():N}";
        var material = RandomNumberGenerator.GetBytes(32);
        var uids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var registered = await client.Ok(HttpMethod.Post, "v1/objects/registered", new
            {
                type = "symmetric-key",
                algorithm = "aes",
                length = 256,
                material = Convert.ToBase64String(material),
                names = new[] { $"{prefix}-{i}" },
            }, HttpStatusCode.Created);
            uids.Add(registered["uid"]!.GetValue<string>());
        }

        var got = await client.Ok(HttpMethod.Get, $"v1/objects/{uids[0]}/material");
        Assert.Equal(Convert.ToBase64String(material), got["material"]!.GetValue<string>());

        // Revoke takes an optional body: without one the reason is cessation of operation.
        await client.Ok(HttpMethod.Post, $"v1/objects/{uids[1]}/activate");
        Assert.Equal("deactivated", (await client.Ok(HttpMethod.Post, $"v1/objects/{uids[1]}/revoke"))["state"]!.GetValue<string>());

        // Paging walks the endpoint's objects in UID order; the three registered here appear exactly once.
        var seen = new List<string>();
        var offset = 0;
        while (true)
        {
            var page = await client.Ok(HttpMethod.Get, $"v1/objects?limit=2&offset={offset}&type=symmetric-key");
            var objects = page["objects"]!.AsArray();
            Assert.True(objects.Count <= 2);
            seen.AddRange(objects.Select(o => o!["uid"]!.GetValue<string>()));
            if (page["nextOffset"] is not JsonValue next)
            {
                break;
            }

            offset = next.GetValue<int>();
        }

        Assert.Equal(seen.Distinct().Count(), seen.Count);
        Assert.All(uids, u => Assert.Contains(u, seen));
    }

    [Fact]
    public async Task Macs_and_signatures_are_made_and_checked_on_different_nodes()
    {
        using var node1 = RestClient.Endpoint(cluster, "node1");
        using var node3 = RestClient.Endpoint(cluster, "node3");

        var hmac = await node1.Ok(HttpMethod.Post, "v1/objects/symmetric-keys", new { algorithm = "hmac-sha256", length = 256 }, HttpStatusCode.Created);
        var hmacUid = hmac["uid"]!.GetValue<string>();
        await node1.Ok(HttpMethod.Post, $"v1/objects/{hmacUid}/activate");
        var mac = (await node1.Ok(HttpMethod.Post, $"v1/objects/{hmacUid}/mac", new { data = RestClient.B64("ledger") }))["mac"]!.GetValue<string>();
        Assert.True((await node3.Ok(HttpMethod.Post, $"v1/objects/{hmacUid}/mac-verify", new { data = RestClient.B64("ledger"), mac }))["valid"]!.GetValue<bool>());
        Assert.False((await node3.Ok(HttpMethod.Post, $"v1/objects/{hmacUid}/mac-verify", new { data = RestClient.B64("ledger!"), mac }))["valid"]!.GetValue<bool>());

        var pair = await node1.Ok(HttpMethod.Post, "v1/objects/key-pairs", new { algorithm = "ec", size = 256 }, HttpStatusCode.Created);
        var privateUid = pair["privateKey"]!["uid"]!.GetValue<string>();
        var publicUid = pair["publicKey"]!["uid"]!.GetValue<string>();
        Assert.Equal(publicUid, pair["privateKey"]!["links"]!["public-key"]!.GetValue<string>());
        await node1.Ok(HttpMethod.Post, $"v1/objects/{privateUid}/activate");
        await node1.Ok(HttpMethod.Post, $"v1/objects/{publicUid}/activate");
        var signature = (await node1.Ok(HttpMethod.Post, $"v1/objects/{privateUid}/sign", new { data = RestClient.B64("release 1.0"), algorithm = "ecdsa-sha256" }))
            ["signature"]!.GetValue<string>();
        Assert.True((await node3.Ok(HttpMethod.Post, $"v1/objects/{publicUid}/verify",
            new { data = RestClient.B64("release 1.0"), signature, algorithm = "ecdsa-sha256" }))["valid"]!.GetValue<bool>());
        Assert.False((await node3.Ok(HttpMethod.Post, $"v1/objects/{publicUid}/verify",
            new { data = RestClient.B64("release 1.1"), signature, algorithm = "ecdsa-sha256" }))["valid"]!.GetValue<bool>());

        // A key of the wrong kind for the operation is invalid input, not a server error.
        RestClient.AssertProblem(await node1.Post($"v1/objects/{hmacUid}/sign", new { data = RestClient.B64("x"), algorithm = "ecdsa-sha256" }),
            HttpStatusCode.BadRequest, "invalid-request");
    }
}
