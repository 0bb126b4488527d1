using System.Net;
using System.Net.Sockets;
using System.Text;
using OkvActors.Node.Tests.Infrastructure;
using OkvActors.Pki.Certificates;
using Xunit;

namespace OkvActors.Node.Tests.Rest;

/// <summary>
/// What a client gets for bad input on a real node: certificates the cluster did not issue (or revoked, or
/// never registered) never get an HTTP answer or get forbidden; bad requests get a problem with a specific
/// type; nothing is accepted over plain HTTP.
/// </summary>
[Collection(RestClusterCollection.Name)]
public sealed class RestBadInputTests(RestCluster cluster)
{
    [Fact]
    public async Task A_client_without_a_certificate_or_with_a_foreign_one_is_refused_at_the_handshake()
    {
        using var anonymous = RestClient.For(cluster, "node1", null);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => anonymous.Get("v1/failover"));

        using var rogueCa = ClusterCa.Create(cluster.File.Cluster);
        var (certificate, key) = rogueCa.IssueWithNewKey("endpoint1", CertificateRole.Endpoint, TimeSpan.FromDays(1));
        using (certificate)
        using (key)
        using (var rogue = RestClient.For(cluster, "node1", RestClient.WithKey(certificate, key)))
        {
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => rogue.Get("v1/failover"));
        }

        // A node certificate of the cluster is not a REST identity either.
        var node2 = cluster.Dir("node2");
        using var nodeIdentity = RestClient.For(cluster, "node1", RestClient.FromPem(node2.CertificateFile, node2.KeyFile));
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => nodeIdentity.Get("v1/failover"));
    }

    [Fact]
    public async Task A_certificate_of_the_cluster_ca_that_no_operator_registered_is_forbidden()
    {
        using var ca = NodeFactory.UnsealCa(cluster);
        var (certificate, key) = ca.IssueWithNewKey("stranger", CertificateRole.Endpoint, TimeSpan.FromDays(1));
        using (certificate)
        using (key)
        using (var stranger = RestClient.For(cluster, "node2", RestClient.WithKey(certificate, key)))
        {
            RestClient.AssertProblem(await stranger.Get("v1/objects"), HttpStatusCode.Forbidden, "forbidden");
            Assert.Contains("not registered", (await stranger.Get("v1/failover")).Body!["detail"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Plain_http_gets_no_http_answer()
    {
        var https = cluster.File.Nodes[0].Https.Split(':');
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(https[0], int.Parse(https[1]));
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /v1/failover HTTP/1.1\r\nHost: okv\r\nConnection: close\r\n\r\n"));
        var buffer = new byte[4096];
        var received = new MemoryStream();
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException)
        {
            // Reset by the server: also no answer.
        }

        Assert.DoesNotContain("HTTP/1.1", Encoding.ASCII.GetString(received.ToArray()));

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.GetAsync($"http://{cluster.File.Nodes[0].Https}/v1/failover"));
    }

    [Fact]
    public async Task Bad_requests_get_problem_details_with_a_type_per_failure_and_change_nothing()
    {
        using var client = RestClient.Endpoint(cluster, "node3");
        await RestClient.AssertProblem(await client.Raw(HttpMethod.Get, "v1/objects/00000000-0000-0000-0000-000000000000", []),
            HttpStatusCode.NotFound, "not-found");
        await RestClient.AssertProblem(await client.Raw(HttpMethod.Post, "v1/objects/symmetric-keys", "{\"names\": [\"broken\""u8.ToArray()),
            HttpStatusCode.BadRequest, "invalid-request");
        await RestClient.AssertProblem(await client.Raw(HttpMethod.Post, "v1/objects/symmetric-keys", "names=x"u8.ToArray(), "application/x-www-form-urlencoded"),
            HttpStatusCode.UnsupportedMediaType, "invalid-request");
        await RestClient.AssertProblem(await client.Raw(HttpMethod.Post, "v1/objects/symmetric-keys", new byte[2 * 1024 * 1024], expectContinue: true),
            HttpStatusCode.RequestEntityTooLarge, "too-large");
        await RestClient.AssertProblem(await client.Raw(HttpMethod.Get, "v1/no-such-resource", []), HttpStatusCode.NotFound, "not-found");
        RestClient.AssertProblem(await client.Post("v1/objects/symmetric-keys", new { algorithm = "des" }), HttpStatusCode.BadRequest, "invalid-request");
        RestClient.AssertProblem(await client.Post("v1/objects/symmetric-keys", new { length = 100 }), HttpStatusCode.BadRequest, "invalid-request");
        RestClient.AssertProblem(await client.Post("v1/objects/registered", new { type = "symmetric-key", algorithm = "aes", material = "not base64!" }),
            HttpStatusCode.BadRequest, "invalid-request");
        RestClient.AssertProblem(await client.Get("v1/objects?limit=0"), HttpStatusCode.BadRequest, "invalid-request");
        RestClient.AssertProblem(await client.Get("v1/objects?state=sleeping"), HttpStatusCode.BadRequest, "invalid-request");
        RestClient.AssertProblem(await client.Get("console"), HttpStatusCode.Forbidden, "forbidden");

        // None of the refused creations stored anything.
        Assert.DoesNotContain((await client.Ok(HttpMethod.Get, "v1/objects?name=broken&limit=1000"))["objects"]!.AsArray(), _ => true);
    }
}
