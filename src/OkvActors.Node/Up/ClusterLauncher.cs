using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using OkvActors.Cluster.Control;
using OkvActors.Cluster.Storage;
using OkvActors.Node.Cli;
using OkvActors.Node.Commands;

namespace OkvActors.Node.Up;

/// <summary>
/// `okv up`: a local cluster of N nodes on 127.0.0.1, each a separate OS process, formed through the
/// production flow (init, run; then per node candidate, admit, join, run), each step a child `okv`
/// process. Waits until every node is Up, writes DIR/cluster.json and stays until SIGTERM/Ctrl-C,
/// when it stops the nodes gracefully. Run again on the same DIR, it restarts the nodes with their data.
/// A shard count is recorded at init and reaches the other nodes through their bundles.
/// </summary>
public sealed class ClusterLauncher(string dir, int nodes, int? basePort, string profile, int maxNodes, TextWriter output, int? shardCount = null)
{
    private const string ClusterName = "okv";
    private const string Subgroup = "sg01";
    private static readonly TimeSpan UpTimeout = TimeSpan.FromSeconds(90);

    private readonly string _dir = Path.GetFullPath(dir);
    private readonly List<(string Name, Process Process)> _running = [];

    private string PkiDir => Path.Combine(_dir, "pki");

    private string PassphraseFile => Path.Combine(PkiDir, "recovery-passphrase");

    private string NodeDir(int i) => Path.Combine(_dir, $"node{i}");

    public NodeAddresses AddressesOf(int i) => basePort is { } p
        ? new NodeAddresses("127.0.0.1", p + i - 1, p + 100 + i - 1, p + 200 + i - 1, p + 300 + i - 1)
        : new NodeAddresses("127.0.0.1", 4053 + i - 1, 5696 + i - 1, 9110 + i - 1, 8443 + i - 1);

    public async Task<int> Run(CancellationToken stop)
    {
        if (nodes is < 1 or > 16)
        {
            throw new CliError($"--nodes must be between 1 and 16, not {nodes}");
        }

        Directory.CreateDirectory(_dir);
        try
        {
            var fresh = !new NodeDirectory(NodeDir(1)).HasManifest;
            if (fresh)
            {
                await Form(stop);
            }
            else
            {
                await Restart(stop);
            }

            var clusterFile = DescribeCluster();
            File.WriteAllText(Path.Combine(_dir, "cluster.json"), clusterFile.ToJson());
            PrintTable(clusterFile);
            output.WriteLine($"okv: cluster '{clusterFile.Cluster}' is up; cluster.json at {Path.Combine(_dir, "cluster.json")}. Ctrl-C stops it.");
            await WaitForStop(stop);
            return 0;
        }
        finally
        {
            await StopAll();
        }
    }

    private async Task Form(CancellationToken stop)
    {
        Directory.CreateDirectory(PkiDir);
        // A development cluster keeps its recovery passphrase beside it; production operators type theirs.
        OkvActors.Pki.Certificates.Pem.WritePrivateFile(PassphraseFile, Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)) + "\n");
        var first = AddressesOf(1);
        await Step("init node1", ["init", "--dir", NodeDir(1), "--cluster", ClusterName, "--name", "node1", "--subgroup", Subgroup,
            .. AddressArgs(first), "--passphrase-file", PassphraseFile, "--max-nodes", maxNodes.ToString(),
            .. shardCount is { } shards ? new[] { "--shard-count", shards.ToString() } : []]);
        Start(1);
        await WaitUntilUp(1, 1, stop);
        for (var i = 2; i <= nodes; i++)
        {
            var candidate = await Step($"candidate node{i}", ["candidate", "--dir", NodeDir(i), "--name", $"node{i}", "--subgroup", Subgroup,
                .. AddressArgs(AddressesOf(i))]);
            var fingerprint = candidate.Split('\n').First(l => l.StartsWith("fingerprint: ", StringComparison.Ordinal))["fingerprint: ".Length..].Trim();
            var bundle = Path.Combine(_dir, "bundles", $"node{i}.json");
            Directory.CreateDirectory(Path.GetDirectoryName(bundle)!);
            await Step($"admit node{i}", ["admit", "--dir", NodeDir(1), "--csr", Path.Combine(NodeDir(i), "candidate.csr"),
                "--fingerprint", fingerprint, "--passphrase-file", PassphraseFile, "--out", bundle]);
            await Step($"join node{i}", ["join", "--dir", NodeDir(i), "--bundle", bundle, "--profile", profile]);
            Start(i);
            await WaitUntilUp(i, i, stop);
        }

        foreach (var identity in new[] { ("endpoint", "endpoint1"), ("endpoint", "endpoint2"), ("operator", "operator") })
        {
            await Step($"issue {identity.Item2}", ["issue", "--dir", NodeDir(1), "--role", identity.Item1, "--name", identity.Item2,
                "--out", PkiDir, "--passphrase-file", PassphraseFile]);
            if (identity.Item1 == "endpoint")
            {
                // Registered as endpoints too, so their certificates reach the key store (each its private wallet).
                await Step($"register {identity.Item2}", ["endpoint", "add", "--dir", NodeDir(1), "--name", identity.Item2,
                    "--cert", Path.Combine(PkiDir, $"{identity.Item2}.pem")]);
            }
        }

        File.Copy(Path.Combine(NodeDir(1), "tls", "ca.pem"), Path.Combine(PkiDir, "ca.pem"), overwrite: true);
    }

    private async Task Restart(CancellationToken stop)
    {
        for (var i = 1; i <= nodes; i++)
        {
            if (!new NodeDirectory(NodeDir(i)).HasManifest)
            {
                throw new CliError($"{_dir} holds a cluster without node{i}; use a new --dir or the same --nodes as before");
            }

            Start(i);
        }

        for (var i = 1; i <= nodes; i++)
        {
            await WaitUntilUp(i, nodes, stop);
        }
    }

    private static string[] AddressArgs(NodeAddresses a) =>
    [
        "--host", a.Host, "--port", a.Port.ToString(), "--kmip-port", a.KmipPort.ToString(),
        "--management-port", a.ManagementPort.ToString(), "--https-port", a.HttpsPort.ToString(),
    ];

    private async Task<string> Step(string what, string[] args)
    {
        output.WriteLine($"okv: {what}");
        var (exitCode, stdout, stderr) = await OkvProcess.RunToEnd(args);
        if (exitCode != 0)
        {
            throw new CliError($"{what} failed ({exitCode}): {stderr.Trim()}{stdout.Trim()}");
        }

        return stdout;
    }

    private void Start(int i)
    {
        var log = Path.Combine(NodeDir(i), "node.log");
        var process = OkvProcess.StartNode(["run", "--dir", NodeDir(i), "--profile", profile], log);
        _running.Add(($"node{i}", process));
        output.WriteLine($"okv: node{i} started (pid {process.Id}, log {log})");
    }

    private async Task WaitUntilUp(int i, int expectedUp, CancellationToken stop)
    {
        var dir = new NodeDirectory(NodeDir(i));
        var deadline = DateTime.UtcNow + UpTimeout;
        string last = "no answer yet";
        while (DateTime.UtcNow < deadline)
        {
            stop.ThrowIfCancellationRequested();
            var process = _running.First(r => r.Name == $"node{i}").Process;
            if (process.HasExited)
            {
                throw new CliError($"node{i} exited with code {process.ExitCode}; see {Path.Combine(dir.Root, "node.log")}");
            }

            try
            {
                var status = await ControlClient.SendAsync(dir.ControlSocket, new ControlRequest("status"), TimeSpan.FromSeconds(5));
                var members = status.Data!["members"]!.AsArray();
                var up = members.Count(m => m!["status"]!.GetValue<string>() == "Up");
                // A node that has just joined serves endpoints only after its first sync: wait for it to be a member.
                var stage = dir.ReadManifest().Stage;
                if (status.Data["selfStatus"]!.GetValue<string>() == "Up" && up >= expectedUp && stage == NodeStage.Member)
                {
                    return;
                }

                last = $"{up} of {expectedUp} members Up, stage {stage}";
            }
            catch (ControlException e)
            {
                last = e.Message;
            }

            await Task.Delay(250, stop);
        }

        throw new CliError($"node{i} did not come Up within {UpTimeout.TotalSeconds:0}s ({last}); see {Path.Combine(dir.Root, "node.log")}");
    }

    private ClusterFile DescribeCluster()
    {
        var list = new List<ClusterFileNode>();
        string cluster = ClusterName;
        for (var i = 1; i <= nodes; i++)
        {
            var manifest = new NodeDirectory(NodeDir(i)).ReadManifest();
            cluster = manifest.Cluster!;
            var process = _running.First(r => r.Name == $"node{i}").Process;
            list.Add(new ClusterFileNode(manifest.Name, manifest.Subgroup, process.Id, manifest.RemotingAddress(cluster),
                $"{manifest.Host}:{manifest.KmipPort}", $"{manifest.Host}:{manifest.ManagementPort}", $"{manifest.Host}:{manifest.HttpsPort}",
                NodeDir(i)));
        }

        ClusterFileIdentity Identity(string name) =>
            new(name, Path.Combine(PkiDir, $"{name}.pem"), Path.Combine(PkiDir, $"{name}.key"));
        return new ClusterFile(cluster, list,
            new ClusterFilePki(Path.Combine(PkiDir, "ca.pem"), [Identity("endpoint1"), Identity("endpoint2")], Identity("operator")));
    }

    private void PrintTable(ClusterFile file)
    {
        output.WriteLine();
        output.WriteLine($"{"NODE",-8} {"SUBGROUP",-9} {"PID",-8} {"REMOTING",-36} {"KMIP",-16} {"MANAGEMENT",-16} {"HTTPS",-16}");
        foreach (var n in file.Nodes)
        {
            output.WriteLine($"{n.Name,-8} {n.Subgroup,-9} {n.Pid,-8} {n.Remoting,-36} {n.Kmip,-16} {n.Management,-16} {n.Https,-16}");
        }

        output.WriteLine();
    }

    private async Task WaitForStop(CancellationToken stop)
    {
        var reported = new HashSet<string>();
        while (!stop.IsCancellationRequested)
        {
            foreach (var (name, process) in _running.Where(r => r.Process.HasExited && reported.Add(r.Name)))
            {
                output.WriteLine($"okv: {name} (pid {process.Id}) exited with code {process.ExitCode}");
            }

            try
            {
                await Task.Delay(500, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task StopAll()
    {
        foreach (var (_, process) in _running.Where(r => !r.Process.HasExited))
        {
            OkvProcess.Terminate(process);
        }

        foreach (var (name, process) in _running)
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                output.WriteLine($"okv: {name} did not stop within 30 s; killing it");
                process.Kill();
            }
        }

        if (_running.Count > 0)
        {
            output.WriteLine("okv: all nodes stopped");
        }
    }
}

/// <summary>Starts this same `okv` program as a child process.</summary>
public static class OkvProcess
{
    [DllImport("libc", SetLastError = true, EntryPoint = "kill")]
    private static extern int SysKill(int pid, int signal);

    private const int SigTerm = 15;

    /// <summary>The command that runs this program: the apphost, or `dotnet okv.dll`.</summary>
    public static (string File, string[] Prefix) Self()
    {
        var processPath = Environment.ProcessPath!;
        var isDotnetHost = Path.GetFileNameWithoutExtension(processPath).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        return isDotnetHost ? (processPath, [typeof(OkvProcess).Assembly.Location]) : (processPath, []);
    }

    public static Task<(int ExitCode, string Stdout, string Stderr)> RunToEnd(string[] args)
    {
        var (file, prefix) = Self();
        return RunToEnd(file, prefix, args);
    }

    /// <summary>Runs <paramref name="file"/> with <paramref name="prefix"/> then <paramref name="args"/> and collects its output.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunToEnd(string file, IEnumerable<string> prefix, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in prefix.Concat(args))
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }


    /// <summary>
    /// Runtime settings of a node process that .NET reads only from the environment, so they cannot be in okv's
    /// runtimeconfig. Every launcher of ours starts nodes with them; an operator's own value wins; `okv status`
    /// shows the effect (<c>gcGen0MaxBudgetBytes</c>). Operators who start `okv run` themselves set them the same way.
    /// <list type="bullet">
    /// <item><c>DOTNET_GCgen0size</c> 16 MiB: where the CPU's cache size is hidden (this machine's VM, among others),
    /// the workstation GC budgets gen0 between 256 KiB and 6 MiB, and a node loading objects collected ~11 times a
    /// second, each collection scanning the replica's old generation for references into gen0: 240 collections and
    /// 2.3–3.7 s paused per node in a 100k load. With 16 MiB, ~95 and 1.6 s (tests/OkvActors.Benchmarks/RESULTS.md).</item>
    /// </list>
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> NodeRuntimeEnvironment = new Dictionary<string, string>
    {
        ["DOTNET_GCgen0size"] = "0x1000000",
    };

    /// <summary>Starts this program's `okv run` with <see cref="NodeRuntimeEnvironment"/>, detached (<see cref="StartDetached"/>).</summary>
    public static Process StartNode(string[] args, string logFile)
    {
        var (file, prefix) = Self();
        return StartNode(file, prefix, args, logFile);
    }

    /// <summary>The same for an okv found elsewhere, or run inside a lab's namespace (<paramref name="file"/> and <paramref name="prefix"/>).</summary>
    public static Process StartNode(string file, IEnumerable<string> prefix, string[] args, string logFile) =>
        StartDetached(file, prefix, args, logFile, NodeRuntimeEnvironment);

    /// <summary>
    /// Starts a long-running child (<paramref name="file"/> run with <paramref name="prefix"/> before the arguments) with
    /// stdout and stderr appended to a log file by the shell, so the child never depends on this process to drain its
    /// output (it survives a kill -9 of `okv up`). `exec` keeps the pid the child's own, so kill -9 of that pid is a real
    /// crash. <paramref name="environment"/> is added where this process's environment does not already set it.
    /// </summary>
    public static Process StartDetached(string file, IEnumerable<string> prefix, string[] args, string logFile,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec \"$0\" \"$@\" >>\"$OKV_LOG_FILE\" 2>&1");
        info.ArgumentList.Add(file);
        foreach (var a in prefix.Concat(args))
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["OKV_LOG_FILE"] = logFile;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment.TryAdd(name, value);
        }

        return Process.Start(info) ?? throw new CliError($"could not start {file} {args.FirstOrDefault()}");
    }

    public static void Terminate(Process process) => SysKill(process.Id, SigTerm);
}
