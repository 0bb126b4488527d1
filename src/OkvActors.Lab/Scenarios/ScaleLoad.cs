using System.Diagnostics;
using System.Text.Json;
using OkvActors.Cluster.Control;
using OkvActors.Cluster.Load;
using OkvActors.Lab.Peers;
using OkvActors.Lab.Report;
using OkvActors.LoadGen;

namespace OkvActors.Lab.Scenarios;

/// <summary>
/// Scale: N records loaded into each system (OkvActors through every node's own
/// KeyManager, okv-load's control command `load`; etcd by 64 closed-loop puts of one record's size), then
/// each member's resident memory. The lab's own clusters get <see cref="LabOptions.Objects"/> before their convergence
/// and kill phases; fresh clusters get <see cref="LabOptions.LargeObjects"/>.
/// </summary>
public sealed class ScaleLoad(LabOptions options, TextWriter log)
{
    private const int Concurrency = 64;

    public async Task<ScaleResult> Okv(ClusterUnderTest cluster, int objects, CancellationToken ct)
    {
        var nodes = cluster.Nodes;
        log.WriteLine($"okv-lab: {DateTime.UtcNow:HH:mm:ss} scale: OkvActors, {objects:N0} creations spread over {nodes.Count} nodes");
        var share = objects / nodes.Count;
        var clock = Stopwatch.StartNew();
        var results = await Task.WhenAll(nodes.Select(async (node, i) =>
        {
            var request = new LoadRequest(i == 0 ? objects - share * (nodes.Count - 1) : share, Concurrency, null, $"lab-{node}");
            var data = await cluster.Control(node, "load", request.ToArgs(), TimeSpan.FromMinutes(30));
            return data.Deserialize<LoadResult>(ControlJson.Options) ?? throw new LabException($"{node} answered load without figures");
        }));
        var seconds = clock.Elapsed.TotalSeconds;
        var memory = new List<NodeMemory>();
        foreach (var node in nodes)
        {
            memory.Add(NodeMemory.Of(node, await cluster.Pid(node)));
        }

        return Done(new ScaleResult(Systems.Okv, objects, results.Sum(r => r.Acknowledged), results.Sum(r => r.Failed + r.TimedOut),
            Math.Round(seconds, 2), Math.Round(results.Sum(r => r.Acknowledged) / seconds, 1), memory,
            $"control `load` on each node, {Concurrency} in flight per node, majority-acknowledged"));
    }

    public async Task<ScaleResult> Etcd(EtcdCluster etcd, int objects, CancellationToken ct)
    {
        log.WriteLine($"okv-lab: {DateTime.UtcNow:HH:mm:ss} scale: etcd, {objects:N0} puts of {options.ValueBytes} bytes");
        using var client = new EtcdClient(Concurrency);
        var value = new byte[options.ValueBytes];
        var next = -1;
        var acknowledged = 0;
        var failed = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(w => Task.Run(async () =>
        {
            for (var n = Interlocked.Increment(ref next); n < objects; n = Interlocked.Increment(ref next))
            {
                try
                {
                    await client.Put(etcd.Endpoint(w % etcd.Count), $"scale/{n:D8}", value, ct);
                    Interlocked.Increment(ref acknowledged);
                }
                catch (Exception e) when (e is HttpRequestException or EtcdException or TaskCanceledException)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        }, ct)));
        var seconds = clock.Elapsed.TotalSeconds;
        var memory = Enumerable.Range(0, etcd.Count).Select(i => NodeMemory.Of(etcd.Name(i), etcd.Pid(i))).ToList();
        return Done(new ScaleResult(Systems.Etcd, objects, acknowledged, failed, Math.Round(seconds, 2), Math.Round(acknowledged / seconds, 1), memory,
            $"HTTP gateway puts, {Concurrency} in flight over the 3 members"));
    }

    private ScaleResult Done(ScaleResult result)
    {
        log.WriteLine($"okv-lab:   {result.System}: {result.Acknowledged:N0} in {result.Seconds:0.0} s ({result.PerSecond:0}/s), {result.Failed} failed; " +
            $"RSS {string.Join(", ", result.Members.Select(m => $"{m.Name} {m.RssBytes / 1048576.0:0} MiB"))}");
        return result;
    }
}
