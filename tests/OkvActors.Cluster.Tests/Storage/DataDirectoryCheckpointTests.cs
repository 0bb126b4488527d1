using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using OkvActors.Cluster.Storage;
using Xunit;

namespace OkvActors.Cluster.Tests.Storage;

/// <summary>The checkpoint a data directory gets before an operation rewrites it: taken, restored, discarded, recovered after a crash.</summary>
public sealed class DataDirectoryCheckpointTests : IDisposable
{
    private readonly NodeDirectory _directory = new(Path.Combine(Path.GetTempPath(), $"okv-checkpoint-{Guid.NewGuid():N}"));

    public DataDirectoryCheckpointTests()
    {
        // A candidate as `okv candidate` leaves it: node.json, its CSR, its key (owner-only), empty secrets/ and store/.
        _directory.Create();
        _directory.WriteManifest(new NodeManifest("node4", "sg01", "127.0.0.1", 4056, 5699, 9113, 8446, NodeStage.Candidate));
        File.WriteAllBytes(_directory.CsrFile, RandomNumberGenerator.GetBytes(700));
        File.WriteAllBytes(_directory.KeyFile, RandomNumberGenerator.GetBytes(241));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_directory.KeyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory.Root))
        {
            Directory.Delete(_directory.Root, recursive: true);
        }
    }

    private string[] Folders() =>
        Directory.GetDirectories(_directory.Root, "*", SearchOption.AllDirectories)
            .Select(d => Path.GetRelativePath(_directory.Root, d)).Order(StringComparer.Ordinal).ToArray();

    /// <summary>What an `okv join` writes, and more: changed, deleted, added files, an added folder, a changed mode.</summary>
    private void RewriteLikeAJoin()
    {
        _directory.WriteManifest(_directory.ReadManifest() with { Stage = NodeStage.Joining, Cluster = "okv" });
        File.Delete(_directory.CsrFile);
        File.WriteAllText(_directory.CertificateFile, "certificate");
        File.WriteAllText(_directory.WrappedKekFile, "wrapped");
        Directory.CreateDirectory(Path.Combine(_directory.StoreDir, "journal", "deep"));
        File.WriteAllText(Path.Combine(_directory.StoreDir, "journal", "deep", "okv.db"), "rows");
        File.WriteAllText(_directory.KeyFile + ".tmp", "half a write");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_directory.KeyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        }
    }

    [Fact]
    public void Restore_puts_every_file_back_byte_for_byte_with_its_mode()
    {
        var before = DataDirectoryCheckpoint.Hashes(_directory.Root);
        var checkpoint = DataDirectoryCheckpoint.Take(_directory, "join", "test");
        RewriteLikeAJoin();
        Assert.NotEqual(before, DataDirectoryCheckpoint.Hashes(_directory.Root));

        var changed = checkpoint.Restore();

        Assert.Equal(before, DataDirectoryCheckpoint.Hashes(_directory.Root));
        Assert.Equal(NodeStage.Candidate, _directory.ReadManifest().Stage);
        Assert.Contains("candidate.csr", changed);
        Assert.Contains("node.json", changed);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_directory.KeyFile));
        }
    }

    [Fact]
    public void Restore_removes_the_files_and_folders_the_operation_added_and_then_the_checkpoint()
    {
        var folders = Folders();
        var checkpoint = DataDirectoryCheckpoint.Take(_directory, "join", "test");
        RewriteLikeAJoin();

        var changed = checkpoint.Restore();

        Assert.False(File.Exists(_directory.CertificateFile));
        Assert.False(File.Exists(_directory.WrappedKekFile));
        Assert.False(File.Exists(_directory.KeyFile + ".tmp"));
        Assert.Equal(folders, Folders());
        Assert.Contains("tls/node.pem", changed);
        Assert.Contains("store/journal/", changed);
        Assert.False(Directory.Exists(Path.Combine(_directory.Root, DataDirectoryCheckpoint.FolderName)), "a restored checkpoint is used up");
        Assert.Null(DataDirectoryCheckpoint.Find(_directory));
    }

    [Fact]
    public void The_checkpoint_names_what_it_saved_and_why_and_keeps_its_copies_owner_only()
    {
        var checkpoint = DataDirectoryCheckpoint.Take(_directory, "join", "okv join of candidate 'node4'");

        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(checkpoint.Folder, "checkpoint.json")))!;
        Assert.Equal("join", manifest["operation"]!.GetValue<string>());
        Assert.Equal("okv join of candidate 'node4'", manifest["reason"]!.GetValue<string>());
        Assert.Equal(["candidate.csr", "node.json", "tls/node.key"],
            manifest["files"]!.AsArray().Select(f => f!["path"]!.GetValue<string>()));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(_directory.KeyFile))),
            checkpoint.Manifest.Files.Single(f => f.Path == "tls/node.key").Sha256);
        Assert.Equal(["secrets", "store", "tls"], checkpoint.Manifest.Directories);
        Assert.Equal(Environment.ProcessId, checkpoint.Manifest.Owner!.Pid);
        Assert.StartsWith(Path.Combine(_directory.Root, "previous") + Path.DirectorySeparatorChar, checkpoint.Folder);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
                File.GetUnixFileMode(Path.Combine(_directory.Root, "previous")));
        }
    }

    [Fact]
    public void Discard_after_success_keeps_the_new_state_and_drops_the_copies()
    {
        var checkpoint = DataDirectoryCheckpoint.Take(_directory, "join", "test");
        RewriteLikeAJoin();
        var after = DataDirectoryCheckpoint.Hashes(_directory.Root);

        checkpoint.Discard();

        Assert.Equal(after, DataDirectoryCheckpoint.Hashes(_directory.Root));
        Assert.False(Directory.Exists(Path.Combine(_directory.Root, DataDirectoryCheckpoint.FolderName)));
        Assert.Null(DataDirectoryCheckpoint.Find(_directory));
    }

    [Fact]
    public void A_checkpoint_left_by_a_crashed_process_is_found_orphaned_and_rolled_back()
    {
        var before = DataDirectoryCheckpoint.Hashes(_directory.Root);
        var taken = DataDirectoryCheckpoint.Take(_directory, "join", "test");
        RewriteLikeAJoin();
        // The process that took it ends without restoring or discarding (as kill -9 would leave it).
        SetOwner(taken, new CheckpointOwner(EndedProcessId(), DateTimeOffset.UtcNow));

        var found = DataDirectoryCheckpoint.Find(_directory);

        Assert.NotNull(found);
        Assert.True(found.IsOrphaned);
        Assert.Equal("join", found.Manifest.Operation);
        found.Restore();
        Assert.Equal(before, DataDirectoryCheckpoint.Hashes(_directory.Root));
        Assert.Null(DataDirectoryCheckpoint.Find(_directory));
    }

    [Fact]
    public void A_reused_pid_does_not_pass_for_the_process_that_took_the_checkpoint()
    {
        var taken = DataDirectoryCheckpoint.Take(_directory, "join", "test");
        Assert.False(taken.IsOrphaned, "its owner (this process) runs");

        SetOwner(taken, new CheckpointOwner(Environment.ProcessId, new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero)));

        Assert.True(DataDirectoryCheckpoint.Find(_directory)!.IsOrphaned);
    }

    [Fact]
    public void A_handed_over_checkpoint_waits_for_the_next_step_which_adopts_it()
    {
        var taken = DataDirectoryCheckpoint.Take(_directory, "join", "test");

        taken.HandOver("awaiting-first-sync");
        var waiting = DataDirectoryCheckpoint.Find(_directory)!;
        Assert.False(waiting.IsOrphaned);
        Assert.Null(waiting.Manifest.Owner);
        Assert.Equal("awaiting-first-sync", waiting.Manifest.Phase);

        waiting.Adopt("first-sync");
        var adopted = DataDirectoryCheckpoint.Find(_directory)!;
        Assert.Equal(Environment.ProcessId, adopted.Manifest.Owner!.Pid);
        Assert.Equal("first-sync", adopted.Manifest.Phase);
        Assert.False(adopted.IsOrphaned);
    }

    [Fact]
    public void A_checkpoint_cut_short_while_being_taken_is_deleted_and_the_directory_was_never_touched()
    {
        var before = DataDirectoryCheckpoint.Hashes(_directory.Root);
        var partial = Path.Combine(_directory.Root, "previous", "20261130T000000000Z.partial", "files");
        Directory.CreateDirectory(partial);
        File.WriteAllText(Path.Combine(partial, "node.json"), "half a copy");

        Assert.Null(DataDirectoryCheckpoint.Find(_directory));

        Assert.False(Directory.Exists(Path.GetDirectoryName(partial)));
        Assert.Equal(before, DataDirectoryCheckpoint.Hashes(_directory.Root));
    }

    [Fact]
    public void A_second_checkpoint_is_refused_while_one_is_open()
    {
        var open = DataDirectoryCheckpoint.Take(_directory, "join", "test");

        var error = Assert.Throws<IOException>(() => DataDirectoryCheckpoint.Take(_directory, "passphrase-change", "test"));

        Assert.Contains("unfinished 'join'", error.Message);
        Assert.Contains(open.Folder, error.Message);
    }

    [Fact]
    public void A_damaged_copy_is_refused_by_name_rather_than_restored()
    {
        var checkpoint = DataDirectoryCheckpoint.Take(_directory, "join", "test");
        File.WriteAllText(Path.Combine(checkpoint.Folder, "files", "node.json"), "{}");

        var error = Assert.Throws<IOException>(() => checkpoint.Restore());

        Assert.Contains("node.json", error.Message);
        Assert.NotNull(DataDirectoryCheckpoint.Find(_directory));
    }

    [Fact]
    public void Logs_and_the_control_socket_are_not_node_state_and_survive_a_restore()
    {
        File.WriteAllText(Path.Combine(_directory.Root, "node.log"), "before\n");
        var checkpoint = DataDirectoryCheckpoint.Take(_directory, "join", "test");
        File.AppendAllText(Path.Combine(_directory.Root, "node.log"), "first sync failed: why\n");

        checkpoint.Restore();

        Assert.Equal("before\nfirst sync failed: why\n", File.ReadAllText(Path.Combine(_directory.Root, "node.log")));
        Assert.False(DataDirectoryCheckpoint.IsState("control.sock"));
        Assert.False(DataDirectoryCheckpoint.IsState("previous/20261130T000000000Z/checkpoint.json"));
        Assert.True(DataDirectoryCheckpoint.IsState("store/okv.db"));
    }

    /// <summary>Rewrites the owner recorded in checkpoint.json, as the process that took it would have left it.</summary>
    private static void SetOwner(DataDirectoryCheckpoint checkpoint, CheckpointOwner owner)
    {
        var path = Path.Combine(checkpoint.Folder, "checkpoint.json");
        var manifest = JsonSerializer.Deserialize<CheckpointManifest>(File.ReadAllText(path), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        File.WriteAllText(path, JsonSerializer.Serialize(manifest with { Owner = owner }, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
    }

    private static int EndedProcessId()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }
}
