using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OkvActors.Cluster.Storage;
using OkvActors.Cluster.Trust;
using OkvActors.Node.Commands;
using OkvActors.Pki.Certificates;
using OkvActors.Pki.Sealing;
using Xunit;

namespace OkvActors.Node.Tests.Infrastructure;

/// <summary>
/// Prepares nodes the way an operator (or an attacker) would: candidates through the real `okv`
/// verbs, and hand-made data directories for rogue nodes whose certificates the cluster must refuse.
/// </summary>
public static class NodeFactory
{
    public static async Task<(string Dir, string Fingerprint)> Candidate(LocalCluster cluster, string name, int port, string subgroup = "sg01")
    {
        var dir = cluster.Scratch(name);
        var result = await Okv.Run(["candidate", "--dir", dir, "--name", name, "--subgroup", subgroup, "--host", "127.0.0.1",
            "--port", port.ToString(), "--kmip-port", (port + 100).ToString(), "--management-port", (port + 200).ToString(),
            "--https-port", (port + 300).ToString()]);
        Assert.True(result.ExitCode == 0, result.ToString());
        var fingerprint = result.Stdout.Split('\n').Single(l => l.StartsWith("fingerprint: ", StringComparison.Ordinal))["fingerprint: ".Length..].Trim();
        return (dir, fingerprint);
    }

    public static Task<OkvResult> Admit(LocalCluster cluster, string candidateDir, string fingerprint, string bundle, string? passphraseFile = null) =>
        Okv.Run(["admit", "--dir", cluster.Dir("node1").Root, "--csr", Path.Combine(candidateDir, "candidate.csr"), "--fingerprint", fingerprint,
            "--passphrase-file", passphraseFile ?? cluster.PassphraseFile, "--out", bundle]);

    public static Task<OkvResult> Join(string candidateDir, string bundle, IDictionary<string, string>? env = null, params string[] extra) =>
        Okv.Run(["join", "--dir", candidateDir, "--bundle", bundle, "--profile", "fast", .. extra], env);

    /// <summary>The cluster CA, unsealed with the recovery passphrase, as an operator (or a thief of both) holds it.</summary>
    public static ClusterCa UnsealCa(LocalCluster cluster) =>
        Provisioning.UnsealCa(cluster.Dir("node1"), File.ReadAllLines(cluster.PassphraseFile)[0]);

    /// <summary>
    /// What a rogue node runs with: remoting only. Its HTTPS listener stays off, because Kestrel will not even
    /// start on a certificate without the server usage, and the test is about what the cluster does with it.
    /// </summary>
    public static IDictionary<string, string> RogueEnvironment(NodeDirectory dir)
    {
        var config = Path.Combine(dir.Root, "rogue.conf");
        File.WriteAllText(config, "okv.rest.enabled = off\n");
        return new Dictionary<string, string> { ["OKV_CONFIG_FILE"] = config };
    }

    /// <summary>
    /// A data directory for a node that never went through admission: it trusts the real cluster CA and
    /// dials the cluster's seeds, but presents <paramref name="certificate"/> (made by the test).
    /// </summary>
    public static NodeDirectory RogueNode(LocalCluster cluster, string name, int port, X509Certificate2 certificate, ECDsa key)
    {
        var dir = new NodeDirectory(cluster.Scratch(name));
        dir.Create();
        Pem.WritePrivateFile(dir.KeyFile, Pem.PrivateKey(key));
        Pem.WriteFile(dir.CertificateFile, Pem.Certificate(certificate));
        File.Copy(cluster.Dir("node1").CaFile, dir.CaFile);
        var kek = RandomNumberGenerator.GetBytes(32);
        Pem.WritePrivateFile(dir.WrappedKekFile, PublicKeyWrap.Wrap(kek, certificate.PublicKey, NodeCredentials.KekPurpose));
        dir.WriteManifest(new NodeManifest(name, "sg01", "127.0.0.1", port, port + 100, port + 200, port + 300, NodeStage.Member,
            cluster.File.Cluster, [cluster.Remoting("node1"), cluster.Remoting("node2")]));
        return dir;
    }
}
