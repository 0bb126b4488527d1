using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OkvActors.Node.Tests.Infrastructure;
using OkvActors.Pki.Certificates;
using Xunit;
using Xunit.Abstractions;

namespace OkvActors.Node.Tests.Trust;

/// <summary>
/// Nodes that try to join without the cluster's trust: each is refused at the TLS handshake, with a log
/// line on the cluster's side naming the reason, and the cluster carries on unharmed. (A refused node's
/// ActorSystem may give up after the failed handshake, or retry and be refused again: either way it never
/// becomes a member.)
/// </summary>
[Collection(FormedClusterCollection.Name)]
public sealed class RogueNodeTests(FormedCluster cluster, ITestOutputHelper output)
{
    private static readonly TimeSpan RefusalTimeout = TimeSpan.FromSeconds(45);
    private static int _nextPort = 25600;

    public static TheoryData<string, string> BadCertificates => new()
    {
        { "foreign-ca", "NotIssuedByClusterCa" },
        { "self-signed", "SelfSigned" },
        { "expired", "Expired" },
        { "no-server-usage", "MissingUsage" },
    };

    [Theory]
    [MemberData(nameof(BadCertificates))]
    public async Task A_node_with_an_untrusted_certificate_is_refused_and_never_becomes_a_member(string kind, string reason)
    {
        var port = Interlocked.Increment(ref _nextPort);
        var name = $"rogue-{kind}";
        var (certificate, key) = MakeCertificate(kind, name);
        using var _ = certificate;
        using var __ = key;
        var dir = NodeFactory.RogueNode(cluster, name, port, certificate, key);
        var offset = cluster.LogLength("node1");

        var rogue = cluster.StartNode(dir.Root, Path.Combine(dir.Root, "node.log"), NodeFactory.RogueEnvironment(dir));
        try
        {
            // Refused, and then either gave up or tried again and was refused again.
            var refusals = await Eventually.Until(() =>
            {
                var lines = cluster.LogSince("node1", offset).Split('\n')
                    .Where(l => l.Contains("Refused TLS peer", StringComparison.Ordinal) && l.Contains($"CN={name}", StringComparison.Ordinal))
                    .ToArray();
                var settled = lines.Length >= 2 || (lines.Length == 1 && rogue.HasExited);
                return Task.FromResult((settled, lines, $"{lines.Length} refusal line(s), rogue exited: {rogue.HasExited}"));
            }, RefusalTimeout, $"node1 to refuse {name}");

            output.WriteLine(refusals[0]);
            Assert.All(refusals, l => Assert.Contains($"({reason})", l));
            var status = await Eventually.Until(async () =>
            {
                var seen = await cluster.Status("node1");
                return (seen["members"]!.AsArray().All(m => m!["reachable"]!.GetValue<bool>()), seen, seen.ToJsonString());
            }, RefusalTimeout, "node1 to see every member reachable");
            Assert.DoesNotContain($"127.0.0.1:{port}", string.Join(' ', LocalCluster.AllMembers(status)));
            Assert.Equal(3, LocalCluster.UpMembers(status).Count);
        }
        finally
        {
            rogue.Kill(entireProcessTree: true);
            await rogue.WaitForExitAsync();
            output.WriteLine($"--- {name} log (exited: {rogue.HasExited}) ---");
            output.WriteLine(string.Join('\n', File.ReadLines(Path.Combine(dir.Root, "node.log")).TakeLast(15)));
        }
    }

    [Fact]
    public async Task A_node_with_a_valid_certificate_that_joins_without_admission_is_downed()
    {
        var port = Interlocked.Increment(ref _nextPort);
        const string name = "gatecrasher";
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ca = NodeFactory.UnsealCa(cluster);
        using var certificate = ca.IssueNode(SigningRequest.Create(name, [System.Net.IPAddress.Loopback], key), TimeSpan.FromDays(1));
        var dir = NodeFactory.RogueNode(cluster, name, port, certificate, key);
        var offset = cluster.LogLength("node1");

        var intruder = cluster.StartNode(dir.Root, Path.Combine(dir.Root, "node.log"), NodeFactory.RogueEnvironment(dir));

        var address = $"akka.ssl.tcp://okv@127.0.0.1:{port}";
        await Eventually.Until(() => cluster.LogSince("node1", offset).Contains(
            $"Controller downs member {address}: it joined without admission", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), "the controller to down the unadmitted member");
        await Eventually.Until(() => intruder.HasExited, TimeSpan.FromSeconds(60), "the downed node's process to stop");
        await Eventually.Until(async () => !LocalCluster.AllMembers(await cluster.Status("node2")).Contains(address),
            TimeSpan.FromSeconds(60), "the downed node to be removed");
        Assert.Equal(3, LocalCluster.UpMembers(await cluster.Status("node2")).Count);
        var registry = await cluster.Registry("node1");
        Assert.DoesNotContain(name, registry["nodes"]!.ToJsonString());
    }

    private (X509Certificate2 Certificate, ECDsa Key) MakeCertificate(string kind, string name)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = SigningRequest.Create(name, [System.Net.IPAddress.Loopback], key);
        switch (kind)
        {
            case "foreign-ca":
                {
                    // Another CA that even calls its cluster "okv".
                    using var foreign = ClusterCa.Create("okv");
                    return (foreign.IssueNode(csr, TimeSpan.FromDays(1)), key);
                }

            case "self-signed":
                {
                    var request = NodeLikeRequest(name, key, withServerUsage: true);
                    var now = DateTimeOffset.UtcNow;
                    return (X509CertificateLoader.LoadCertificate(request.CreateSelfSigned(now.AddDays(-1), now.AddDays(1)).RawData), key);
                }

            case "expired":
                {
                    using var ca = NodeFactory.UnsealCa(cluster);
                    return (ca.Issue(name, CertificateRole.Node, csr.PublicKey, TimeSpan.FromDays(1), notBefore: DateTimeOffset.UtcNow.AddDays(-10)), key);
                }

            case "no-server-usage":
                {
                    using var ca = NodeFactory.UnsealCa(cluster);
                    using var caKey = ECDsa.Create();
                    caKey.ImportPkcs8PrivateKey(ca.ExportKeyPkcs8(), out _);
                    var request = NodeLikeRequest(name, key, withServerUsage: false);
                    var now = DateTimeOffset.UtcNow;
                    using var issued = request.Create(ca.Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey),
                        now.AddDays(-1), now.AddDays(1), RandomNumberGenerator.GetBytes(8));
                    return (X509CertificateLoader.LoadCertificate(issued.RawData), key);
                }

            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    private static CertificateRequest NodeLikeRequest(string name, ECDsa key, bool withServerUsage)
    {
        var request = new CertificateRequest($"CN={name}, OU=okv-node, O=okv", key, HashAlgorithmName.SHA256);
        var usages = new OidCollection { new("1.3.6.1.5.5.7.3.2") };
        if (withServerUsage)
        {
            usages.Add(new Oid("1.3.6.1.5.5.7.3.1"));
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        return request;
    }
}
