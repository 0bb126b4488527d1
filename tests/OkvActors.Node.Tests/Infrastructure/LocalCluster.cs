using System.Diagnostics;
using System.Text.Json.Nodes;
using OkvActors.Cluster.Control;
using OkvActors.Cluster.Storage;
using OkvActors.Node.Up;
using Xunit;

namespace OkvActors.Node.Tests.Infrastructure;

/// <summary>
/// A real cluster started with `okv up` (each node its own OS process) in a fresh directory, for the
/// tests of one collection. Disposing stops it with SIGTERM, then kills anything left.
/// </summary>
public abstract class LocalCluster : IAsyncLifetime
{
    private static readonly TimeSpan FormationTimeout = TimeSpan.FromSeconds(150);
    private readonly List<Process> _extra = [];
    private Process? _up;

    protected LocalCluster(int basePort, int nodes = 3, int maxNodes = 16)
    {
        BasePort = basePort;
        Nodes = nodes;
        MaxNodes = maxNodes;
        Root = Path.Combine(Path.GetTempPath(), "okv-tests", $"{GetType().Name}-{Guid.NewGuid():N}"[..40]);
    }

    public int BasePort { get; }

    public int Nodes { get; }

    public int MaxNodes { get; }

    public string Root { get; }

    public ClusterFile File { get; private set; } = null!;

    /// <summary>Environment for `okv up` and every node it starts (and nodes a test restarts), e.g. OKV_CONFIG_FILE.</summary>
    protected virtual IDictionary<string, string>? Environment => null;

    public string PassphraseFile => Path.Combine(Root, "pki", "recovery-passphrase");

    public string UpLog => Path.Combine(Root, "up.log");

    public NodeDirectory Dir(string node) => new(Path.Combine(Root, node));

    public string LogOf(string node) => Path.Combine(Root, node, "node.log");

    public string Remoting(string node) => File.Nodes.Single(n => n.Name == node).Remoting;

    public int Pid(string node) => File.Nodes.Single(n => n.Name == node).Pid;

    /// <summary>The node's management (okvctl) address, HOST:PORT.</summary>
    public string Management(string node) => File.Nodes.Single(n => n.Name == node).Management;

    /// <summary>A scratch directory for candidates and rogue nodes of one test.</summary>
    public string Scratch(string name)
    {
        var path = Path.Combine(Root, "scratch", $"{name}-{Guid.NewGuid():N}"[..24]);
        Directory.CreateDirectory(path);
        return path;
    }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        _up = Okv.StartLogged(["up", "--nodes", Nodes.ToString(), "--dir", Root, "--base-port", BasePort.ToString(),
            "--max-nodes", MaxNodes.ToString()], UpLog, Environment);
        var clusterJson = Path.Combine(Root, "cluster.json");
        await Eventually.Until(() =>
        {
            if (_up.HasExited)
            {
                throw new Xunit.Sdk.XunitException($"okv up exited with {_up.ExitCode}:\n{System.IO.File.ReadAllText(UpLog)}");
            }

            return System.IO.File.Exists(clusterJson);
        }, FormationTimeout, "okv up to write cluster.json");
        File = ClusterFile.Read(clusterJson);
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _extra.Where(p => !p.HasExited))
        {
            process.Kill(entireProcessTree: true);
        }

        if (_up is { HasExited: false })
        {
            Okv.Terminate(_up.Id);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await _up.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _up.Kill(entireProcessTree: true);
            }
        }

        foreach (var node in File?.Nodes ?? [])
        {
            if (Okv.IsAlive(node.Pid))
            {
                Okv.Kill9(node.Pid);
            }
        }

        if (System.Environment.GetEnvironmentVariable("OKV_KEEP_TEST_DIRS") == "1")
        {
            return;
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A process that was still closing its log; the temp folder is cleaned with the machine.
        }
    }

    /// <summary>Runs `okv run` on a data directory the test prepared; killed at the end of the collection.</summary>
    public Process StartNode(string dir, string log, IDictionary<string, string>? env = null)
    {
        var process = Okv.StartLogged(["run", "--dir", dir, "--profile", "fast"], log, env ?? Environment);
        _extra.Add(process);
        return process;
    }

    /// <summary>
    /// Starts a stopped node's `okv run` again and stands in for its service manager until the cluster (as node1
    /// sees it) has <paramref name="members"/> members Up and reachable: a node the cluster downs stops by itself
    /// (a quickly restarted incarnation with a one-way link is downed), and in production it is restarted, so
    /// here too.
    /// </summary>
    public async Task RestartUntilBack(string node, int members)
    {
        var process = StartNode(Dir(node).Root, LogOf(node));
        await Eventually.Until(async () =>
        {
            if (process.HasExited)
            {
                process = StartNode(Dir(node).Root, LogOf(node));
            }

            return (await Status("node1"))["members"]!.AsArray()
                .Count(m => m!["status"]!.GetValue<string>() == "Up" && m["reachable"]!.GetValue<bool>()) == members;
        }, TimeSpan.FromSeconds(120), $"{node} back, with {members} members Up and reachable");
    }

    public async Task<JsonNode> Status(string node) =>
        (await ControlClient.SendAsync(Dir(node).ControlSocket, new ControlRequest("status"), TimeSpan.FromSeconds(10))).Data!;

    public async Task<JsonNode> Registry(string node)
    {
        var response = await ControlClient.SendAsync(Dir(node).ControlSocket, new ControlRequest("registry"), TimeSpan.FromSeconds(30));
        return response.Ok ? response.Data! : throw new InvalidOperationException($"registry from {node}: {response.Message}");
    }

    /// <summary>Sends a control command to a node and returns its answer (refusals included).</summary>
    public Task<ControlResponse> Control(string node, string command, params (string Key, string Value)[] args) =>
        ControlClient.SendAsync(Dir(node).ControlSocket, new ControlRequest(command, args.ToDictionary(a => a.Key, a => a.Value)),
            TimeSpan.FromSeconds(30));

    /// <summary>The pid of the process running a node now (it changes when a test restarts the node).</summary>
    public async Task<int> CurrentPid(string node) => (await Status(node))["pid"]!.GetValue<int>();

    public static IReadOnlyList<string> UpMembers(JsonNode status) =>
        status["members"]!.AsArray().Where(m => m!["status"]!.GetValue<string>() == "Up").Select(m => m!["address"]!.GetValue<string>()).ToArray();

    public static IReadOnlyList<string> AllMembers(JsonNode status) =>
        status["members"]!.AsArray().Select(m => m!["address"]!.GetValue<string>()).ToArray();

    /// <summary>Log text a node wrote after <paramref name="offset"/> (a length taken before the action).</summary>
    public string LogSince(string node, long offset)
    {
        using var stream = new FileStream(LogOf(node), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(Math.Min(offset, stream.Length), SeekOrigin.Begin);
        return new StreamReader(stream).ReadToEnd();
    }

    public long LogLength(string node) => new FileInfo(LogOf(node)).Length;
}
