using System.Net;
using System.Security.Cryptography;
using OkvActors.Node.Tests.Infrastructure;
using OkvActors.Pki.Certificates;
using Xunit;

namespace OkvActors.Node.Tests.Rest;

/// <summary>Wallets, grants and endpoints over HTTPS: operators administer, endpoints see only what grants allow.</summary>
[Collection(RestClusterCollection.Name)]
public sealed class RestAccessTests(RestCluster cluster)
{
    private string Passphrase => File.ReadAllLines(cluster.PassphraseFile)[0];

    /// <summary>Enrols a new endpoint through REST (a CSR made here, its key never leaving the test) and returns its identity.</summary>
    private async Task<System.Security.Cryptography.X509Certificates.X509Certificate2> Enrol(RestClient admin, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = SigningRequest.Create(name, [], key);
        var enrolled = await admin.Ok(HttpMethod.Post, "v1/endpoints", new { name, csr = csr.PemText, passphrase = Passphrase }, HttpStatusCode.Created);
        Assert.Equal(csr.Fingerprint, enrolled["fingerprint"]!.GetValue<string>());
        using var certificate = Pem.ReadCertificate(enrolled["certificate"]!.GetValue<string>());
        Assert.Equal($"CN={name}, OU=okv-endpoint, O={cluster.File.Cluster}", certificate.Subject);
        return RestClient.WithKey(certificate, key);
    }

    [Fact]
    public async Task Grants_decide_what_an_endpoint_may_read_and_change_in_a_shared_wallet()
    {
        using var admin = RestClient.Operator(cluster, "node1");
        using var writer = RestClient.Endpoint(cluster, "node2", "endpoint1");
        using var reader = RestClient.Endpoint(cluster, "node3", "endpoint2");
        var wallet = $"shared-{Guid.NewGuid():N}"[..20];

        await admin.Ok(HttpMethod.Post, "v1/wallets", new { name = wallet, description = "payments" }, HttpStatusCode.Created);
        RestClient.AssertProblem(await admin.Post("v1/wallets", new { name = wallet }), HttpStatusCode.Conflict, "conflict");
        await admin.Ok(HttpMethod.Put, "v1/grants", new { endpoint = "endpoint1", wallet, level = "read-modify" });
        await admin.Ok(HttpMethod.Put, "v1/grants", new { endpoint = "endpoint2", wallet, level = "read-only" });
        Assert.Contains((await admin.Ok(HttpMethod.Get, "v1/wallets")).AsArray(), w => w!["name"]!.GetValue<string>() == wallet);
        Assert.Contains((await admin.Ok(HttpMethod.Get, "v1/grants")).AsArray(),
            g => g!["wallet"]!.GetValue<string>() == wallet && g["endpoint"]!.GetValue<string>() == "endpoint2" && g["level"]!.GetValue<string>() == "read-only");

        var material = RandomNumberGenerator.GetBytes(32);
        var uid = (await writer.Ok(HttpMethod.Post, "v1/objects/registered",
            new { type = "secret-data", algorithm = "aes", length = 256, material = Convert.ToBase64String(material), wallet }, HttpStatusCode.Created))
            ["uid"]!.GetValue<string>();
        var privateUid = (await writer.Ok(HttpMethod.Post, "v1/objects/symmetric-keys", new { }, HttpStatusCode.Created))["uid"]!.GetValue<string>();

        Assert.Equal(Convert.ToBase64String(material), (await reader.Ok(HttpMethod.Get, $"v1/objects/{uid}/material"))["material"]!.GetValue<string>());
        RestClient.AssertProblem(await reader.Post($"v1/objects/{uid}/destroy"), HttpStatusCode.Forbidden, "forbidden");
        RestClient.AssertProblem(await reader.Get($"v1/objects/{privateUid}"), HttpStatusCode.NotFound, "not-found");
        RestClient.AssertProblem(await reader.Get("v1/wallets"), HttpStatusCode.Forbidden, "forbidden");
        RestClient.AssertProblem(await admin.Send(HttpMethod.Delete, $"v1/wallets/{wallet}"), HttpStatusCode.Conflict, "conflict");

        var empty = $"empty-{Guid.NewGuid():N}"[..20];
        await admin.Ok(HttpMethod.Post, "v1/wallets", new { name = empty }, HttpStatusCode.Created);
        await admin.Ok(HttpMethod.Delete, $"v1/wallets/{empty}", expected: HttpStatusCode.NoContent);
        Assert.DoesNotContain((await admin.Ok(HttpMethod.Get, "v1/wallets")).AsArray(), w => w!["name"]!.GetValue<string>() == empty);

        await admin.Ok(HttpMethod.Put, "v1/grants", new { endpoint = "endpoint2", wallet, level = "none" });
        await Eventually.Until(async () => (await reader.Get($"v1/objects/{uid}")).Status == HttpStatusCode.NotFound, TimeSpan.FromSeconds(30),
            "the revoked grant to hide the object from endpoint2");
    }

    [Fact]
    public async Task An_operator_enrols_an_endpoint_from_a_csr_and_its_revoked_certificate_is_refused_by_every_node()
    {
        using var admin = RestClient.Operator(cluster, "node1");
        var name = $"app-{Guid.NewGuid():N}"[..16];
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        RestClient.AssertProblem(await admin.Post("v1/endpoints", new { name, csr = SigningRequest.Create(name, [], key).PemText, passphrase = "not the passphrase at all" }),
            HttpStatusCode.Forbidden, "forbidden");
        RestClient.AssertProblem(await admin.Post("v1/endpoints", new { name, csr = "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----", passphrase = Passphrase }),
            HttpStatusCode.BadRequest, "invalid-request");

        using var identity = await Enrol(admin, name);
        Assert.Contains((await admin.Ok(HttpMethod.Get, "v1/endpoints")).AsArray(), e => e!["name"]!.GetValue<string>() == name);
        using (var app = RestClient.For(cluster, "node2", identity))
        {
            var created = await app.Ok(HttpMethod.Post, "v1/objects/symmetric-keys", new { names = new[] { "enrolled" } }, HttpStatusCode.Created);
            Assert.Equal($"@{name}", created["wallet"]!.GetValue<string>());
        }

        await admin.Ok(HttpMethod.Post, $"v1/endpoints/{name}/revoke", expected: HttpStatusCode.NoContent);
        RestClient.AssertProblem(await admin.Post($"v1/endpoints/{name}/revoke"), HttpStatusCode.Conflict, "conflict");
        foreach (var node in new[] { "node1", "node2", "node3" })
        {
            await Eventually.Until(async () =>
            {
                using var app = RestClient.For(cluster, node, identity);
                try
                {
                    var (status, _) = await app.Get("v1/failover");
                    return (false, true, $"{node} answered {(int)status}");
                }
                catch (HttpRequestException e)
                {
                    return (true, true, e.Message);
                }
            }, TimeSpan.FromSeconds(30), $"{node} to refuse the revoked certificate at the handshake");
        }

        await admin.Ok(HttpMethod.Delete, $"v1/endpoints/{name}", expected: HttpStatusCode.NoContent);
        Assert.DoesNotContain((await admin.Ok(HttpMethod.Get, "v1/endpoints")).AsArray(), e => e!["name"]!.GetValue<string>() == name);
    }

    [Fact]
    public async Task An_identity_over_its_rate_limit_gets_429_with_retry_after_while_others_go_on()
    {
        using var admin = RestClient.Operator(cluster, "node2");
        using var identity = await Enrol(admin, $"busy-{Guid.NewGuid():N}"[..16]);
        using var busy = RestClient.For(cluster, "node2", identity);

        // The test cluster allows 100 requests at once and 1 more per second per identity: 150 in a burst exceed it.
        var answers = await Task.WhenAll(Enumerable.Range(0, 150).Select(_ => busy.Http.GetAsync("v1/failover")));
        try
        {
            var limited = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToArray();
            Assert.NotEmpty(limited);
            Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.OK);
            await RestClient.AssertProblem(limited[0], HttpStatusCode.TooManyRequests, "rate-limited");
            Assert.True(limited[0].Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
            Assert.Equal(HttpStatusCode.OK, (await admin.Get("v1/failover")).Status);
        }
        finally
        {
            foreach (var answer in answers)
            {
                answer.Dispose();
            }
        }
    }
}
