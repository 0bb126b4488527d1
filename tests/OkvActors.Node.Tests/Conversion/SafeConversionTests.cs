using System.Security.Cryptography;
using OkvActors.Cluster.Storage;
using OkvActors.Node.Tests.Infrastructure;
using Xunit;

namespace OkvActors.Node.Tests.Conversion;

/// <summary>
/// Safe conversion against real processes: a candidate whose join or first sync fails is put back exactly as it
/// was (every file hashed), the operator reads why, and the candidate can join again; a normal join leaves no
/// checkpoint behind. The cluster's downing waits 60 s here, so freezing (SIGSTOP) a member for a test makes it
/// unreachable without getting it removed; every test thaws what it froze.
/// </summary>
[Collection(ConversionClusterCollection.Name)]
public sealed class SafeConversionTests(ConversionCluster cluster)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>The candidates' own settings: short bounds, so a failure shows in seconds rather than minutes.</summary>
    private Dictionary<string, string> CandidateEnvironment(string firstSync = "10s")
    {
        var path = Path.Combine(cluster.Scratch("config"), "candidate.conf");
        File.WriteAllText(path, $"""
            okv.downing.stable-after = 60s
            okv.controller.admission-timeout = 6s
            okv.conversion.first-sync-timeout = {firstSync}
            """);
        return new Dictionary<string, string> { ["OKV_CONFIG_FILE"] = path };
    }

    /// <summary>SHA-256 of every file under a directory, by relative path: nothing excluded.</summary>
    private static SortedDictionary<string, string> HashEveryFile(string root) =>
        new(Directory.GetFiles(root, "*", SearchOption.AllDirectories).ToDictionary(
            f => Path.GetRelativePath(root, f),
            f => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f)))), StringComparer.Ordinal);

    private static string[] Folders(string root) =>
        Directory.GetDirectories(root, "*", SearchOption.AllDirectories).Select(d => Path.GetRelativePath(root, d)).Order(StringComparer.Ordinal).ToArray();

    private static void AssertExactlyAsBefore(string dir, SortedDictionary<string, string> files, string[] folders)
    {
        Assert.Equal(files, HashEveryFile(dir));
        Assert.Equal(folders, Folders(dir));
        Assert.Equal(NodeStage.Candidate, new NodeDirectory(dir).ReadManifest().Stage);
    }

    private async Task<(string Dir, string Bundle)> AdmittedCandidate(string name, int port)
    {
        var (dir, fingerprint) = await NodeFactory.Candidate(cluster, name, port);
        var bundle = Path.Combine(cluster.Scratch($"{name}-bundle"), "bundle.json");
        var admit = await NodeFactory.Admit(cluster, dir, fingerprint, bundle);
        Assert.True(admit.ExitCode == 0, admit.ToString());
        return (dir, bundle);
    }

    private async Task<string?> RegistryState(string name) =>
        (await cluster.Registry("node1"))["nodes"]!.AsArray().FirstOrDefault(n => n!["name"]!.GetValue<string>() == name)?["state"]!.GetValue<string>();

    /// <summary>Starts `okv run` (log outside the data directory) and waits until the node is a member and its checkpoint gone.</summary>
    private async Task<System.Diagnostics.Process> RunToMember(string dir, IDictionary<string, string>? env = null)
    {
        var log = Path.Combine(cluster.Scratch("logs"), "run.log");
        var process = cluster.StartNode(dir, log, env);
        var node = new NodeDirectory(dir);
        await Eventually.Until(() =>
        {
            if (process.HasExited)
            {
                throw new Xunit.Sdk.XunitException($"okv run exited with {process.ExitCode}:\n{File.ReadAllText(log)}");
            }

            var stage = node.ReadManifest().Stage;
            var checkpoint = Directory.Exists(Path.Combine(dir, DataDirectoryCheckpoint.FolderName));
            return Task.FromResult((stage == NodeStage.Member && !checkpoint, true, $"stage {stage}, checkpoint {(checkpoint ? "present" : "gone")}"));
        }, Timeout, $"{dir} to complete its first sync and drop its checkpoint");
        return process;
    }

    /// <summary>Removes a node this test added (it leaves and its process ends), so the cluster is as the next test expects.</summary>
    private async Task Remove(string name, System.Diagnostics.Process process)
    {
        await Eventually.Until(async () => (await cluster.Control("node1", "lifecycle", ("name", name), ("action", "Remove"))).Ok, Timeout,
            $"the controller to remove {name}");
        await Eventually.Until(() => process.HasExited, Timeout, $"{name}'s process to end after its removal");
    }

    [Fact]
    public async Task A_join_whose_controller_is_frozen_mid_admission_leaves_the_candidate_byte_for_byte_and_joins_once_it_is_back()
    {
        var (dir, bundle) = await AdmittedCandidate("frozen-ctl", 47020);
        var files = HashEveryFile(dir);
        var folders = Folders(dir);
        var controller = cluster.Pid("node1");

        Okv.Freeze(controller);
        OkvResult failed;
        try
        {
            failed = await NodeFactory.Join(dir, bundle, CandidateEnvironment());
        }
        finally
        {
            Okv.Resume(controller);
        }

        Assert.True(failed.ExitCode == 1, failed.ToString());
        var line = Assert.Single(failed.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("okv: error: admission failed: no controller answered at ", line);
        Assert.EndsWith("; the candidate is unchanged", line);
        AssertExactlyAsBefore(dir, files, folders);

        var joined = await Eventually.Until(async () =>
        {
            var result = await NodeFactory.Join(dir, bundle, CandidateEnvironment());
            return (result.ExitCode == 0, result, result.ToString());
        }, Timeout, "the candidate to join once the controller runs again");
        Assert.Contains("okv run --dir", joined.Stdout);
        var member = await RunToMember(dir);
        Assert.Equal("active", await RegistryState("frozen-ctl"));
        await Remove("frozen-ctl", member);
    }

    [Fact]
    public async Task A_join_admitted_but_unable_to_write_its_member_files_takes_the_admission_back_and_restores_the_candidate()
    {
        var (dir, bundle) = await AdmittedCandidate("unwritable", 47025);
        var node = new NodeDirectory(dir);
        // A folder where the sealed KEK goes: the write after the controller's yes fails, as on a full or failing disk.
        Directory.CreateDirectory(node.SealedKekFile);
        var files = HashEveryFile(dir);
        var folders = Folders(dir);

        var failed = await NodeFactory.Join(dir, bundle);

        Assert.True(failed.ExitCode == 1, failed.ToString());
        var line = Assert.Single(failed.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("okv: error: admitted, but the member files could not be written (", line);
        Assert.Contains("kek.sealed", line);
        Assert.Contains("the controller took the admission back", line);
        Assert.EndsWith("the candidate is back as it was", line);
        AssertExactlyAsBefore(dir, files, folders);
        Assert.Equal("withdrawn", await RegistryState("unwritable"));
    }

    [Fact]
    public async Task A_normal_join_is_joining_until_its_first_sync_then_a_member_without_a_checkpoint()
    {
        var (dir, bundle) = await AdmittedCandidate("plain-join", 47021);
        var node = new NodeDirectory(dir);

        var join = await NodeFactory.Join(dir, bundle);

        Assert.True(join.ExitCode == 0, join.ToString());
        Assert.Equal(NodeStage.Joining, node.ReadManifest().Stage);
        var checkpoint = DataDirectoryCheckpoint.Find(node);
        Assert.NotNull(checkpoint);
        Assert.Equal(("join", "awaiting-first-sync", null), (checkpoint.Manifest.Operation, checkpoint.Manifest.Phase, checkpoint.Manifest.Owner));
        Assert.Contains(checkpoint.Manifest.Files, f => f.Path == "candidate.csr");

        var member = await RunToMember(dir);

        Assert.False(Directory.Exists(Path.Combine(dir, DataDirectoryCheckpoint.FolderName)), "the checkpoint is discarded once the node is a member");
        Assert.True(File.Exists(node.CertificateFile));
        Assert.False(File.Exists(node.CsrFile));
        Assert.Equal("active", await RegistryState("plain-join"));
        var status = await ControlStatus(node);
        Assert.Equal("Up", status);
        await Remove("plain-join", member);
    }

    [Fact]
    public async Task A_first_sync_that_reaches_no_member_rolls_back_to_the_candidate_and_names_why_and_what_to_do()
    {
        var (dir, bundle) = await AdmittedCandidate("no-peers", 47022);
        var files = HashEveryFile(dir);
        var folders = Folders(dir);
        var join = await NodeFactory.Join(dir, bundle);
        Assert.True(join.ExitCode == 0, join.ToString());

        var members = new[] { "node1", "node2", "node3" }.Select(cluster.Pid).ToArray();
        OkvResult run;
        Array.ForEach(members, Okv.Freeze);
        try
        {
            run = await Okv.Run(["run", "--dir", dir, "--profile", "fast"], CandidateEnvironment(), TimeSpan.FromSeconds(90));
        }
        finally
        {
            Array.ForEach(members, Okv.Resume);
        }

        Assert.True(run.ExitCode == 1, run.ToString());
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("okv: error: node 'no-peers' did not complete its first sync: it did not become Up within 10s", line);
        Assert.Contains("no other member answered (seeds: akka.ssl.tcp://okv@127.0.0.1:47000", line);
        Assert.Contains("still listed as active in the registry", line);
        Assert.Contains("okv node remove --name no-peers", line);
        Assert.Contains("is the candidate it was before `okv join`", line);
        AssertExactlyAsBefore(dir, files, folders);

        // What the message asks of the operator, once the cluster is back.
        Assert.Equal("active", await Eventually.Until(async () => (await RegistryState("no-peers")) is { } s ? (true, s, s) : (false, "", "absent"),
            Timeout, "the registry to answer"));
        await Eventually.Until(async () => (await cluster.Control("node1", "lifecycle", ("name", "no-peers"), ("action", "Remove"))).Ok, Timeout,
            "the operator's removal of the node that never synced");
    }

    [Fact]
    public async Task A_first_sync_that_cannot_reach_Up_withdraws_the_admission_and_the_same_candidate_joins_again()
    {
        var (dir, bundle) = await AdmittedCandidate("no-converge", 47023);
        var files = HashEveryFile(dir);
        var folders = Folders(dir);
        var join = await NodeFactory.Join(dir, bundle);
        Assert.True(join.ExitCode == 0, join.ToString());

        // One member frozen: the controller and a majority answer, but the leader cannot move anyone to Up
        // without convergence, so the new node never becomes Up.
        var frozen = cluster.Pid("node3");
        OkvResult run;
        Okv.Freeze(frozen);
        try
        {
            run = await Okv.Run(["run", "--dir", dir, "--profile", "fast"], CandidateEnvironment(), TimeSpan.FromSeconds(90));
        }
        finally
        {
            Okv.Resume(frozen);
        }

        Assert.True(run.ExitCode == 1, run.ToString());
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("did not complete its first sync: it did not become Up within 10s", line);
        Assert.Contains("akka.ssl.tcp://okv@127.0.0.1:47002 Up UNREACHABLE", line);
        Assert.True(line.Contains("the controller took the admission back", StringComparison.Ordinal), line);
        AssertExactlyAsBefore(dir, files, folders);
        Assert.Equal("withdrawn", await RegistryState("no-converge"));

        var again = await NodeFactory.Join(dir, bundle);
        Assert.True(again.ExitCode == 0, again.ToString());
        var member = await RunToMember(dir);
        Assert.Equal("active", await RegistryState("no-converge"));
        await Remove("no-converge", member);
    }

    [Fact]
    public async Task A_first_sync_killed_mid_way_is_rolled_back_by_the_next_okv_run_which_says_so()
    {
        var (dir, bundle) = await AdmittedCandidate("crashed-sync", 47024);
        var files = HashEveryFile(dir);
        var folders = Folders(dir);
        var join = await NodeFactory.Join(dir, bundle);
        Assert.True(join.ExitCode == 0, join.ToString());

        var run = cluster.StartNode(dir, Path.Combine(cluster.Scratch("logs"), "crashed.log"));
        // Killed once its control socket exists too, so the rollback must also clear what the dead process left.
        var socket = new NodeDirectory(dir).ControlSocket;
        await Eventually.Until(() => Task.FromResult((CheckpointPhase(dir) == "first-sync" && File.Exists(socket), true,
                $"{CheckpointPhase(dir) ?? "no checkpoint"}, control socket {(File.Exists(socket) ? "present" : "absent")}")),
            Timeout, "okv run to adopt the checkpoint for its first sync and open its control socket");
        Okv.Kill9(run.Id);
        await Eventually.Until(() => run.HasExited, Timeout, "the killed okv run to be gone");
        Assert.Equal(NodeStage.Joining, new NodeDirectory(dir).ReadManifest().Stage);

        var next = await Okv.Run(["run", "--dir", dir, "--profile", "fast"], CandidateEnvironment(), TimeSpan.FromSeconds(90));

        Assert.True(next.ExitCode != 0, next.ToString());
        var said = Assert.Single(next.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("okv: rolled back: ", StringComparison.Ordinal));
        Assert.Contains($"the 'join' begun at", said);
        Assert.Contains($"(its process {run.Id} ended during first-sync)", said);
        Assert.Contains("the controller took the admission back", said);
        Assert.Contains("still a candidate", next.Stderr);
        AssertExactlyAsBefore(dir, files, folders);
        Assert.Equal("withdrawn", await RegistryState("crashed-sync"));
    }

    /// <summary>The phase checkpoint.json records, read without touching the checkpoint (a live process owns it).</summary>
    private static string? CheckpointPhase(string dir)
    {
        try
        {
            var root = Path.Combine(dir, DataDirectoryCheckpoint.FolderName);
            var manifest = Directory.Exists(root)
                ? Directory.GetFiles(root, "checkpoint.json", SearchOption.AllDirectories).SingleOrDefault()
                : null;
            return manifest is null ? null : System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(manifest))?["phase"]?.GetValue<string>();
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private static async Task<string> ControlStatus(NodeDirectory node) =>
        (await OkvActors.Cluster.Control.ControlClient.SendAsync(node.ControlSocket, new OkvActors.Cluster.Control.ControlRequest("status"),
            TimeSpan.FromSeconds(10))).Data!["selfStatus"]!.GetValue<string>();
}
