using System.Diagnostics;
using System.Globalization;

namespace OkvActors.Chaos.Lab;

/// <summary>
/// One network namespace per node (iproute2), joined by veth pairs to a bridge in the host namespace, so that a
/// partition between two nodes on one machine is real: each side's kernel drops the other's packets (a blackhole
/// route each way), the TCP connections stall, and the failure detector sees a silent peer. Everything is named
/// okvchaos{lab}…, is removed on <see cref="Dispose"/>, and leftovers of an earlier run of the same lab (one that was
/// killed) are removed, with the processes still inside them, before anything is created.
/// </summary>
public sealed class NetworkLab : IDisposable
{
    private readonly int _lab;
    private readonly int _nodes;
    private readonly Dictionary<(int, int), int> _cuts = [];
    private readonly TextWriter _log;
    private bool _created;

    public NetworkLab(int lab, int nodes, TextWriter log)
    {
        if (lab is < 0 or > 99)
        {
            throw new ArgumentOutOfRangeException(nameof(lab), lab, "the lab number must be 0..99");
        }

        _lab = lab;
        _nodes = nodes;
        _log = log;
    }

    public string Prefix => $"okvchaos{_lab}";

    public string Namespace(int node) => $"{Prefix}n{node}";

    public string Address(int node) => $"10.231.{_lab}.{node}";

    private string Bridge => $"{Prefix}br";

    private string HostAddress => $"10.231.{_lab}.254";

    /// <summary>Network namespaces need root and iproute2; without them a run has no partitions.</summary>
    public static bool Available(out string why)
    {
        if (!OperatingSystem.IsLinux())
        {
            why = "network namespaces need Linux";
            return false;
        }

        if (Environment.UserName != "root")
        {
            why = "network namespaces need root";
            return false;
        }

        if (!File.Exists("/usr/sbin/ip") && !File.Exists("/sbin/ip") && !File.Exists("/usr/bin/ip"))
        {
            why = "iproute2 (ip) is not installed";
            return false;
        }

        why = "";
        return true;
    }

    public void Create()
    {
        RemoveLeftovers();
        _created = true;
        Ip($"link add {Bridge} type bridge");
        Ip($"addr add {HostAddress}/24 dev {Bridge}");
        Ip($"link set {Bridge} up");
        for (var i = 1; i <= _nodes; i++)
        {
            var ns = Namespace(i);
            Ip($"netns add {ns}");
            Ip($"link add {Prefix}h{i} type veth peer name {Prefix}p{i}");
            Ip($"link set {Prefix}p{i} netns {ns}");
            Ip($"link set {Prefix}h{i} master {Bridge}");
            Ip($"link set {Prefix}h{i} up");
            Ip($"-n {ns} link set lo up");
            Ip($"-n {ns} addr add {Address(i)}/24 dev {Prefix}p{i}");
            Ip($"-n {ns} link set {Prefix}p{i} up");
        }

        _log.WriteLine($"okv-chaos: network lab {Prefix}: {_nodes} namespaces on bridge {Bridge} ({HostAddress}/24)");
    }

    /// <summary>Cuts every link between <paramref name="side"/> and the other nodes. Cuts nest: a link stays cut until every partition that cut it healed.</summary>
    public void Partition(IReadOnlyCollection<int> side) => ForEachLink(side, +1);

    public void Heal(IReadOnlyCollection<int> side) => ForEachLink(side, -1);

    private void ForEachLink(IReadOnlyCollection<int> side, int delta)
    {
        foreach (var a in side)
        {
            foreach (var b in Enumerable.Range(1, _nodes).Where(n => !side.Contains(n)))
            {
                var link = (Math.Min(a, b), Math.Max(a, b));
                var before = _cuts.GetValueOrDefault(link);
                var after = Math.Max(0, before + delta);
                _cuts[link] = after;
                if (before == 0 && after == 1)
                {
                    Ip($"-n {Namespace(a)} route add blackhole {Address(b)}/32");
                    Ip($"-n {Namespace(b)} route add blackhole {Address(a)}/32");
                }
                else if (before == 1 && after == 0)
                {
                    Ip($"-n {Namespace(a)} route del blackhole {Address(b)}/32");
                    Ip($"-n {Namespace(b)} route del blackhole {Address(a)}/32");
                }
            }
        }
    }

    /// <summary>The command that runs a program inside a node's namespace (`ip netns exec` execs it: the pid stays the program's).</summary>
    public (string File, string[] Prefix) Exec(int node, string file, IEnumerable<string> prefix) =>
        (IpPath, ["netns", "exec", Namespace(node), file, .. prefix]);

    public void Dispose()
    {
        if (_created)
        {
            RemoveLeftovers();
            _created = false;
            _log.WriteLine($"okv-chaos: network lab {Prefix} removed");
        }
    }

    /// <summary>Namespaces (and processes left inside them), the bridge and host-side veths of this lab, from any earlier run.</summary>
    private void RemoveLeftovers()
    {
        var (_, namespaces) = Run("netns list", check: false);
        foreach (var ns in namespaces.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                     .Select(l => l.Split(' ')[0])
                     .Where(n => n.StartsWith(Prefix + "n", StringComparison.Ordinal) && int.TryParse(n[(Prefix.Length + 1)..], out _)))
        {
            var (_, pids) = Run($"netns pids {ns}", check: false);
            foreach (var pid in pids.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p.Trim(), CultureInfo.InvariantCulture)))
            {
                _log.WriteLine($"okv-chaos: killing pid {pid}, left in namespace {ns} by an earlier run");
                Signals.Send(pid, Signals.SigCont);
                Signals.Send(pid, Signals.SigKill);
            }

            Run($"netns del {ns}", check: false);
        }

        var (_, links) = Run("-o link show", check: false);
        foreach (var name in links.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                     .Select(l => l.Split(':', 3)[1].Trim().Split('@')[0])
                     .Where(n => n == Bridge || (n.StartsWith(Prefix + "h", StringComparison.Ordinal) && int.TryParse(n[(Prefix.Length + 1)..], out _))))
        {
            Run($"link del {name}", check: false);
        }
    }

    private static string IpPath => new[] { "/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip" }.FirstOrDefault(File.Exists) ?? "ip";

    private static void Ip(string args) => Run(args, check: true);

    private static (int Exit, string Output) Run(string args, bool check)
    {
        var info = new ProcessStartInfo(IpPath) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (check && process.ExitCode != 0)
        {
            throw new ChaosException($"ip {args} failed ({process.ExitCode}): {error.Trim()}");
        }

        return (process.ExitCode, output);
    }
}
