using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using OkvActors.Cluster.Secrets;
using OkvActors.Cluster.Storage;
using OkvActors.Cluster.Trust;
using OkvActors.Crypto.Kek;
using OkvActors.Node.Tests.Infrastructure;
using OkvActors.Pki.Certificates;
using OkvActors.Pki.Sealing;
using Xunit;
using Xunit.Abstractions;

namespace OkvActors.Node.Tests.Secrets;

/// <summary>
/// `okv passphrase change` then `okv kek rotate` on a real 3-node cluster under a write load, with the node
/// running the re-wrapper killed -9 mid-rotation and restarted: afterwards every acknowledged object
/// decrypts what it encrypted before, no blob on any node names the old KEK, the old KEK is gone from every
/// node's memory and files, and the old passphrase opens nothing current.
/// </summary>
[Collection(KekRotationClusterCollection.Name)]
public sealed class KekRotationTests(KekRotationCluster cluster, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private static readonly string[] Nodes = ["node1", "node2", "node3"];
    private const int Objects = 200;

    private sealed record Sample(string Uid, string Plaintext, string Ciphertext, string Iv);

    [Fact]
    public async Task A_kek_rotation_under_load_with_a_node_killed_mid_rotation_rewraps_everything_and_retires_the_old_kek()
    {
        var seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var original = File.ReadAllLines(cluster.PassphraseFile)[0];
        var passphrase = $"rotated-{random.Next():x8}-{random.Next():x8}";
        var passphraseFile = Path.Combine(cluster.Scratch("passphrase"), "passphrase");
        File.WriteAllText(passphraseFile, passphrase + "\n");
        var changed = await Okv.Run(["passphrase", "change", "--dir", cluster.Dir("node1").Root, "--passphrase-file", cluster.PassphraseFile,
            "--new-passphrase-file", passphraseFile]);
        Assert.True(changed.ExitCode == 0, changed.ToString());

        var oldKek = (await cluster.Status("node1"))["kekId"]!.GetValue<string>();
        var samples = new ConcurrentBag<Sample>();
        for (var i = 0; i < Objects; i++)
        {
            samples.Add(await CreateAndEncrypt("node1", $"before-{i}", random.Next()));
        }

        // A write load on node2 for the whole rotation: every acknowledged key encrypts something at once.
        using var stopLoad = new CancellationTokenSource();
        var refusedDuringLoad = 0;
        var load = Task.Run(async () =>
        {
            for (var i = 0; !stopLoad.IsCancellationRequested; i++)
            {
                try
                {
                    samples.Add(await CreateAndEncrypt("node2", $"during-{i}", i));
                }
                catch (Exception e) when (e is InvalidOperationException or IOException or TimeoutException)
                {
                    Interlocked.Increment(ref refusedDuringLoad);
                }
            }
        });

        var wrong = Path.Combine(cluster.Scratch("wrong"), "wrong");
        File.WriteAllText(wrong, "not-the-recovery-passphrase\n");
        var refusedWrong = await Rotate("node1", wrong);
        Assert.Equal(3, refusedWrong.ExitCode);
        Assert.Contains("wrong recovery passphrase", refusedWrong.Stderr);

        var rotated = await Rotate("node1", passphraseFile);
        Assert.True(rotated.ExitCode == 0, rotated.ToString());
        Assert.Contains("generation 2", rotated.Stdout);
        var again = await Rotate("node2", passphraseFile);
        Assert.Equal(3, again.ExitCode);
        Assert.Contains("already running", again.Stderr);
        var passphraseDuring = await Okv.Run(["passphrase", "change", "--dir", cluster.Dir("node1").Root, "--passphrase-file", passphraseFile,
            "--new-passphrase-file", cluster.PassphraseFile]);
        Assert.Equal(3, passphraseDuring.ExitCode);
        Assert.Contains("KEK rotation is running", passphraseDuring.Stderr);

        // The re-wrapper runs on the oldest node (node1): kill it once it has re-wrapped a batch, then bring it back.
        var logOffset = 0L;
        await Eventually.Until(() => cluster.LogSince("node1", logOffset).Contains("Re-wrap under KEK generation 2"), Timeout,
            "node1 to start re-wrapping");
        var leftAtKill = (await cluster.Control("node1", "kek-status")).Data!["left"]!.GetValue<int>();
        output.WriteLine($"killing node1 with {leftAtKill} object(s) left under the old KEK on its replica");
        Okv.Kill9(await cluster.CurrentPid("node1"));
        await Eventually.Until(async () => (await KekStatus("node2"))["left"]!.GetValue<int>() < leftAtKill, Timeout,
            "the re-wrapper to carry on on another node");
        cluster.StartNode(cluster.Dir("node1").Root, cluster.LogOf("node1"));

        foreach (var node in Nodes)
        {
            await Eventually.Until(async () =>
            {
                var status = await KekStatus(node);
                var done = !status["rotating"]!.GetValue<bool>() && status["currentGeneration"]!.GetValue<int>() == 2
                           && status["held"]!.AsArray().Count == 1 && status["left"]!.GetValue<int>() == 0;
                return (done, true, status.ToJsonString());
            }, Timeout, $"{node} to finish the rotation and retire the old KEK");
        }

        await stopLoad.CancelAsync();
        await load;
        output.WriteLine($"{samples.Count} acknowledged object(s), {refusedDuringLoad} load write(s) not acknowledged");

        var newKek = (await cluster.Status("node2"))["kekId"]!.GetValue<string>();
        Assert.NotEqual(oldKek, newKek);
        foreach (var node in Nodes)
        {
            // Converged replicas: every blob on every node names generation 2 only.
            await Eventually.Until(async () =>
            {
                var status = await KekStatus(node);
                var byGeneration = status["byGeneration"]!.AsObject();
                return (byGeneration.Count == 1 && byGeneration.ContainsKey("2") && status["objects"]!.GetValue<int>() >= samples.Count, true,
                    status.ToJsonString());
            }, Timeout, $"{node}'s replica to hold every object under KEK generation 2 only");
            AssertFilesHoldOnly(cluster.Dir(node), newKek, passphrase);
            AssertNothingOpensWith(cluster.Dir(node), original);
        }

        var failures = new List<string>();
        foreach (var sample in samples)
        {
            var decrypted = await cluster.Control(Nodes[Math.Abs(sample.Uid.GetHashCode()) % 3], "key-decrypt", ("uid", sample.Uid),
                ("ciphertext", sample.Ciphertext), ("iv", sample.Iv));
            if (!decrypted.Ok || Encoding.UTF8.GetString(Convert.FromBase64String(decrypted.Data!["data"]!.GetValue<string>())) != sample.Plaintext)
            {
                failures.Add($"{sample.Uid}: {decrypted.Message}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {samples.Count} object(s) no longer decrypt: {string.Join("; ", failures.Take(5))}");
    }

    private Task<OkvResult> Rotate(string node, string passphraseFile) =>
        Okv.Run(["kek", "rotate", "--dir", cluster.Dir(node).Root, "--passphrase-file", passphraseFile]);

    private async Task<JsonNode> KekStatus(string node)
    {
        var response = await cluster.Control(node, "kek-status");
        return response.Ok ? response.Data! : throw new InvalidOperationException($"kek-status on {node}: {response.Message}");
    }

    /// <summary>Creates, activates and encrypts with a key; only a fully acknowledged sample counts.</summary>
    private async Task<Sample> CreateAndEncrypt(string node, string name, int salt)
    {
        var created = await cluster.Control(node, "key-create", ("name", name));
        var uid = created.Ok ? created.Data!["uid"]!.GetValue<string>() : throw new InvalidOperationException(created.Message);
        var activated = await cluster.Control(node, "key-activate", ("uid", uid));
        if (!activated.Ok)
        {
            throw new InvalidOperationException(activated.Message);
        }

        var plaintext = $"{name} {salt}";
        var encrypted = await cluster.Control(node, "key-encrypt", ("uid", uid), ("data", Convert.ToBase64String(Encoding.UTF8.GetBytes(plaintext))));
        return encrypted.Ok
            ? new Sample(uid, plaintext, encrypted.Data!["ciphertext"]!.GetValue<string>(), encrypted.Data!["iv"]!.GetValue<string>())
            : throw new InvalidOperationException(encrypted.Message);
    }

    private static void AssertFilesHoldOnly(NodeDirectory dir, string kekId, string passphrase)
    {
        Assert.False(File.Exists(dir.PreviousWrappedKekFile), $"{dir.PreviousWrappedKekFile} survived retirement");
        Assert.False(File.Exists(dir.PreviousSealedKekFile), $"{dir.PreviousSealedKekFile} survived retirement");
        var manifest = KeyringFiles.ReadManifest(dir)!;
        Assert.Equal((2, kekId), (manifest.Current.Generation, manifest.Current.KekId));
        Assert.Null(manifest.Previous);

        using var nodeKey = Pem.ReadPrivateKey(File.ReadAllText(dir.KeyFile));
        Assert.Equal(kekId, KekIdOf(PublicKeyWrap.Unwrap(File.ReadAllBytes(dir.WrappedKekFile), nodeKey, NodeCredentials.KekPurpose)));
        Assert.Equal(kekId, KekIdOf(PassphraseSeal.Unseal(File.ReadAllBytes(dir.SealedKekFile), passphrase, NodeCredentials.KekPurpose)));
        using var ca = NodeCredentials.UnsealCa(dir, passphrase);
    }

    private static void AssertNothingOpensWith(NodeDirectory dir, string passphrase)
    {
        foreach (var file in Directory.GetFiles(dir.SecretsDir, "*.sealed"))
        {
            var purpose = file.EndsWith("ca-key.sealed", StringComparison.Ordinal) ? NodeCredentials.CaKeyPurpose : NodeCredentials.KekPurpose;
            Assert.Throws<WrongPassphraseException>(() => PassphraseSeal.Unseal(File.ReadAllBytes(file), passphrase, purpose));
        }
    }

    private static string KekIdOf(byte[] raw)
    {
        using var kek = new KeyEncryptionKey(raw);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(raw);
        return kek.KeyId;
    }
}
