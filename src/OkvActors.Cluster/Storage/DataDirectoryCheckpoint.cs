using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OkvActors.Cluster.Storage;

/// <summary>One saved file: where it lives in the data directory, its bytes' SHA-256 and its Unix mode.</summary>
public sealed record CheckpointFile(string Path, long Length, string Sha256, int? Mode);

/// <summary>
/// The process that runs the operation a checkpoint guards; null while no process holds it (handed over from
/// one verb to the next, e.g. from `okv join` to the first sync of `okv run`).
/// </summary>
public sealed record CheckpointOwner(int Pid, DateTimeOffset StartedAt)
{
    public static CheckpointOwner Current()
    {
        using var self = Process.GetCurrentProcess();
        return new CheckpointOwner(self.Id, self.StartTime.ToUniversalTime());
    }

    /// <summary>False once the process has ended (a pid reused by another process does not count: its start time differs).</summary>
    public bool IsRunning()
    {
        try
        {
            using var process = Process.GetProcessById(Pid);
            return !process.HasExited && (process.StartTime.ToUniversalTime() - StartedAt).Duration() < TimeSpan.FromSeconds(2);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}

/// <summary>What a checkpoint saved and why (checkpoint.json inside the checkpoint folder).</summary>
public sealed record CheckpointManifest(
    string Operation,
    string Reason,
    DateTimeOffset TakenAt,
    string Phase,
    CheckpointOwner? Owner,
    IReadOnlyList<string> Directories,
    IReadOnlyList<CheckpointFile> Files)
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };
}

/// <summary>
/// A data directory's previous state, saved before an operation rewrites the directory (join, restore,
/// passphrase change, KEK rotation): every file except the control socket and logs is copied under
/// <c>DIR/previous/&lt;timestamp&gt;/files</c>, with checkpoint.json naming each file's hash, the operation and
/// why. <see cref="Restore"/> puts the directory back byte for byte (and removes what the operation added);
/// <see cref="Discard"/> drops the copy once the operation succeeded.
/// <para>
/// Crash safety: a checkpoint is written under a <c>.partial</c> name and renamed when complete, so a crash
/// while taking it leaves the directory untouched and a partial copy that <see cref="Find"/> deletes. A
/// complete checkpoint names its owner (pid and start time): while the owner runs, the operation is in
/// progress; once it is gone with the checkpoint still there, the operation was interrupted and
/// <see cref="IsOrphaned"/> says so. An operation that spans two processes hands the checkpoint over
/// (<see cref="HandOver"/>, no owner) and the next one adopts it (<see cref="Adopt"/>). Restoring is
/// idempotent and the checkpoint is deleted only after it, so a crash while restoring is finished by the
/// next restore. Actor-free: any verb can use it before it touches a data directory.
/// </para>
/// </summary>
public sealed class DataDirectoryCheckpoint
{
    /// <summary>The folder (under the data directory) that holds checkpoints.</summary>
    public const string FolderName = "previous";

    private const string ManifestName = "checkpoint.json";
    private const string FilesName = "files";
    private const string PartialSuffix = ".partial";
    private const string DiscardedSuffix = ".discarded";

    private DataDirectoryCheckpoint(NodeDirectory directory, string folder, CheckpointManifest manifest)
    {
        Directory = directory;
        Folder = folder;
        Manifest = manifest;
    }

    public NodeDirectory Directory { get; }

    /// <summary>This checkpoint's folder: DIR/previous/&lt;timestamp&gt;.</summary>
    public string Folder { get; }

    public CheckpointManifest Manifest { get; private set; }

    /// <summary>True when the operation's process is gone but the checkpoint is still there: it was interrupted.</summary>
    public bool IsOrphaned => Manifest.Owner is { } owner && !owner.IsRunning();

    private static string Root(NodeDirectory directory) => Path.Combine(directory.Root, FolderName);

    /// <summary>
    /// Whether <paramref name="relative"/> (a path inside the data directory, '/'-separated) is node state.
    /// Not saved nor restored: the checkpoints themselves, the control socket (a running node's, recreated at
    /// start) and logs (what the operator reads to learn why an operation failed must survive its rollback).
    /// </summary>
    public static bool IsState(string relative) =>
        !(relative == FolderName || relative.StartsWith(FolderName + "/", StringComparison.Ordinal)
          || relative == "control.sock"
          || relative.EndsWith(".log", StringComparison.Ordinal));

    /// <summary>
    /// Saves the directory's current state before <paramref name="operation"/> rewrites it; this process owns it.
    /// Fails (and saves nothing) if an earlier checkpoint is still open: finish or roll that back first.
    /// </summary>
    public static DataDirectoryCheckpoint Take(NodeDirectory directory, string operation, string reason, TimeProvider? time = null)
    {
        if (Find(directory) is { } open)
        {
            throw new IOException(
                $"{directory.Root} holds an unfinished '{open.Manifest.Operation}' from {open.Manifest.TakenAt:u} ({open.Folder}); it must be rolled back or completed first");
        }

        var takenAt = (time ?? TimeProvider.System).GetUtcNow();
        var name = takenAt.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture);
        var folder = Path.Combine(Root(directory), name);
        while (System.IO.Directory.Exists(folder) || System.IO.Directory.Exists(folder + PartialSuffix))
        {
            folder += "-";
        }

        var partial = folder + PartialSuffix;
        var files = Path.Combine(partial, FilesName);
        System.IO.Directory.CreateDirectory(files);
        if (!OperatingSystem.IsWindows())
        {
            // The copies include secrets (sealed and wrapped keys, the node key): owner-only like the directory itself.
            File.SetUnixFileMode(Root(directory), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var directories = new List<string>();
        var saved = new List<CheckpointFile>();
        foreach (var (relative, isDirectory) in Walk(directory.Root))
        {
            if (isDirectory)
            {
                directories.Add(relative);
                System.IO.Directory.CreateDirectory(Path.Combine(files, relative));
                continue;
            }

            var source = Path.Combine(directory.Root, relative);
            var copy = Path.Combine(files, relative);
            File.Copy(source, copy);
            int? mode = OperatingSystem.IsWindows() ? null : (int)File.GetUnixFileMode(source);
            saved.Add(new CheckpointFile(relative, new FileInfo(copy).Length, HashOf(copy), mode));
        }

        var manifest = new CheckpointManifest(operation, reason, takenAt, "started", CheckpointOwner.Current(), directories, saved);
        WriteManifest(partial, manifest);
        System.IO.Directory.Move(partial, folder);
        return new DataDirectoryCheckpoint(directory, folder, manifest);
    }

    /// <summary>
    /// The open checkpoint of this directory, or null. Deletes what crashes left behind: a checkpoint that was
    /// never completed (the operation had not started) and one whose discarding was cut short.
    /// </summary>
    public static DataDirectoryCheckpoint? Find(NodeDirectory directory)
    {
        var root = Root(directory);
        if (!System.IO.Directory.Exists(root))
        {
            return null;
        }

        DataDirectoryCheckpoint? newest = null;
        foreach (var folder in System.IO.Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            if (folder.EndsWith(PartialSuffix, StringComparison.Ordinal) || folder.EndsWith(DiscardedSuffix, StringComparison.Ordinal)
                || !File.Exists(Path.Combine(folder, ManifestName)))
            {
                System.IO.Directory.Delete(folder, recursive: true);
                continue;
            }

            newest = new DataDirectoryCheckpoint(directory, folder, ReadManifest(folder));
        }

        return newest;
    }

    /// <summary>Records that the operation continues in another process (no owner until one adopts it).</summary>
    public void HandOver(string phase) => Update(Manifest with { Phase = phase, Owner = null });

    /// <summary>This process continues the operation (<paramref name="phase"/>): a crash from here on orphans it.</summary>
    public void Adopt(string phase) => Update(Manifest with { Phase = phase, Owner = CheckpointOwner.Current() });

    /// <summary>
    /// Puts the directory back as it was when the checkpoint was taken: every saved file byte for byte (with its
    /// mode), every file and folder the operation added removed, then deletes the checkpoint. Returns the paths it
    /// changed (restored, removed), for the operator.
    /// </summary>
    public IReadOnlyList<string> Restore()
    {
        var files = Path.Combine(Folder, FilesName);
        var keepFiles = Manifest.Files.ToDictionary(f => f.Path, StringComparer.Ordinal);
        var keepDirectories = Manifest.Directories.ToHashSet(StringComparer.Ordinal);
        var changed = new List<string>();

        // Deepest first, so a folder is judged after its contents.
        foreach (var (relative, isDirectory) in Walk(Directory.Root).Reverse())
        {
            var path = Path.Combine(Directory.Root, relative);
            if (isDirectory)
            {
                if (!keepDirectories.Contains(relative))
                {
                    System.IO.Directory.Delete(path, recursive: true);
                    changed.Add(relative + "/");
                }
            }
            else if (!keepFiles.ContainsKey(relative))
            {
                File.Delete(path);
                changed.Add(relative);
            }
        }

        foreach (var relative in Manifest.Directories)
        {
            System.IO.Directory.CreateDirectory(Path.Combine(Directory.Root, relative));
        }

        foreach (var saved in Manifest.Files)
        {
            var target = Path.Combine(Directory.Root, saved.Path);
            var copy = Path.Combine(files, saved.Path);
            if (HashOf(copy) != saved.Sha256)
            {
                throw new IOException($"the checkpoint's copy of {saved.Path} in {Folder} is damaged; the directory was only partly restored");
            }

            if (!File.Exists(target) || HashOf(target) != saved.Sha256)
            {
                // Copy beside, then rename over: a crash here leaves either the old or the saved file, never half of one.
                var temp = target + ".restoring";
                File.Copy(copy, temp, overwrite: true);
                File.Move(temp, target, overwrite: true);
                changed.Add(saved.Path);
            }

            if (saved.Mode is { } mode && !OperatingSystem.IsWindows() && (int)File.GetUnixFileMode(target) != mode)
            {
                File.SetUnixFileMode(target, (UnixFileMode)mode);
            }
        }

        Discard();
        return changed;
    }

    /// <summary>Drops the checkpoint: the operation succeeded (or the directory was restored from it).</summary>
    public void Discard()
    {
        if (!System.IO.Directory.Exists(Folder))
        {
            return;
        }

        // Renamed first, so a crash mid-delete never leaves something that looks like an open checkpoint.
        var doomed = Folder + DiscardedSuffix;
        System.IO.Directory.Move(Folder, doomed);
        System.IO.Directory.Delete(doomed, recursive: true);
        var root = Root(Directory);
        if (!System.IO.Directory.EnumerateFileSystemEntries(root).Any())
        {
            System.IO.Directory.Delete(root);
        }
    }

    /// <summary>SHA-256 (hex) of every node-state file in a directory, by relative path: what "byte for byte" compares.</summary>
    public static IReadOnlyDictionary<string, string> Hashes(string root) =>
        Walk(root).Where(e => !e.IsDirectory).ToDictionary(e => e.Relative, e => HashOf(Path.Combine(root, e.Relative)), StringComparer.Ordinal);

    private void Update(CheckpointManifest manifest)
    {
        WriteManifest(Folder, manifest);
        Manifest = manifest;
    }

    /// <summary>Every node-state entry under <paramref name="root"/>, parents before children, in ordinal order.</summary>
    private static IEnumerable<(string Relative, bool IsDirectory)> Walk(string root)
    {
        var pending = new Stack<string>();
        pending.Push(root);
        var found = new List<(string, bool)>();
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            foreach (var entry in System.IO.Directory.EnumerateFileSystemEntries(current).Order(StringComparer.Ordinal))
            {
                var relative = Path.GetRelativePath(root, entry).Replace('\\', '/');
                if (!IsState(relative))
                {
                    continue;
                }

                var info = new FileInfo(entry);
                if (info.Attributes.HasFlag(FileAttributes.Directory))
                {
                    found.Add((relative, true));
                    pending.Push(entry);
                }
                else if (info.Attributes.HasFlag(FileAttributes.ReparsePoint) || IsSocket(entry))
                {
                    // Links and sockets are not node state we could copy byte for byte.
                }
                else
                {
                    found.Add((relative, false));
                }
            }
        }

        return found.OrderBy(f => f.Item1, StringComparer.Ordinal);
    }

    private static bool IsSocket(string path)
    {
        try
        {
            using var _ = File.OpenRead(path);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static string HashOf(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static void WriteManifest(string folder, CheckpointManifest manifest)
    {
        var path = Path.Combine(folder, ManifestName);
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(manifest, CheckpointManifest.Json));
        File.Move(temp, path, overwrite: true);
    }

    private static CheckpointManifest ReadManifest(string folder)
    {
        var path = Path.Combine(folder, ManifestName);
        try
        {
            return JsonSerializer.Deserialize<CheckpointManifest>(File.ReadAllText(path), CheckpointManifest.Json)
                   ?? throw new JsonException("empty");
        }
        catch (JsonException e)
        {
            throw new IOException($"{path} is not a readable checkpoint manifest ({e.Message}); move {folder} aside to continue", e);
        }
    }
}
