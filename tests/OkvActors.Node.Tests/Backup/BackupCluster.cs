using OkvActors.Cluster.Storage;
using OkvActors.Node.Tests.Infrastructure;
using Xunit;

namespace OkvActors.Node.Tests.Backup;

/// <summary>
/// A 3-node cluster for the backup tests (ports 46000–46302), and where restored nodes go: restored nodes use
/// remoting ports 46010, 46020… and their KMIP, management and HTTPS ports at +100, +200, +300.
/// </summary>
public sealed class BackupCluster() : LocalCluster(basePort: 46000)
{
    public NodeDirectory NewDirectory(string name) => new(Path.Combine(Scratch(name), "node"));

    /// <summary>`okv restore` of <paramref name="archive"/> into <paramref name="dir"/> as node <paramref name="name"/> on remoting port <paramref name="port"/>.</summary>
    public Task<OkvResult> Restore(string archive, NodeDirectory dir, string name, int port, string? passphraseFile = null,
        IDictionary<string, string>? env = null) =>
        Okv.Run(["restore", "--archive", archive, "--dir", dir.Root, "--name", name, "--host", "127.0.0.1", "--port", $"{port}",
            "--kmip-port", $"{port + 100}", "--management-port", $"{port + 200}", "--https-port", $"{port + 300}",
            "--passphrase-file", passphraseFile ?? PassphraseFile], env);

    /// <summary>A backup of <paramref name="node"/> into the scratch area; fails the test if it is refused.</summary>
    public async Task<(string Path, Cluster.Control.ControlResponse Response)> Backup(string node)
    {
        var path = Path.Combine(Scratch("archive"), "cluster.okvbak");
        var response = await Control(node, "backup", ("out", path));
        Assert.True(response.Ok, $"backup on {node}: {response.Message}");
        return (path, response);
    }
}

[CollectionDefinition(Name)]
public sealed class BackupClusterCollection : ICollectionFixture<BackupCluster>
{
    public const string Name = "backup cluster";
}
