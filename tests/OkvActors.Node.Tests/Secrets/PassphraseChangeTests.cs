using OkvActors.Cluster.Secrets;
using OkvActors.Cluster.Storage;
using OkvActors.Cluster.Trust;
using OkvActors.Crypto.Kek;
using OkvActors.Node.Tests.Infrastructure;
using OkvActors.Pki.Sealing;
using Xunit;

namespace OkvActors.Node.Tests.Secrets;

/// <summary>
/// `okv passphrase change` on a real 3-node cluster: every node's sealed files open with the new passphrase
/// and not the old, a node that was down catches up when it returns, and refusals (a KEK rotation in
/// restricted mode among them) change nothing.
/// </summary>
[Collection(PassphraseClusterCollection.Name)]
public sealed class PassphraseChangeTests(PassphraseCluster cluster)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly string[] Nodes = ["node1", "node2", "node3"];

    [Fact]
    public async Task A_changed_passphrase_reseals_every_node_and_a_node_that_was_down_catches_up_and_restricted_mode_refuses()
    {
        var kekId = (await cluster.Status("node1"))["kekId"]!.GetValue<string>();
        var start = (await cluster.Status("node1"))["sealedSecretsGeneration"]!.GetValue<long>();
        var original = File.ReadAllLines(cluster.PassphraseFile)[0];
        var second = NewPassphrase("second");

        var changed = await Change("node1", cluster.PassphraseFile, second.File);

        Assert.True(changed.ExitCode == 0, changed.ToString());
        Assert.Contains($"generation {start + 1}", changed.Stdout);
        foreach (var node in Nodes)
        {
            await AwaitGeneration(node, start + 1);
            AssertSealedUnder(cluster.Dir(node), second.Passphrase, kekId);
            AssertNotSealedUnder(cluster.Dir(node), original);
        }

        // node3 is down (kill -9) while the passphrase changes again through node2: a majority still holds it.
        Okv.Kill9(cluster.Pid("node3"));
        var third = NewPassphrase("third");
        var whileDown = await Change("node2", second.File, third.File);
        Assert.True(whileDown.ExitCode == 0, whileDown.ToString());
        foreach (var node in new[] { "node1", "node2" })
        {
            await AwaitGeneration(node, start + 2);
            AssertSealedUnder(cluster.Dir(node), third.Passphrase, kekId);
            AssertNotSealedUnder(cluster.Dir(node), second.Passphrase);
        }

        Assert.Equal(start + 1, SealedSecretsFiles.ReadGeneration(cluster.Dir("node3")).Generation);
        AssertSealedUnder(cluster.Dir("node3"), second.Passphrase, kekId);

        // It returns and rewrites its files from the replicated record.
        cluster.StartNode(cluster.Dir("node3").Root, cluster.LogOf("node3"));
        await AwaitGeneration("node3", start + 2);
        AssertSealedUnder(cluster.Dir("node3"), third.Passphrase, kekId);
        AssertNotSealedUnder(cluster.Dir("node3"), second.Passphrase);
        AssertNotSealedUnder(cluster.Dir("node3"), original);

        // `okv secrets show` lists every member at the newest generation (once node3's new incarnation is Up).
        await Eventually.Until(async () =>
        {
            var shown = await Okv.Run(["secrets", "show", "--dir", cluster.Dir("node1").Root, "--json"]);
            Assert.True(shown.ExitCode == 0, shown.ToString());
            var rows = System.Text.Json.Nodes.JsonNode.Parse(shown.Stdout)!["nodes"]!.AsArray();
            var generations = rows.Select(r => r!["fileGeneration"]?.GetValue<long>()).ToArray();
            return (rows.Count == 3 && generations.All(g => g == start + 2), true, $"generations [{string.Join(", ", generations)}]");
        }, Timeout, "`okv secrets show` to list three members at the newest generation");

        // Alone, node1 is in restricted mode: the change is refused by name and nothing is changed.
        Okv.Kill9(await cluster.CurrentPid("node2"));
        Okv.Kill9(await cluster.CurrentPid("node3"));
        await Eventually.Until(async () => (await cluster.Status("node1"))["mode"]!.GetValue<string>() == "restricted", Timeout,
            "node1 to enter restricted mode");
        var before = SealedBytes(cluster.Dir("node1"));
        var refused = await Change("node1", third.File, NewPassphrase("fourth").File);

        Assert.Equal(3, refused.ExitCode);
        Assert.Contains("restricted mode", refused.Stderr);
        Assert.Equal(before, SealedBytes(cluster.Dir("node1")));
        Assert.Equal(start + 2, SealedSecretsFiles.ReadGeneration(cluster.Dir("node1")).Generation);
        var rotation = await Okv.Run(["kek", "rotate", "--dir", cluster.Dir("node1").Root, "--passphrase-file", third.File]);
        Assert.Equal(3, rotation.ExitCode);
        Assert.Contains("restricted mode", rotation.Stderr);
        Assert.Equal(before, SealedBytes(cluster.Dir("node1")));
        Assert.False(File.Exists(cluster.Dir("node1").KeyringFile), "a refused rotation wrote a keyring");

        // Leave the cluster whole for the other tests of the collection.
        cluster.StartNode(cluster.Dir("node2").Root, cluster.LogOf("node2"));
        cluster.StartNode(cluster.Dir("node3").Root, cluster.LogOf("node3"));
        await Eventually.Until(async () => (await cluster.Status("node1"))["mode"]!.GetValue<string>() == "normal", TimeSpan.FromSeconds(90),
            "node1 to leave restricted mode");
    }

    [Fact]
    public async Task A_wrong_old_passphrase_a_weak_new_one_or_an_unchanged_one_is_refused_and_nothing_changes()
    {
        var dir = cluster.Dir("node1");
        var before = SealedBytes(dir);
        var generation = SealedSecretsFiles.ReadGeneration(dir);
        var wrong = NewPassphrase("not-the-recovery-passphrase");
        var fresh = NewPassphrase("fresh");
        var weak = Path.Combine(cluster.Scratch("weak"), "weak");
        File.WriteAllText(weak, "short\n");

        var wrongOld = await Change("node1", wrong.File, fresh.File);
        var weakNew = await Change("node1", cluster.PassphraseFile, weak);
        var unchanged = await Change("node1", fresh.File, fresh.File);
        var missing = await Change("node1", Path.Combine(cluster.Root, "no-such-file"), fresh.File);

        Assert.Equal(3, wrongOld.ExitCode);
        Assert.Contains("wrong recovery passphrase", wrongOld.Stderr);
        Assert.Contains("nothing was changed", wrongOld.Stderr);
        Assert.NotEqual(0, weakNew.ExitCode);
        Assert.Contains($"at least {PassphraseSeal.MinimumPassphraseLength} characters", weakNew.Stderr);
        Assert.Equal(3, unchanged.ExitCode);
        Assert.Contains("the new passphrase is the old one", unchanged.Stderr);
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("does not exist", missing.Stderr);
        Assert.Equal(before, SealedBytes(dir));
        Assert.Equal(generation, SealedSecretsFiles.ReadGeneration(dir));
    }

    private Task<OkvResult> Change(string node, string oldFile, string newFile) =>
        Okv.Run(["passphrase", "change", "--dir", cluster.Dir(node).Root, "--passphrase-file", oldFile, "--new-passphrase-file", newFile]);

    private (string Passphrase, string File) NewPassphrase(string label)
    {
        var passphrase = $"{label}-{Guid.NewGuid():N}";
        var file = Path.Combine(cluster.Scratch(label), "passphrase");
        File.WriteAllText(file, passphrase + "\n");
        return (passphrase, file);
    }

    private Task AwaitGeneration(string node, long generation) =>
        Eventually.Until(async () =>
        {
            var status = await cluster.Status(node);
            var seen = status["sealedSecretsGeneration"]!.GetValue<long>();
            return (seen == generation && SealedSecretsFiles.ReadGeneration(cluster.Dir(node)).Generation == generation, true, $"generation {seen}");
        }, Timeout, $"{node}'s sealed files to reach generation {generation}");

    private static void AssertSealedUnder(NodeDirectory dir, string passphrase, string kekId)
    {
        var kek = PassphraseSeal.Unseal(File.ReadAllBytes(dir.SealedKekFile), passphrase, NodeCredentials.KekPurpose);
        using (var key = new KeyEncryptionKey(kek))
        {
            Assert.Equal(kekId, key.KeyId);
        }

        System.Security.Cryptography.CryptographicOperations.ZeroMemory(kek);
        using var ca = NodeCredentials.UnsealCa(dir, passphrase);
    }

    private static void AssertNotSealedUnder(NodeDirectory dir, string passphrase)
    {
        Assert.Throws<WrongPassphraseException>(() => PassphraseSeal.Unseal(File.ReadAllBytes(dir.SealedKekFile), passphrase, NodeCredentials.KekPurpose));
        Assert.Throws<WrongPassphraseException>(() => NodeCredentials.UnsealCa(dir, passphrase));
    }

    private static string SealedBytes(NodeDirectory dir) =>
        Convert.ToHexString(File.ReadAllBytes(dir.SealedKekFile)) + ":" + Convert.ToHexString(File.ReadAllBytes(dir.SealedCaKeyFile));
}
