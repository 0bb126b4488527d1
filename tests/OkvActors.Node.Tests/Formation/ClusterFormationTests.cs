using System.Security.Cryptography.X509Certificates;
using OkvActors.Node.Tests.Infrastructure;
using OkvActors.Pki.Certificates;
using OkvActors.Pki.Trust;
using Xunit;

namespace OkvActors.Node.Tests.Formation;

[Collection(FormedClusterCollection.Name)]
public sealed class ClusterFormationTests(FormedCluster cluster)
{
    [Fact]
    public void Up_writes_a_cluster_file_that_names_every_node_and_identity()
    {
        var file = cluster.File;
        Assert.Equal("okv", file.Cluster);
        Assert.Equal(["node1", "node2", "node3"], file.Nodes.Select(n => n.Name));
        for (var i = 0; i < 3; i++)
        {
            var node = file.Nodes[i];
            Assert.Equal("sg01", node.Subgroup);
            Assert.Equal($"akka.ssl.tcp://okv@127.0.0.1:{25000 + i}", node.Remoting);
            Assert.Equal($"127.0.0.1:{25100 + i}", node.Kmip);
            Assert.Equal($"127.0.0.1:{25200 + i}", node.Management);
            Assert.Equal($"127.0.0.1:{25300 + i}", node.Https);
            Assert.True(File.Exists(Path.Combine(node.Data, "node.json")), node.Data);
        }

        using var ca = X509CertificateLoader.LoadCertificateFromFile(file.Pki.Ca);
        var identities = file.Pki.Endpoints.Select(e => (e, CertificateRole.Endpoint)).Append((file.Pki.Operator, CertificateRole.Operator)).ToArray();
        Assert.Equal(["endpoint1", "endpoint2", "operator"], identities.Select(i => i.Item1.Name));
        foreach (var (identity, role) in identities)
        {
            using var certificate = Pem.ReadCertificateWithKey(File.ReadAllText(identity.Cert), File.ReadAllText(identity.Key));
            var verdict = new PeerCertificateValidator(ca, new RevocationList(), new HashSet<CertificateRole> { role }).Validate(certificate);
            Assert.True(verdict.Accepted, verdict.Detail);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(identity.Key));
        }
    }

    [Fact]
    public async Task Every_node_is_its_own_process_and_sees_all_three_up_and_reachable()
    {
        var pids = cluster.File.Nodes.Select(n => n.Pid).ToArray();
        Assert.Equal(3, pids.Distinct().Count());
        Assert.All(pids, pid => Assert.True(Okv.IsAlive(pid), $"pid {pid} is not running"));
        foreach (var node in cluster.File.Nodes)
        {
            // Reachability is a live observation: on a loaded machine a member may be marked unreachable for a moment.
            var status = await Eventually.Until(async () =>
            {
                var seen = await cluster.Status(node.Name);
                var settled = seen["members"]!.AsArray().All(m => m!["reachable"]!.GetValue<bool>()) && seen["mode"]!.GetValue<string>() == "normal";
                return (settled, seen, seen.ToJsonString());
            }, TimeSpan.FromSeconds(60), $"{node.Name} to see every member reachable");
            Assert.Equal(cluster.File.Nodes.Select(n => n.Remoting).Order(), LocalCluster.UpMembers(status).Order());
            Assert.Equal(cluster.Remoting("node1"), status["controller"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task The_registry_holds_every_node_active_with_its_certificate_fingerprint()
    {
        var registry = await cluster.Registry("node3");
        var nodes = registry["nodes"]!.AsArray();
        Assert.Equal(["node1", "node2", "node3"], nodes.Select(n => n!["name"]!.GetValue<string>()));
        foreach (var n in nodes)
        {
            var name = n!["name"]!.GetValue<string>();
            using var certificate = Pem.ReadCertificate(File.ReadAllText(cluster.Dir(name).CertificateFile));
            Assert.Equal("active", n["state"]!.GetValue<string>());
            Assert.Equal(Fingerprint.Of(certificate), n["fingerprint"]!.GetValue<string>());
            Assert.Equal(cluster.Remoting(name), n["address"]!.GetValue<string>());
            Assert.Equal($"CN={name}, OU=okv-node, O=okv", certificate.Subject);
        }

        Assert.Equal(3, registry["policy"]!["maxNodes"]!.GetValue<int>());
        Assert.Equal(cluster.Remoting("node1"), registry["controller"]!.GetValue<string>());
    }

    [Fact]
    public void No_node_keeps_key_material_in_the_clear()
    {
        foreach (var node in cluster.File.Nodes)
        {
            var dir = cluster.Dir(node.Name);
            // The KEK exists on disk only wrapped (to the node key) and sealed (under the passphrase).
            Assert.StartsWith("OKVWRAP1", File.ReadAllText(dir.WrappedKekFile)[..8]);
            Assert.StartsWith("OKVSEAL1", File.ReadAllText(dir.SealedKekFile)[..8]);
            Assert.StartsWith("OKVSEAL1", File.ReadAllText(dir.SealedCaKeyFile)[..8]);
            Assert.False(File.Exists(Path.Combine(dir.Root, "candidate.csr")));
            foreach (var secret in new[] { dir.KeyFile, dir.WrappedKekFile, dir.SealedKekFile, dir.SealedCaKeyFile })
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(secret));
            }
        }
    }
}
