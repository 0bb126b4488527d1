using OkvActors.Backup;
using OkvActors.Cluster;
using OkvActors.Cluster.Storage;
using OkvActors.Node.Tests.Infrastructure;
using Xunit;

namespace OkvActors.Node.Tests.Backup;

/// <summary>
/// `okv restore` refuses, with one clear line and exit code 3, and writes nothing: a tampered, truncated or
/// spliced archive, a file that is not an archive, a wrong passphrase, an archive from a newer version, a
/// directory that is not empty, and a directory holding a running node.
/// </summary>
[Collection(BackupClusterCollection.Name)]
public sealed class RestoreRefusalTests(BackupCluster cluster)
{
    [Fact]
    public async Task Bad_archives_and_a_wrong_passphrase_are_refused_and_leave_the_target_empty()
    {
        var (archive, _) = await cluster.Backup("node3");
        // The second through the `okv backup` verb, as an operator takes one.
        var second = Path.Combine(cluster.Scratch("archive"), "second.okvbak");
        var verb = await Okv.Run(["backup", "--dir", cluster.Dir("node2").Root, "--out", second]);
        Assert.True(verb.ExitCode == 0, verb.ToString());
        Assert.Contains($"written to {second}", verb.Stdout);
        var nowhere = await Okv.Run(["backup", "--dir", cluster.Dir("node2").Root, "--out", "/nonexistent-okv-dir/x.okvbak"]);
        Assert.True(nowhere.ExitCode == 3 && nowhere.Stderr.Contains("does not exist"), nowhere.ToString());
        var bytes = await File.ReadAllBytesAsync(archive);
        var chunksStart = ChunksStart(archive);

        var tampered = Variant(archive, "tampered", b => b[chunksStart + (b.Length - chunksStart) / 2] ^= 0x40);
        await Refused(tampered, "was altered");

        var truncated = Variant(archive, "truncated", _ => { });
        await File.WriteAllBytesAsync(truncated, bytes[..(chunksStart + (bytes.Length - chunksStart) / 2)]);
        await Refused(truncated, "is truncated");

        // The header of one archive of this cluster on the chunks of another: same KEK, same passphrase.
        var spliced = Variant(archive, "spliced", _ => { });
        await File.WriteAllBytesAsync(spliced, bytes[..chunksStart].Concat((await File.ReadAllBytesAsync(second))[ChunksStart(second)..]).ToArray());
        await Refused(spliced, "was altered");

        await Refused(Path.Combine(cluster.Root, "cluster.json"), "is not an OkvActors backup archive");

        var wrongPassphrase = Path.Combine(cluster.Scratch("passphrase"), "wrong");
        await File.WriteAllTextAsync(wrongPassphrase, "not the recovery passphrase of this cluster\n");
        await Refused(archive, "wrong recovery passphrase", passphraseFile: wrongPassphrase);

        // This archive was written by OkvActors {Current}; an older OkvActors must not restore it.
        var older = new Dictionary<string, string> { ["OKV_SOFTWARE_VERSION"] = "0.0.1" };
        var newer = await Refused(archive, "newer than this OkvActors 0.0.1", env: older);
        Assert.Contains(SoftwareVersion.Current, newer);
    }

    [Fact]
    public async Task A_restore_into_a_running_node_or_a_directory_that_is_not_empty_is_refused_and_changes_nothing()
    {
        var (archive, _) = await cluster.Backup("node1");

        var running = cluster.Dir("node2");
        var manifest = await File.ReadAllTextAsync(running.ManifestFile);
        var result = await cluster.Restore(archive, running, "restored2", 46030);
        AssertRefused(result, "a node is running on");
        Assert.Equal(manifest, await File.ReadAllTextAsync(running.ManifestFile));
        Assert.True((await cluster.Control("node2", "status")).Ok);

        var occupied = cluster.NewDirectory("occupied");
        Directory.CreateDirectory(occupied.Root);
        await File.WriteAllTextAsync(Path.Combine(occupied.Root, "notes.txt"), "mine");
        AssertRefused(await cluster.Restore(archive, occupied, "restored2", 46030), "is not empty");
        Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(occupied.Root).Select(Path.GetFileName));
    }

    private async Task<string> Refused(string archive, string expected, string? passphraseFile = null, IDictionary<string, string>? env = null)
    {
        var target = cluster.NewDirectory("refused");
        var result = await cluster.Restore(archive, target, "restored9", 46040, passphraseFile, env);
        AssertRefused(result, expected);
        Assert.Contains("nothing was written", result.Stderr);
        Assert.False(Directory.Exists(target.Root) && Directory.EnumerateFileSystemEntries(target.Root).Any(), $"{target.Root} must stay empty");
        return result.Stderr;
    }

    private static void AssertRefused(OkvResult result, string expected)
    {
        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains(expected, result.Stderr);
        Assert.Single(result.Stderr.Trim().Split('\n'));
    }

    private string Variant(string archive, string name, Action<byte[]> change)
    {
        var bytes = File.ReadAllBytes(archive);
        change(bytes);
        var path = Path.Combine(cluster.Scratch(name), $"{name}.okvbak");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Where the archive's chunks start: the end of its header and sealed secrets.</summary>
    private static int ChunksStart(string archive)
    {
        using var input = File.OpenRead(archive);
        using (BackupArchiveReader.Open(input, SoftwareVersion.Current))
        {
            return (int)input.Position;
        }
    }
}
