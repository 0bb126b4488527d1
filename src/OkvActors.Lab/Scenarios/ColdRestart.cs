using System.Diagnostics;
using OkvActors.Lab.Peers;
using OkvActors.Lab.Report;
using OkvActors.LoadGen;

namespace OkvActors.Lab.Scenarios;

/// <summary>
/// A power cut (issue #7, "recovery time after a cold restart"): every member of a loaded system killed -9 at once,
/// every member restarted from its own disk, each timed until it serves again; then its memory.
/// OkvActors serves again when a node is in normal mode with every shard's digest as before the kill (every object
/// back, okv-load's check); etcd when a member has a leader and serves a serializable (local) read of a key
/// acknowledged just before the kill.
/// </summary>
public sealed class ColdRestart(TextWriter log)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    public async Task<RecoveryResult> Okv(ClusterUnderTest cluster, CancellationToken ct)
    {
        var (objects, serving) = await cluster.ColdRestart(Timeout, what => log.WriteLine($"okv-lab: {DateTime.UtcNow:HH:mm:ss} {what}"), ct);
        var memory = new List<NodeMemory>();
        foreach (var node in cluster.Nodes.Where(n => !double.IsNaN(serving[n])))
        {
            memory.Add(NodeMemory.Of(node, await cluster.Pid(node)));
        }

        return Done(new RecoveryResult(Systems.Okv, objects, serving.ToDictionary(s => s.Key, s => double.IsNaN(s.Value) ? (double?)null : Math.Round(s.Value, 2)), memory,
            "kill -9 of every node, all restarted from their SQLite stores; serving = normal mode with every shard's digest as before the kill"));
    }

    public async Task<RecoveryResult> Etcd(EtcdCluster etcd, EtcdClient client, long records, CancellationToken ct)
    {
        var marker = $"cold-restart/{Guid.NewGuid():N}";
        await client.Put(etcd.Endpoint(0), marker, new byte[16], ct);
        log.WriteLine($"okv-lab: {DateTime.UtcNow:HH:mm:ss} cold restart: kill -9 of all {etcd.Count} etcd members at once ({records:N0} records), then every member restarted");
        var members = Enumerable.Range(0, etcd.Count).ToArray();
        foreach (var i in members)
        {
            etcd.Kill9(i);
        }

        var sinceRestart = Stopwatch.StartNew();
        foreach (var i in members)
        {
            etcd.StartMember(i, "existing");
        }

        var serving = new Dictionary<string, double?>();
        while (serving.Count < members.Length && sinceRestart.Elapsed < Timeout)
        {
            foreach (var i in members.Where(i => !serving.ContainsKey(etcd.Name(i))))
            {
                try
                {
                    if ((await client.Status(etcd.Endpoint(i), ct)).Leader != "0" && await client.Has(etcd.Endpoint(i), marker, serializable: true, ct))
                    {
                        serving[etcd.Name(i)] = Math.Round(sinceRestart.Elapsed.TotalSeconds, 2);
                        log.WriteLine($"okv-lab:   {etcd.Name(i)} serving {serving[etcd.Name(i)]:0.0} s after the restart");
                    }
                }
                catch (Exception e) when (e is HttpRequestException or EtcdException or TaskCanceledException)
                {
                    // Not listening yet, or replaying its log.
                }
            }

            await Task.Delay(100, ct);
        }

        foreach (var i in members.Where(i => !serving.ContainsKey(etcd.Name(i))))
        {
            serving[etcd.Name(i)] = null;
        }

        var memory = members.Where(i => serving[etcd.Name(i)] is not null).Select(i => NodeMemory.Of(etcd.Name(i), etcd.Pid(i))).ToList();
        return Done(new RecoveryResult(Systems.Etcd, records, serving, memory,
            "kill -9 of every member, all restarted from their data directories; serving = a leader known and a serializable read of a key put just before the kill"));
    }

    private RecoveryResult Done(RecoveryResult result)
    {
        log.WriteLine($"okv-lab:   {result.System}: every member serving after {(result.AllServingSeconds is { } s ? $"{s:0.0} s" : "NOT ALL BACK")}; " +
            $"RSS {string.Join(", ", result.MembersAfter.Select(m => $"{m.Name} {m.RssBytes / 1048576.0:0} MiB"))}");
        return result;
    }
}
