using System.Diagnostics;
using OkvActors.KmipLoad;
using OkvActors.Lab.Report;
using OkvActors.LoadGen;

namespace OkvActors.Lab.Scenarios;

/// <summary>
/// How the cluster grows (issue #7): for each size, a fresh cluster formed from nothing by `okv up`, timed until it has
/// written cluster.json (every node admitted and Up); each member's idle CPU and memory once settled; KMIP Create from
/// <see cref="Clients"/> clients spread over its nodes; then the convergence probe. One size at a time, each cluster
/// stopped before the next, beside the lab's own 3-node cluster (idle meanwhile), on ports of their own.
/// </summary>
public sealed class ClusterGrowth(LabOptions options, TextWriter log)
{
    public const int Clients = 8;

    /// <summary>Ports of the growth clusters, above the lab's 3-node cluster, pykmip-server and etcd (okv up takes base..base+315).</summary>
    public const int PortOffset = 700;

    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan IdleWindow = TimeSpan.FromSeconds(10);

    public async Task<GrowthResult> Run(int nodes, string dir, CancellationToken ct)
    {
        log.WriteLine($"okv-lab: {DateTime.UtcNow:HH:mm:ss} growth: `okv up` of {nodes} nodes");
        var clock = Stopwatch.StartNew();
        await using var cluster = await ClusterUnderTest.Start(dir, nodes, options.BasePort + PortOffset, null, log, ct);
        var formed = clock.Elapsed.TotalSeconds;

        await Task.Delay(Settle, ct);
        var pids = new List<int>();
        foreach (var node in cluster.Nodes)
        {
            pids.Add(await cluster.Pid(node));
        }

        var before = pids.Select(ProcessStats.CpuTime).ToArray();
        var window = Stopwatch.StartNew();
        await Task.Delay(IdleWindow, ct);
        var cpu = pids.Select((pid, i) => (ProcessStats.CpuTime(pid) - before[i]).TotalSeconds / window.Elapsed.TotalSeconds * 100).ToArray();
        var rss = pids.Select(pid => ProcessStats.Memory(pid).Rss).ToArray();

        var endpoint = cluster.File.Pki.Endpoints[0];
        var create = await new KmipMacro(options, log).RunOne(Systems.Okv, cluster.File.Nodes.Select(n => n.Kmip).ToArray(), LoadOperation.Create, Clients,
            endpoint.Cert, endpoint.Key, cluster.File.Pki.Ca, ct);
        var convergence = await new Convergence(options, log).Okv(cluster, ct);
        var result = new GrowthResult(nodes, Math.Round(formed, 1), Math.Round(cpu.Average(), 2), Math.Round(cpu.Max(), 2), (long)rss.Average(), create, convergence);
        log.WriteLine($"okv-lab:   {nodes} nodes: formed in {result.FormationSeconds:0.0} s, idle CPU per node {result.IdleCpuMeanPercent:0.0}% (max {result.IdleCpuMaxPercent:0.0}%), " +
            $"RSS {result.RssMeanBytes / 1048576.0:0} MiB, Create p50 {create.P50Ms:0.0} ms p99 {create.P99Ms:0.0} ms, convergence p99 {convergence.P99Ms:0.0} ms");
        return result;
    }
}
