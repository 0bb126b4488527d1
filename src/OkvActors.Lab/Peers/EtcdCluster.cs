using System.Diagnostics;
using System.Globalization;
using OkvActors.LoadGen;
using OkvActors.Node.Up;

namespace OkvActors.Lab.Peers;

/// <summary>
/// A 3-member etcd cluster (Debian's etcd-server) on loopback, each member its own process with its own data
/// directory and log. Plain HTTP: the gateway is measured without TLS, which favours etcd.
/// </summary>
public sealed class EtcdCluster : IAsyncDisposable
{
    public const string Binary = "/usr/bin/etcd";
    private readonly string _root;
    private readonly int _basePort;
    private readonly Process?[] _members;
    private readonly TextWriter _log;

    private EtcdCluster(string root, int basePort, int members, TextWriter log)
    {
        _root = root;
        _basePort = basePort;
        _members = new Process?[members];
        _log = log;
    }

    public int Count => _members.Length;

    public IReadOnlyList<string> Endpoints => Enumerable.Range(0, Count).Select(Endpoint).ToArray();

    public string Endpoint(int i) => $"127.0.0.1:{ClientPort(i)}";

    public string Name(int i) => $"etcd{i + 1}";

    private int ClientPort(int i) => _basePort + i;

    private int PeerPort(int i) => _basePort + 10 + i;

    /// <summary>Clients on base..base+2, peers on base+10..base+12.</summary>
    public static async Task<EtcdCluster> Start(string root, int basePort, EtcdClient client, TextWriter log, CancellationToken ct)
    {
        if (!File.Exists(Binary))
        {
            throw new LabException($"{Binary} is missing: install Debian's etcd-server (apt-get install -y etcd-server)");
        }

        Directory.CreateDirectory(root);
        var cluster = new EtcdCluster(Path.GetFullPath(root), basePort, 3, log);
        for (var i = 0; i < cluster.Count; i++)
        {
            cluster.StartMember(i, "new");
        }

        await cluster.WaitServing(Enumerable.Range(0, cluster.Count), client, TimeSpan.FromMinutes(2), ct);
        return cluster;
    }

    public void StartMember(int i, string state)
    {
        var initial = string.Join(',', Enumerable.Range(0, Count).Select(m => $"{Name(m)}=http://127.0.0.1:{PeerPort(m)}"));
        string[] args =
        [
            "--name", Name(i), "--data-dir", Path.Combine(_root, Name(i)),
            "--listen-client-urls", $"http://127.0.0.1:{ClientPort(i)}", "--advertise-client-urls", $"http://127.0.0.1:{ClientPort(i)}",
            "--listen-peer-urls", $"http://127.0.0.1:{PeerPort(i)}", "--initial-advertise-peer-urls", $"http://127.0.0.1:{PeerPort(i)}",
            "--initial-cluster", initial, "--initial-cluster-token", "okv-lab", "--initial-cluster-state", state,
            "--logger", "zap", "--log-level", "warn",
        ];
        _members[i] = OkvProcess.StartDetached(Binary, [], args, Path.Combine(_root, $"{Name(i)}.log"));
        _log.WriteLine($"okv-lab: {Name(i)} started (pid {_members[i]!.Id}), client {Endpoint(i)}");
    }

    /// <summary>Until every given member answers a status with a known leader.</summary>
    public async Task WaitServing(IEnumerable<int> members, EtcdClient client, TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        foreach (var i in members)
        {
            while (true)
            {
                try
                {
                    var (_, leader) = await client.Status(Endpoint(i), ct);
                    if (leader != "0")
                    {
                        break;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or EtcdException or TaskCanceledException)
                {
                    // Not listening yet, or no leader elected.
                }

                if (clock.Elapsed > timeout)
                {
                    throw new LabException($"{Name(i)} did not serve within {timeout.TotalSeconds:0} s; see {Path.Combine(_root, $"{Name(i)}.log")}");
                }

                await Task.Delay(100, ct);
            }
        }
    }

    /// <summary>The index of the member that is the leader, as member 0 (or any member that answers) sees it.</summary>
    public async Task<int> Leader(EtcdClient client, CancellationToken ct)
    {
        var ids = new string[Count];
        for (var i = 0; i < Count; i++)
        {
            (ids[i], _) = await client.Status(Endpoint(i), ct);
        }

        var (_, leader) = await client.Status(Endpoint(0), ct);
        var index = Array.IndexOf(ids, leader);
        return index >= 0 ? index : throw new LabException($"etcd leader {leader} is none of the members {string.Join(',', ids)}");
    }

    public int Pid(int i) => _members[i]?.Id ?? throw new LabException($"{Name(i)} is not running");

    public void Kill9(int i)
    {
        ClusterUnderTest.Kill9(Pid(i));
        _members[i]!.WaitForExit();
        _members[i]!.Dispose();
        _members[i] = null;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var member in _members.Where(m => m is { HasExited: false }))
        {
            OkvProcess.Terminate(member!);
        }

        foreach (var member in _members.OfType<Process>())
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await member.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                ClusterUnderTest.Kill9(member.Id);
            }

            member.Dispose();
        }

        _log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"okv-lab: etcd stopped"));
    }
}
