using OkvActors.Node.Tests.Infrastructure;
using OkvActors.Pki.Certificates;
using Xunit;

namespace OkvActors.Node.Tests.KeyStore;

/// <summary>
/// Endpoints, wallets and grants on a real cluster: `okv up` registers its endpoint certificates, an
/// operator's changes on one node are enforced on another, and an endpoint only reaches what its grants
/// allow (what it may not see is "not found").
/// </summary>
[Collection(KeyStoreClusterCollection.Name)]
public sealed class AccessControlTests(KeyStoreCluster cluster)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Okv_up_registers_its_endpoint_certificates_on_every_node()
    {
        foreach (var identity in cluster.File.Pki.Endpoints)
        {
            var fingerprint = Fingerprint.Of(Pem.ReadCertificate(await File.ReadAllTextAsync(identity.Cert)));
            await Eventually.Until(async () =>
            {
                var access = await cluster.Control("node3", "access");
                return access.Data!["endpoints"]!.AsArray().Any(e =>
                    e!["name"]!.GetValue<string>() == identity.Name && e["fingerprint"]!.GetValue<string>() == fingerprint);
            }, Timeout, $"{identity.Name} to be registered on node3");
        }
    }

    [Fact]
    public async Task A_grant_made_on_one_node_is_enforced_on_another_and_its_revocation_too()
    {
        var wallet = $"w{Guid.NewGuid():N}"[..12];
        var walletCreated = await cluster.Control("node1", "wallet-create", ("name", wallet));
        Assert.True(walletCreated.Ok, walletCreated.Message);
        var created = await cluster.Control("node2", "key-create", ("name", "shared-" + wallet), ("wallet", wallet));
        Assert.True(created.Ok, created.Message);
        var uid = created.Data!["uid"]!.GetValue<string>();
        Assert.Equal(wallet, created.Data["wallet"]!.GetValue<string>());

        // Without a grant, endpoint1 cannot tell the key exists.
        var hidden = await cluster.Control("node3", "key-get", ("uid", uid), ("as", "endpoint1"));
        Assert.False(hidden.Ok);
        Assert.Equal($"no object {uid}", hidden.Message);

        // The okv verb, on node1; enforced on node3 once replicated.
        var granted = await Okv.Run(["grant", "--dir", cluster.Dir("node1").Root, "--endpoint", "endpoint1", "--wallet", wallet, "--level", "read-only"]);
        Assert.True(granted.ExitCode == 0, granted.Stderr);
        await Eventually.Until(async () => (await cluster.Control("node3", "key-get", ("uid", uid), ("as", "endpoint1"))).Ok, Timeout,
            "node3 to let endpoint1 read the key");
        var activate = await cluster.Control("node3", "key-activate", ("uid", uid), ("as", "endpoint1"));
        Assert.False(activate.Ok);
        Assert.StartsWith("access denied:", activate.Message);
        Assert.Contains("needs ReadModify", activate.Message);
        Assert.False((await cluster.Control("node3", "key-get", ("uid", uid), ("as", "endpoint2"))).Ok);
        var located = await cluster.Control("node3", "key-locate", ("wallet", wallet), ("as", "endpoint1"));
        Assert.Equal([uid], located.Data!["uids"]!.AsArray().Select(u => u!.GetValue<string>()));
        Assert.Empty((await cluster.Control("node3", "key-locate", ("wallet", wallet), ("as", "endpoint2"))).Data!["uids"]!.AsArray());

        // An endpoint cannot grant itself more.
        var selfGrant = await cluster.Control("node3", "grant", ("endpoint", "endpoint1"), ("wallet", wallet), ("level", "manage"), ("as", "endpoint1"));
        Assert.False(selfGrant.Ok);
        Assert.Contains("operators do", selfGrant.Message);

        Assert.True((await cluster.Control("node2", "grant", ("endpoint", "endpoint1"), ("wallet", wallet), ("level", "none"))).Ok);
        await Eventually.Until(async () => !(await cluster.Control("node3", "key-get", ("uid", uid), ("as", "endpoint1"))).Ok, Timeout,
            "node3 to stop endpoint1 reading the key");
    }

    [Fact]
    public async Task Bad_access_changes_are_refused_with_a_one_line_reason_and_change_nothing()
    {
        var unknownLevel = await Okv.Run(["grant", "--dir", cluster.Dir("node1").Root, "--endpoint", "endpoint1", "--wallet", "x", "--level", "root"]);
        var unknownWallet = await Okv.Run(["grant", "--dir", cluster.Dir("node1").Root, "--endpoint", "endpoint1", "--wallet", "no-such-wallet", "--level", "manage"]);
        var duplicate = await Okv.Run(["endpoint", "add", "--dir", cluster.Dir("node1").Root, "--name", "again",
            "--cert", cluster.File.Pki.Endpoints[0].Cert]);

        Assert.NotEqual(0, unknownLevel.ExitCode);
        Assert.Contains("unknown access level 'root'", unknownLevel.Stderr);
        Assert.NotEqual(0, unknownWallet.ExitCode);
        Assert.Contains("no wallet 'no-such-wallet'", unknownWallet.Stderr);
        Assert.NotEqual(0, duplicate.ExitCode);
        Assert.Contains("already identifies endpoint 'endpoint1'", duplicate.Stderr);
        var access = await cluster.Control("node1", "access");
        Assert.DoesNotContain(access.Data!["endpoints"]!.AsArray(), e => e!["name"]!.GetValue<string>() == "again");
    }
}
