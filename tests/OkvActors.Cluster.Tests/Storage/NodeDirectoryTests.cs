using OkvActors.Cluster.Storage;
using OkvActors.Pki.Certificates;
using Xunit;

namespace OkvActors.Cluster.Tests.Storage;

public sealed class NodeDirectoryTests : IDisposable
{
    private readonly NodeDirectory _directory = new(Path.Combine(Path.GetTempPath(), $"okv-dir-{Guid.NewGuid():N}"));

    public void Dispose()
    {
        if (Directory.Exists(_directory.Root))
        {
            Directory.Delete(_directory.Root, recursive: true);
        }
    }

    [Fact]
    public void A_written_manifest_is_read_back()
    {
        _directory.Create();
        var manifest = new NodeManifest("node1", "sg01", "127.0.0.1", 4053, 5696, 9110, 8443, NodeStage.Member, "okv", Founder: true);

        _directory.WriteManifest(manifest);

        Assert.Equal(manifest, _directory.ReadManifest());
        Assert.False(File.Exists(_directory.ManifestFile + ".tmp"));
    }

    [Fact]
    public void Update_manifest_writes_a_changed_manifest_and_leaves_an_unchanged_one_alone()
    {
        _directory.Create();
        _directory.WriteManifest(new NodeManifest("node4", "sg01", "127.0.0.1", 4056, 5699, 9113, 8446, NodeStage.Joining, "okv"));
        var written = File.GetLastWriteTimeUtc(_directory.ManifestFile);
        File.SetLastWriteTimeUtc(_directory.ManifestFile, written.AddMinutes(-5));

        var same = _directory.UpdateManifest(m => m);
        Assert.Equal(written.AddMinutes(-5), File.GetLastWriteTimeUtc(_directory.ManifestFile));

        var member = _directory.UpdateManifest(m => m with { Stage = NodeStage.Member });
        Assert.Equal(NodeStage.Joining, same.Stage);
        Assert.Equal(NodeStage.Member, member.Stage);
        Assert.Equal(member, _directory.ReadManifest());
    }

    [Fact]
    public void Reading_a_directory_without_a_node_names_the_directory()
    {
        var error = Assert.Throws<PkiException>(() => _directory.ReadManifest());

        Assert.Contains(_directory.Root, error.Message);
    }

    [Fact]
    public void An_existing_node_is_never_overwritten()
    {
        _directory.Create();
        _directory.WriteManifest(new NodeManifest("node1", "sg01", "127.0.0.1", 4053, 5696, 9110, 8443, NodeStage.Member, "okv"));

        var error = Assert.Throws<PkiException>(() => _directory.EnsureEmpty());

        Assert.Contains("'node1'", error.Message);
        Assert.Contains("'okv'", error.Message);
    }

    [Fact]
    public void Create_makes_every_sub_directory_with_the_secrets_owner_only()
    {
        _directory.Create();

        Assert.True(Directory.Exists(_directory.TlsDir));
        Assert.True(Directory.Exists(_directory.SecretsDir));
        Assert.True(Directory.Exists(_directory.StoreDir));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_directory.SecretsDir));
        }
    }
}
