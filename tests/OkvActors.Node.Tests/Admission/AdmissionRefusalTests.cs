using System.Security.Cryptography;
using OkvActors.Cluster.Storage;
using OkvActors.Node.Commands;
using OkvActors.Node.Tests.Infrastructure;
using OkvActors.Pki.Certificates;
using Xunit;

namespace OkvActors.Node.Tests.Admission;

/// <summary>
/// Every way admission can be refused, produced for real against a running cluster that is at its size
/// limit (3 of 3): each gives a one-line error that says what to do, a non-zero exit code, and changes
/// nothing (registry version, candidate's data directory).
/// </summary>
[Collection(FormedClusterCollection.Name)]
public sealed class AdmissionRefusalTests(FormedCluster cluster)
{
    private static int _nextPort = 25500;

    private static int NextPort() => Interlocked.Increment(ref _nextPort);

    private async Task<long> RegistryVersion() => (await cluster.Registry("node1"))["version"]!.GetValue<long>();

    private static void AssertOneLineError(OkvResult result, int exitCode, string expected)
    {
        Assert.True(result.ExitCode == exitCode, result.ToString());
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("okv: error: ", line);
        Assert.True(line.Contains(expected, StringComparison.Ordinal), $"expected '{expected}' in: {line}");
    }

    private static void AssertStillCandidate(string dir)
    {
        var node = new NodeDirectory(dir);
        Assert.Equal(NodeStage.Candidate, node.ReadManifest().Stage);
        Assert.False(File.Exists(node.CertificateFile), "a refused candidate must not keep a certificate");
        Assert.False(File.Exists(node.WrappedKekFile), "a refused candidate must not hold the KEK");
        Assert.True(File.Exists(node.CsrFile));
    }

    /// <summary>Candidate + admit, both succeeding: the candidate holds a bundle, approval recorded.</summary>
    private async Task<(string Dir, string Bundle)> ApprovedCandidate(string name, string subgroup = "sg01")
    {
        var (dir, fingerprint) = await NodeFactory.Candidate(cluster, name, NextPort(), subgroup);
        var bundle = Path.Combine(dir, "bundle.json");
        var admit = await NodeFactory.Admit(cluster, dir, fingerprint, bundle);
        Assert.True(admit.ExitCode == 0, admit.ToString());
        return (dir, bundle);
    }

    [Fact]
    public async Task A_wrong_recovery_passphrase_refuses_the_admit_and_records_nothing()
    {
        var (dir, fingerprint) = await NodeFactory.Candidate(cluster, "wrong-pass", NextPort());
        var wrong = Path.Combine(dir, "wrong-passphrase");
        await File.WriteAllTextAsync(wrong, "not the recovery passphrase\n");
        var before = await RegistryVersion();

        var result = await NodeFactory.Admit(cluster, dir, fingerprint, Path.Combine(dir, "bundle.json"), wrong);

        AssertOneLineError(result, 3, "wrong recovery passphrase");
        Assert.False(File.Exists(Path.Combine(dir, "bundle.json")));
        Assert.Equal(before, await RegistryVersion());
    }

    [Fact]
    public async Task A_corrupt_csr_is_refused_with_what_to_do()
    {
        var (dir, fingerprint) = await NodeFactory.Candidate(cluster, "corrupt-csr", NextPort());
        await File.WriteAllTextAsync(Path.Combine(dir, "candidate.csr"), "-----BEGIN CERTIFICATE REQUEST-----\nnot base64 at all\n-----END CERTIFICATE REQUEST-----\n");
        var before = await RegistryVersion();

        var result = await NodeFactory.Admit(cluster, dir, fingerprint, Path.Combine(dir, "bundle.json"));

        AssertOneLineError(result, 1, "not a valid certificate signing request");
        Assert.Contains("okv candidate", result.Stderr);
        Assert.Equal(before, await RegistryVersion());
    }

    [Fact]
    public async Task A_csr_altered_after_signing_is_refused()
    {
        var (dir, fingerprint) = await NodeFactory.Candidate(cluster, "tampered", NextPort());
        var csrFile = Path.Combine(dir, "candidate.csr");
        var der = PemEncoding.Find(await File.ReadAllTextAsync(csrFile)) is var fields
            ? Convert.FromBase64String((await File.ReadAllTextAsync(csrFile))[fields.Base64Data])
            : throw new InvalidOperationException();
        var at = der.AsSpan().IndexOf("tampered"u8);
        der[at] = (byte)'T'; // the name the operator would approve is no longer the one the key signed
        await File.WriteAllTextAsync(csrFile, PemEncoding.WriteString("CERTIFICATE REQUEST", der));

        var result = await NodeFactory.Admit(cluster, dir, fingerprint, Path.Combine(dir, "bundle.json"));

        AssertOneLineError(result, 1, "not a valid certificate signing request");
    }

    [Fact]
    public async Task A_csr_that_is_not_the_one_the_candidate_showed_is_refused()
    {
        var (dir, _) = await NodeFactory.Candidate(cluster, "foreign-csr", NextPort());
        var (_, otherFingerprint) = await NodeFactory.Candidate(cluster, "shown-csr", NextPort());
        var before = await RegistryVersion();

        var result = await NodeFactory.Admit(cluster, dir, otherFingerprint, Path.Combine(dir, "bundle.json"));

        AssertOneLineError(result, 3, "not the candidate's CSR");
        Assert.Equal(before, await RegistryVersion());
    }

    [Fact]
    public async Task A_certificate_the_operator_never_approved_is_refused_admission()
    {
        // The CA signs a certificate outside `okv admit` (as a stolen CA key would): no approval is recorded.
        var (dir, _) = await NodeFactory.Candidate(cluster, "unapproved", NextPort());
        var csr = SigningRequest.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "candidate.csr")));
        using (var ca = NodeFactory.UnsealCa(cluster))
        using (var certificate = ca.IssueNode(csr, TimeSpan.FromDays(1)))
        {
            var bundle = new Bundle("okv", "unapproved", Pem.Certificate(certificate), Pem.Certificate(ca.Certificate),
                [cluster.Remoting("node1")]);
            await File.WriteAllTextAsync(Path.Combine(dir, "bundle.json"), bundle.ToJson());
        }

        var before = await RegistryVersion();
        var result = await NodeFactory.Join(dir, Path.Combine(dir, "bundle.json"));

        AssertOneLineError(result, 3, "is not approved");
        AssertStillCandidate(dir);
        Assert.Equal(before, await RegistryVersion());
    }

    [Fact]
    public async Task A_duplicate_node_name_is_refused_at_approval()
    {
        var (dir, fingerprint) = await NodeFactory.Candidate(cluster, "node2", NextPort());
        var before = await RegistryVersion();

        var result = await NodeFactory.Admit(cluster, dir, fingerprint, Path.Combine(dir, "bundle.json"));

        AssertOneLineError(result, 3, "node name 'node2' is already taken");
        Assert.False(File.Exists(Path.Combine(dir, "bundle.json")));
        Assert.Equal(before, await RegistryVersion());
    }

    [Fact]
    public async Task A_different_software_version_is_refused_admission()
    {
        var (dir, bundle) = await ApprovedCandidate("other-version");
        var before = await RegistryVersion();

        var result = await NodeFactory.Join(dir, bundle, new Dictionary<string, string> { ["OKV_SOFTWARE_VERSION"] = "9.9.9" });

        AssertOneLineError(result, 3, "software version 9.9.9 differs from the cluster's");
        AssertStillCandidate(dir);
        Assert.Equal(before, await RegistryVersion());
    }

    [Fact]
    public async Task A_clock_skew_over_the_bound_is_refused_admission()
    {
        var (dir, bundle) = await ApprovedCandidate("skewed-clock");
        var before = await RegistryVersion();

        var result = await NodeFactory.Join(dir, bundle, null, "--clock-offset", "120");

        AssertOneLineError(result, 3, "clock differs from the controller's by 1");
        Assert.Matches(@"by 1(19\.[5-9]|20\.\d)s \(at most 5\.0s allowed\)", result.Stderr);
        AssertStillCandidate(dir);
        Assert.Equal(before, await RegistryVersion());
    }

    [Fact]
    public async Task An_unknown_subgroup_is_refused_admission()
    {
        var (dir, bundle) = await ApprovedCandidate("far-away", subgroup: "sg99");
        var before = await RegistryVersion();

        var result = await NodeFactory.Join(dir, bundle);

        AssertOneLineError(result, 3, "subgroup 'sg99' does not exist");
        AssertStillCandidate(dir);
        Assert.Equal(before, await RegistryVersion());
    }

    [Fact]
    public async Task A_node_beyond_the_size_limit_is_refused_admission()
    {
        var (dir, bundle) = await ApprovedCandidate("one-too-many");
        var before = await RegistryVersion();

        var result = await NodeFactory.Join(dir, bundle);

        AssertOneLineError(result, 3, "already has 3 of at most 3 nodes");
        AssertStillCandidate(dir);
        Assert.Equal(before, await RegistryVersion());
        Assert.Equal(3, LocalCluster.UpMembers(await cluster.Status("node1")).Count);
    }

    [Fact]
    public async Task A_seventeenth_node_cannot_even_be_configured()
    {
        var dir = cluster.Scratch("seventeen");
        var passphrase = Path.Combine(dir, "passphrase");
        await File.WriteAllTextAsync(passphrase, "a long enough passphrase\n");

        var result = await Okv.Run(["init", "--dir", Path.Combine(dir, "n"), "--cluster", "big", "--max-nodes", "17", "--passphrase-file", passphrase]);

        AssertOneLineError(result, 1, "--max-nodes must be between 2 and 16");
        Assert.False(File.Exists(Path.Combine(dir, "n", "node.json")));
    }

    [Fact]
    public async Task A_data_directory_of_another_cluster_is_refused()
    {
        var (_, bundle) = await ApprovedCandidate("second-home");
        var member = cluster.Dir("node2");
        var manifestBefore = await File.ReadAllTextAsync(member.ManifestFile);

        var join = await NodeFactory.Join(member.Root, bundle);
        var init = await Okv.Run(["init", "--dir", member.Root, "--cluster", "other", "--passphrase-file", cluster.PassphraseFile]);

        AssertOneLineError(join, 3, "already holds node 'node2' of cluster 'okv'");
        AssertOneLineError(init, 1, "already holds node 'node2' of cluster 'okv'");
        Assert.Equal(manifestBefore, await File.ReadAllTextAsync(member.ManifestFile));
    }

    [Fact]
    public async Task A_bundle_for_another_candidate_is_refused()
    {
        var (_, bundle) = await ApprovedCandidate("bundle-owner");
        var (thief, _) = await NodeFactory.Candidate(cluster, "bundle-owner", NextPort());

        var result = await NodeFactory.Join(thief, bundle);

        AssertOneLineError(result, 3, "issued for another key");
        AssertStillCandidate(thief);
    }
}
