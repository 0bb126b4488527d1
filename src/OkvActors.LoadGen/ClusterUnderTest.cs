using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using OkvActors.Cluster.Control;
using OkvActors.Cluster.Storage;
using OkvActors.Node.Up;

namespace OkvActors.LoadGen;

/// <summary>
/// The cluster a scenario measures: started here with the real `okv up` (each node its own process), or
/// an existing one named by its cluster.json. Talks to nodes only through their control sockets and /proc,
/// as an operator would. Disposing stops what this program started, and nothing else.
/// </summary>
public sealed class ClusterUnderTest : IAsyncDisposable
{
    private const int SigKill = 9;
    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int signal);

    private readonly Process? _up;
    private readonly List<Process> _restarted = [];
    private readonly TextWriter _log;

    private ClusterUnderTest(ClusterFile file, string root, Process? up, TextWriter log)
    {
        File = file;
        Root = root;
        _up = up;
        _log = log;
    }

    public ClusterFile File { get; }

    public string Root { get; }

    public IReadOnlyList<string> Nodes => File.Nodes.Select(n => n.Name).ToArray();

    public NodeDirectory Dir(string node) => new(File.Nodes.Single(n => n.Name == node).Data);

    public string Remoting(string node) => File.Nodes.Single(n => n.Name == node).Remoting;

    /// <summary>The okv.dll beside this program, run by the same dotnet host.</summary>
    private static (string File, string[] Prefix) Okv()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "okv.dll");
        var host = Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
        return (host, [dll]);
    }

    /// <summary>Starts `okv up` in a fresh directory and waits until it has written cluster.json.</summary>
    public static async Task<ClusterUnderTest> Start(string dir, int nodes, int basePort, int? shardCount, TextWriter log, CancellationToken ct)
    {
        var root = Path.GetFullPath(dir);
        if (Directory.Exists(Path.Combine(root, "node1")))
        {
            throw new LoadGenException($"{root} already holds a cluster; give a new --dir (or measure it with --cluster {Path.Combine(root, "cluster.json")})");
        }

        Directory.CreateDirectory(root);
        var clusterJson = Path.Combine(root, "cluster.json");
        string[] args = ["up", "--nodes", nodes.ToString(), "--dir", root, "--base-port", basePort.ToString(), "--profile", "fast",
            .. shardCount is { } s ? new[] { "--shard-count", s.ToString() } : []];
        log.WriteLine($"okv-load: okv {string.Join(' ', args)}  (log {Path.Combine(root, "up.log")})");
        var up = StartLogged(args, Path.Combine(root, "up.log"));
        var deadline = Stopwatch.StartNew();
        while (!System.IO.File.Exists(clusterJson))
        {
            if (up.HasExited)
            {
                throw new LoadGenException($"okv up exited with {up.ExitCode}; see {Path.Combine(root, "up.log")}");
            }

            if (deadline.Elapsed > TimeSpan.FromMinutes(4))
            {
                SysKill(up.Id, SigTerm);
                throw new LoadGenException($"okv up did not form the cluster within 4 minutes; see {Path.Combine(root, "up.log")}");
            }

            await Task.Delay(250, ct);
        }

        return new ClusterUnderTest(ClusterFile.Read(clusterJson), root, up, log);
    }

    public static ClusterUnderTest Attach(string clusterJson, TextWriter log) =>
        new(ClusterFile.Read(clusterJson), Path.GetDirectoryName(Path.GetFullPath(clusterJson))!, null, log);

    /// <summary>One control request; a refusal is an error of the scenario.</summary>
    public async Task<JsonNode> Control(string node, string command, Dictionary<string, string>? args = null, TimeSpan? timeout = null)
    {
        var response = await ControlClient.SendAsync(Dir(node).ControlSocket, new ControlRequest(command, args), timeout ?? TimeSpan.FromSeconds(60));
        return response.Ok ? response.Data ?? new JsonObject() : throw new LoadGenException($"{node} refused {command}: {response.Message}");
    }

    /// <summary>One control request whose refusal is an answer (e.g. "no object" while waiting for a write to arrive).</summary>
    public Task<ControlResponse> TryControl(string node, string command, Dictionary<string, string>? args = null, TimeSpan? timeout = null) =>
        ControlClient.SendAsync(Dir(node).ControlSocket, new ControlRequest(command, args), timeout ?? TimeSpan.FromSeconds(60));

    public async Task<int> Pid(string node) => (await Control(node, "status"))["pid"]!.GetValue<int>();

    /// <summary>Every member address some node sees, whatever its status.</summary>
    public async Task<IReadOnlyList<string>> Members(string node) =>
        (await Control(node, "status"))["members"]!.AsArray().Select(m => m!["address"]!.GetValue<string>()).ToArray();

    /// <summary>Each node's per-shard digests, by shard key.</summary>
    public async Task<Dictionary<string, (int Objects, string Digest)>> Shards(string node) =>
        (await Control(node, "shards", timeout: TimeSpan.FromMinutes(2)))["shards"]!.AsArray()
        .ToDictionary(s => s!["key"]!.GetValue<string>(), s => (s!["objects"]!.GetValue<int>(), s["digest"]!.GetValue<string>()));

    /// <summary>Crash: SIGKILL, no goodbye to the cluster.</summary>
    public static void Kill9(int pid) => SysKill(pid, SigKill);

    /// <summary>
    /// A power cut: kill -9 of every node at once, then every node restarted from its own store. Timed per node
    /// until it is in normal mode and every shard's digest is what it was before the kill (every object back);
    /// NaN for a node not back within <paramref name="timeout"/>. Returns the objects the cluster held.
    /// </summary>
    public async Task<(int Objects, Dictionary<string, double> ServingAfterSeconds)> ColdRestart(TimeSpan timeout, Action<string> step, CancellationToken ct)
    {
        var before = await Shards(Nodes[0]);
        var objects = before.Values.Sum(v => v.Objects);
        var pids = new List<int>();
        foreach (var node in Nodes)
        {
            pids.Add(await Pid(node));
        }

        step($"cold restart: kill -9 of all {Nodes.Count} nodes at once ({objects:N0} objects), then every node restarted");
        pids.ForEach(Kill9);
        while (pids.Any(ProcessStats.IsAlive))
        {
            await Task.Delay(50, ct);
        }

        var sinceRestart = Stopwatch.StartNew();
        foreach (var node in Nodes)
        {
            Restart(node);
        }

        var serving = new Dictionary<string, double>();
        while (serving.Count < Nodes.Count && sinceRestart.Elapsed < timeout)
        {
            foreach (var node in Nodes.Where(n => !serving.ContainsKey(n)))
            {
                try
                {
                    if ((await Control(node, "status"))["mode"]?.GetValue<string>() == "normal"
                        && (await Shards(node)) is var mine && mine.Count == before.Count
                        && mine.All(s => before.TryGetValue(s.Key, out var b) && b.Digest == s.Value.Digest))
                    {
                        serving[node] = sinceRestart.Elapsed.TotalSeconds;
                        step($"cold restart: {node} serving every object {serving[node]:0.0} s after the restart");
                    }
                }
                catch (Exception e) when (e is ControlException or LoadGenException or IOException or System.Net.Sockets.SocketException)
                {
                    // Not listening yet (a socket left by the killed process refuses or resets), or not Up yet.
                }
            }

            await Task.Delay(250, ct);
        }

        foreach (var node in Nodes.Where(n => !serving.ContainsKey(n)))
        {
            serving[node] = double.NaN;
        }

        return (objects, serving);
    }

    /// <summary>Runs `okv run` on a node's directory again (after a crash), its output appended to the node's log.</summary>
    public Process Restart(string node)
    {
        var dir = Dir(node);
        var (file, prefix) = Okv();
        var process = OkvProcess.StartNode(file, prefix, ["run", "--dir", dir.Root, "--profile", "fast"], Path.Combine(dir.Root, "node.log"));
        _restarted.Add(process);
        _log.WriteLine($"okv-load: {node} restarted (pid {process.Id})");
        return process;
    }

    /// <summary>A long-running child whose output the shell appends to a file (`exec` keeps the pid the child's own).</summary>
    private static Process StartLogged(string[] args, string logFile)
    {
        var (file, prefix) = Okv();
        return OkvProcess.StartDetached(file, prefix, args, logFile);
    }

    /// <summary>SIGTERM to what this program started (okv up stops its own nodes), then SIGKILL to whatever is left after 60 s.</summary>
    public async ValueTask DisposeAsync()
    {
        var started = _restarted.Where(p => !p.HasExited).ToList();
        if (_up is { HasExited: false })
        {
            started.Add(_up);
        }

        foreach (var process in started)
        {
            SysKill(process.Id, SigTerm);
        }

        foreach (var process in started)
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _log.WriteLine($"okv-load: pid {process.Id} did not stop within 60 s; killing it");
                SysKill(process.Id, SigKill);
            }
        }

        if (_up is not null)
        {
            // Nodes okv up started and could not stop (it waits 30 s per node, then kills): none may outlive the run.
            foreach (var node in File.Nodes.Where(n => ProcessStats.IsAlive(n.Pid) && ProcessStats.CommandLine(n.Pid).Contains(n.Data, StringComparison.Ordinal)))
            {
                SysKill(node.Pid, SigKill);
            }
        }

        foreach (var process in _restarted)
        {
            process.Dispose();
        }

        _up?.Dispose();
    }
}

/// <summary>The scenario could not run (not: a target was missed).</summary>
public sealed class LoadGenException(string message) : Exception(message);
