using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using OkvActors.Cluster.Control;
using OkvActors.Cluster.Storage;
using OkvActors.Node.Up;

namespace OkvActors.Chaos.Lab;

/// <summary>
/// The cluster under test: N nodes formed through the production flow `okv up` uses (init; per node candidate,
/// admit, join; then `okv run`), each its own OS process with its own certificates, each in its own network
/// namespace when a <see cref="NetworkLab"/> is given (else all on 127.0.0.1, and no partitions). Knows each node's
/// current process, so faults hit the real pid. Disposing stops every process it started, and nothing else.
/// </summary>
public sealed class ChaosCluster : IAsyncDisposable
{
    private const string ClusterName = "okv";
    private static readonly TimeSpan UpTimeout = TimeSpan.FromSeconds(120);

    private readonly string _dir;
    private readonly int _basePort;
    private readonly NetworkLab? _lab;
    private readonly string? _extraConfig;
    private readonly TextWriter _log;
    private readonly Process?[] _processes;

    public ChaosCluster(string dir, int nodes, int basePort, NetworkLab? lab, string? extraConfig, TextWriter log)
    {
        _dir = Path.GetFullPath(dir);
        Count = nodes;
        _basePort = basePort;
        _lab = lab;
        _extraConfig = extraConfig;
        _log = log;
        _processes = new Process?[nodes + 1];
    }

    public int Count { get; }

    public IReadOnlyList<string> Names => Enumerable.Range(1, Count).Select(Name).ToArray();

    public string Root => _dir;

    public static string Name(int node) => $"node{node}";

    public string NodeDir(int node) => Path.Combine(_dir, Name(node));

    public string PkiDir => Path.Combine(_dir, "pki");

    public string Host(int node) => _lab?.Address(node) ?? "127.0.0.1";

    public string Kmip(int node) => $"{Host(node)}:{_basePort + 100 + node - 1}";

    public string Remoting(int node) => $"akka.ssl.tcp://{ClusterName}@{Host(node)}:{_basePort + node - 1}";

    public int? Pid(int node) => _processes[node] is { HasExited: false } p ? p.Id : null;

    public bool IsRunning(int node) => _processes[node] is { HasExited: false };

    /// <summary>Forms the cluster; also issues the endpoint certificate the workload uses and registers it.</summary>
    public async Task Form(CancellationToken ct)
    {
        if (Directory.Exists(NodeDir(1)))
        {
            throw new ChaosException($"{_dir} already holds a cluster; give a new --dir");
        }

        Directory.CreateDirectory(PkiDir);
        var passphrase = Path.Combine(PkiDir, "recovery-passphrase");
        OkvActors.Pki.Certificates.Pem.WritePrivateFile(passphrase, Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)) + "\n");
        await Step("init node1", ["init", "--dir", NodeDir(1), "--cluster", ClusterName, "--name", Name(1), "--subgroup", "sg01",
            .. AddressArgs(1), "--passphrase-file", passphrase]);
        Start(1);
        await WaitUntilUp(1, 1, ct);
        for (var i = 2; i <= Count; i++)
        {
            var candidate = await Step($"candidate node{i}", ["candidate", "--dir", NodeDir(i), "--name", Name(i), "--subgroup", "sg01", .. AddressArgs(i)]);
            var fingerprint = candidate.Split('\n').First(l => l.StartsWith("fingerprint: ", StringComparison.Ordinal))["fingerprint: ".Length..].Trim();
            var bundle = Path.Combine(_dir, "bundles", $"node{i}.json");
            Directory.CreateDirectory(Path.GetDirectoryName(bundle)!);
            await Step($"admit node{i}", ["admit", "--dir", NodeDir(1), "--csr", Path.Combine(NodeDir(i), "candidate.csr"),
                "--fingerprint", fingerprint, "--passphrase-file", passphrase, "--out", bundle]);
            // Joining talks to the cluster from the node's own address: inside its namespace.
            await Step($"join node{i}", ["join", "--dir", NodeDir(i), "--bundle", bundle, "--profile", "fast"], inNamespaceOf: i);
            Start(i);
            await WaitUntilUp(i, i, ct);
        }

        await Step("issue endpoint1", ["issue", "--dir", NodeDir(1), "--role", "endpoint", "--name", "endpoint1", "--out", PkiDir, "--passphrase-file", passphrase]);
        await Step("register endpoint1", ["endpoint", "add", "--dir", NodeDir(1), "--name", "endpoint1", "--cert", Path.Combine(PkiDir, "endpoint1.pem")]);
        File.Copy(Path.Combine(NodeDir(1), "tls", "ca.pem"), Path.Combine(PkiDir, "ca.pem"), overwrite: true);
        for (var i = 1; i <= Count; i++)
        {
            await WaitUntilEndpointKnown(i, "endpoint1", ct);
        }
    }

    /// <summary>The registration replicates like any write: the workload starts once every node knows the endpoint.</summary>
    private async Task WaitUntilEndpointKnown(int node, string endpoint, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < UpTimeout)
        {
            var access = await Control(node, "access");
            if (access.Ok && access.Data?["endpoints"]?.AsArray().Any(e => e?["name"]?.GetValue<string>() == endpoint) == true)
            {
                return;
            }

            await Task.Delay(250, ct);
        }

        throw new ChaosException($"{Name(node)} did not learn of {endpoint} within {UpTimeout.TotalSeconds:0}s");
    }

    private string[] AddressArgs(int node) =>
    [
        "--host", Host(node), "--port", Port(0, node), "--kmip-port", Port(100, node), "--management-port", Port(200, node), "--https-port", Port(300, node),
    ];

    private string Port(int offset, int node) => (_basePort + offset + node - 1).ToString(CultureInfo.InvariantCulture);

    /// <summary>The okv.dll beside this program, run by the same dotnet host.</summary>
    private static (string File, string[] Prefix) Okv()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "okv.dll");
        var host = Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
        return (host, [dll]);
    }

    private async Task<string> Step(string what, string[] args, int? inNamespaceOf = null)
    {
        _log.WriteLine($"okv-chaos: {what}");
        var (okv, okvPrefix) = Okv();
        var (file, prefix) = _lab is not null && inNamespaceOf is { } node ? _lab.Exec(node, okv, okvPrefix) : (okv, okvPrefix);
        var (exitCode, stdout, stderr) = await OkvProcess.RunToEnd(file, prefix, args);
        if (exitCode != 0)
        {
            throw new ChaosException($"{what} failed ({exitCode}): {stderr.Trim()}{stdout.Trim()}");
        }

        return stdout;
    }

    /// <summary>`okv run` on the node's directory (in its namespace), output appended to DIR/nodeN/node.log.</summary>
    public void Start(int node, double clockOffset = 0)
    {
        if (IsRunning(node))
        {
            throw new ChaosException($"{Name(node)} is already running (pid {Pid(node)})");
        }

        var (okv, okvPrefix) = Okv();
        var (file, prefix) = _lab is null ? (okv, okvPrefix) : _lab.Exec(node, okv, okvPrefix);
        string[] args = ["run", "--dir", NodeDir(node), "--profile", "fast",
            .. clockOffset != 0 ? new[] { "--clock-offset", clockOffset.ToString(CultureInfo.InvariantCulture) } : [],
            .. _extraConfig is null ? [] : new[] { "--config", _extraConfig }];
        _processes[node]?.Dispose();
        _processes[node] = OkvProcess.StartNode(file, prefix, args, Path.Combine(NodeDir(node), "node.log"));
        _log.WriteLine($"okv-chaos: {Name(node)} started (pid {_processes[node]!.Id}{(clockOffset != 0 ? $", clock {clockOffset:+0.0;-0.0}s" : "")})");
    }

    /// <summary>kill -9 and wait until the process is gone.</summary>
    public async Task Kill9(int node)
    {
        if (_processes[node] is { HasExited: false } process)
        {
            Signals.Send(process.Id, Signals.SigCont);
            Signals.Send(process.Id, Signals.SigKill);
            await process.WaitForExitAsync();
        }
    }

    public void Pause(int node)
    {
        if (Pid(node) is { } pid)
        {
            Signals.Send(pid, Signals.SigStop);
        }
    }

    public void Resume(int node)
    {
        if (Pid(node) is { } pid)
        {
            Signals.Send(pid, Signals.SigCont);
        }
    }

    /// <summary>A replaced disk: the node's durable replicas go; its identity, certificates and KEK stay.</summary>
    public void WipeStore(int node)
    {
        var store = new NodeDirectory(NodeDir(node)).StoreDir;
        if (Directory.Exists(store))
        {
            Directory.Delete(store, recursive: true);
        }

        Directory.CreateDirectory(store);
    }

    public Task<ControlResponse> Control(int node, string command, Dictionary<string, string>? args = null, TimeSpan? timeout = null) =>
        ControlClient.SendAsync(new NodeDirectory(NodeDir(node)).ControlSocket, new ControlRequest(command, args), timeout ?? TimeSpan.FromSeconds(15));

    /// <summary>The node that runs the controller, as <paramref name="asker"/> sees it (the oldest Up member).</summary>
    public async Task<int?> ControllerNode(int asker)
    {
        var status = await Control(asker, "status", timeout: TimeSpan.FromSeconds(5));
        var address = status.Data?["controller"]?.GetValue<string>();
        return Enumerable.Range(1, Count).Cast<int?>().FirstOrDefault(n => address is not null && address.StartsWith(Remoting(n!.Value), StringComparison.Ordinal));
    }

    /// <summary>Whether the node answers and sees every node Up and reachable.</summary>
    public async Task<bool> SeesAllUp(int node)
    {
        try
        {
            var status = await Control(node, "status", timeout: TimeSpan.FromSeconds(5));
            if (!status.Ok || status.Data is null || status.Data["selfStatus"]?.GetValue<string>() != "Up")
            {
                return false;
            }

            var members = status.Data["members"]!.AsArray().Select(m => m!.AsObject()).ToList();
            return members.Count(m => m["status"]!.GetValue<string>() == "Up" && m["reachable"]!.GetValue<bool>()) >= Count
                   && members.All(m => m["reachable"]!.GetValue<bool>());
        }
        catch (Exception e) when (e is ControlException or IOException or TimeoutException or OperationCanceledException)
        {
            return false;
        }
    }

    private async Task WaitUntilUp(int node, int expectedUp, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        var last = "no answer yet";
        while (deadline.Elapsed < UpTimeout)
        {
            ct.ThrowIfCancellationRequested();
            if (!IsRunning(node))
            {
                throw new ChaosException($"{Name(node)} exited with code {_processes[node]?.ExitCode}; see {Path.Combine(NodeDir(node), "node.log")}");
            }

            try
            {
                var status = await Control(node, "status", timeout: TimeSpan.FromSeconds(5));
                var up = status.Data?["members"]?.AsArray().Count(m => m!["status"]!.GetValue<string>() == "Up") ?? 0;
                // A node that has just joined opens its KMIP listener only after its first sync.
                var stage = new NodeDirectory(NodeDir(node)).ReadManifest().Stage;
                if (status.Data?["selfStatus"]?.GetValue<string>() == "Up" && up >= expectedUp && stage == NodeStage.Member)
                {
                    return;
                }

                last = $"{up} of {expectedUp} members Up, stage {stage}";
            }
            catch (Exception e) when (e is ControlException or IOException or TimeoutException)
            {
                last = e.Message;
            }

            await Task.Delay(250, ct);
        }

        throw new ChaosException($"{Name(node)} did not come Up within {UpTimeout.TotalSeconds:0}s ({last}); see {Path.Combine(NodeDir(node), "node.log")}");
    }

    /// <summary>SIGCONT, then SIGTERM to every node this cluster started; SIGKILL to those still running after 20 s.</summary>
    public async ValueTask DisposeAsync()
    {
        var running = _processes.Where(p => p is { HasExited: false }).Select(p => p!).ToList();
        foreach (var process in running)
        {
            Signals.Send(process.Id, Signals.SigCont);
            Signals.Send(process.Id, Signals.SigTerm);
        }

        foreach (var process in running)
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _log.WriteLine($"okv-chaos: pid {process.Id} did not stop within 20 s; killing it");
                Signals.Send(process.Id, Signals.SigKill);
            }
        }

        foreach (var process in _processes)
        {
            process?.Dispose();
        }
    }

    /// <summary>The node names a registry answer lists as active (admitted, not disabled or removed).</summary>
    public static IReadOnlyList<string> ActiveNodes(JsonNode? registry) =>
        registry?["nodes"] is JsonArray nodes
            ? nodes.Where(n => n?["state"]?.GetValue<string>() == "active").Select(n => n!["name"]!.GetValue<string>()).ToArray()
            : [];
}
