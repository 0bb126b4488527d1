using System.Diagnostics;
using OkvActors.KmipLoad;
using OkvActors.Lab.Peers;
using OkvActors.Lab.Report;
using OkvActors.LoadGen;

namespace OkvActors.Lab.Scenarios;

/// <summary>
/// Convergence: one write at a time on the first member, then each other member polled with local reads (no quorum)
/// until it holds the write; the time from sending the write to its being on every member, 50 ms between samples.
/// </summary>
public sealed class Convergence(LabOptions options, TextWriter log)
{
    private static readonly TimeSpan GiveUp = TimeSpan.FromSeconds(30);

    /// <summary>OkvActors through the nodes' control sockets: key-create on node1, key-get freshness=local elsewhere (okv-load's visibility probe).</summary>
    public async Task<ConvergenceResult> Okv(ClusterUnderTest cluster, CancellationToken ct)
    {
        var nodes = cluster.Nodes;
        log.WriteLine($"okv-lab: {DateTime.UtcNow:HH:mm:ss} convergence: OkvActors, {options.ConvergenceSamples} writes on {nodes[0]}");
        var visible = new List<double>();
        var never = 0;
        for (var i = 0; i < options.ConvergenceSamples; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var created = await cluster.TryControl(nodes[0], "key-create", new() { ["name"] = $"lab-converge-{Guid.NewGuid():N}" });
            if (!created.Ok)
            {
                never++;
                continue;
            }

            var uid = created.Data!["uid"]!.GetValue<string>();
            var seen = await Task.WhenAll(nodes.Skip(1).Select(async node =>
            {
                while (Stopwatch.GetElapsedTime(start) < GiveUp)
                {
                    if ((await cluster.TryControl(node, "key-get", new() { ["uid"] = uid, ["freshness"] = "local" })).Ok)
                    {
                        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    }

                    await Task.Delay(1, ct);
                }

                return (double?)null;
            }));
            Record(seen, visible, ref never);
            await Task.Delay(50, ct);
        }

        return Summarise(Systems.Okv, visible, never, "control socket: key-create on node1 (majority write) until key-get freshness=local succeeds on node2 and node3");
    }

    /// <summary>etcd: put on member 1 over the gateway, serializable range on the others.</summary>
    public async Task<ConvergenceResult> Etcd(EtcdCluster etcd, CancellationToken ct)
    {
        log.WriteLine($"okv-lab: {DateTime.UtcNow:HH:mm:ss} convergence: etcd, {options.ConvergenceSamples} puts on {etcd.Name(0)}");
        using var client = new EtcdClient(8);
        var value = new byte[options.ValueBytes];
        var visible = new List<double>();
        var never = 0;
        var run = Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < options.ConvergenceSamples; i++)
        {
            var key = $"converge/{run}/{i}";
            var start = Stopwatch.GetTimestamp();
            await client.Put(etcd.Endpoint(0), key, value, ct);
            var seen = await Task.WhenAll(Enumerable.Range(1, etcd.Count - 1).Select(async m =>
            {
                while (Stopwatch.GetElapsedTime(start) < GiveUp)
                {
                    if (await client.Has(etcd.Endpoint(m), key, serializable: true, ct))
                    {
                        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    }

                    await Task.Delay(1, ct);
                }

                return (double?)null;
            }));
            Record(seen, visible, ref never);
            await Task.Delay(50, ct);
        }

        return Summarise(Systems.Etcd, visible, never, "HTTP gateway: put on etcd1 until a serializable range finds it on etcd2 and etcd3");
    }

    private static void Record(double?[] seen, List<double> visible, ref int never)
    {
        if (seen.Any(s => s is null))
        {
            never++;
        }
        else
        {
            visible.Add(seen.Max(s => s!.Value));
        }
    }

    private ConvergenceResult Summarise(string system, List<double> visible, int never, string how)
    {
        var s = LatencyStats.Summarise(system, visible, never, 1);
        log.WriteLine($"okv-lab:   {system}: p50 {s.P50Ms:0.0} ms  p99 {s.P99Ms:0.0} ms  max {s.MaxMs:0.0} ms  never seen {never}");
        return new ConvergenceResult(system, visible.Count + never, never, Math.Round(s.P50Ms, 2), Math.Round(s.P99Ms, 2), Math.Round(s.MaxMs, 2), how);
    }
}
