using System.Diagnostics;
using OkvActors.Chaos.Faults;
using OkvActors.Chaos.History;
using OkvActors.Chaos.Lab;
using OkvActors.Chaos.Workload;
using OkvActors.Cluster.Control;
using OkvActors.Kmip.Protocol;
using OkvActors.KmipLoad;

namespace OkvActors.Chaos.Checks;

/// <summary>
/// Reads the healed cluster for the checks: waits until every node sees every node Up and reachable and every
/// replica's per-shard digests are equal (or the timeout passes), then reads each replica's digests and UIDs, each
/// acknowledged object's final state and material, the controller's registry, and scans every node's files.
/// </summary>
public sealed class FinalReader(ChaosCluster cluster, TlsIdentity identity, TextWriter log)
{
    public async Task<Observations> Read(IReadOnlyList<ClientOperation> history, SecretBook secrets, FaultInjector injector, TimeSpan convergeTimeout)
    {
        var clock = Stopwatch.StartNew();
        var nodes = Enumerable.Range(1, cluster.Count).ToArray();
        while (clock.Elapsed < convergeTimeout && !(await Task.WhenAll(nodes.Select(cluster.SeesAllUp))).All(up => up))
        {
            injector.RestartExited();
            await Task.Delay(1000);
        }

        log.WriteLine($"okv-chaos: membership healed after {clock.Elapsed.TotalSeconds:F1}s");
        var converged = false;
        var replicas = new Dictionary<int, Dictionary<string, string>>();
        while (clock.Elapsed < convergeTimeout)
        {
            foreach (var node in nodes)
            {
                replicas[node] = await Digests(node);
            }

            if (replicas.Values.All(r => r.Count > 0 && r.Count == replicas[1].Count && r.All(kv => replicas[1].GetValueOrDefault(kv.Key) == kv.Value)))
            {
                converged = true;
                break;
            }

            await Task.Delay(2000);
        }

        log.WriteLine(converged
            ? $"okv-chaos: replicas equal {clock.Elapsed.TotalSeconds:F1}s after the last fault was undone"
            : $"okv-chaos: replicas still differ after {clock.Elapsed.TotalSeconds:F1}s");

        var located = new List<NodeReplica>();
        foreach (var node in nodes)
        {
            located.Add(new NodeReplica(ChaosCluster.Name(node), replicas.GetValueOrDefault(node) ?? [], await Uids(node)));
        }

        var objects = new Dictionary<string, FinalObject>();
        await using (var connection = await KmipConnection.Connect(cluster.Kmip(1), identity, CancellationToken.None))
        {
            foreach (var uid in history.Where(o => o.CreatedObject).Select(o => o.Result!).Distinct())
            {
                objects[uid] = await Final(connection, uid);
            }
        }

        await injector.ProbeRegistry("the end of the run");
        var files = cluster.Names.SelectMany(n => Directory.EnumerateFiles(Path.Combine(cluster.Root, n), "*", SearchOption.AllDirectories))
            .Where(f => !f.EndsWith(".sock", StringComparison.Ordinal));
        var plaintext = PlaintextScanner.Scan(files, secrets.Snapshot());
        log.WriteLine($"okv-chaos: read {objects.Count} acknowledged objects; scanned node files for {secrets.Snapshot().Count} known keys");
        return new Observations(converged, located, objects, await injector.Probes(), plaintext);
    }

    private async Task<Dictionary<string, string>> Digests(int node)
    {
        try
        {
            var response = await cluster.Control(node, "shards", timeout: TimeSpan.FromSeconds(60));
            return response.Ok && response.Data?["shards"] is { } shards
                ? shards.AsArray().ToDictionary(s => s!["key"]!.GetValue<string>(), s => s!["digest"]!.GetValue<string>())
                : [];
        }
        catch (Exception e) when (e is ControlException or IOException or TimeoutException or OperationCanceledException)
        {
            return [];
        }
    }

    private async Task<IReadOnlySet<string>> Uids(int node)
    {
        try
        {
            var response = await cluster.Control(node, "key-locate", new Dictionary<string, string> { ["as"] = "endpoint1" }, TimeSpan.FromSeconds(60));
            return response.Ok && response.Data?["uids"] is { } uids ? uids.AsArray().Select(u => u!.GetValue<string>()).ToHashSet() : new HashSet<string>();
        }
        catch (Exception e) when (e is ControlException or IOException or TimeoutException or OperationCanceledException)
        {
            log.WriteLine($"okv-chaos: {ChaosCluster.Name(node)} could not list its objects: {e.Message}");
            return new HashSet<string>();
        }
    }

    /// <summary>The state in node1's replica (equal to every other once converged) and, unless destroyed, the material Get returns.</summary>
    private async Task<FinalObject> Final(KmipConnection connection, string uid)
    {
        string? state;
        try
        {
            var response = await cluster.Control(1, "key-get", new Dictionary<string, string> { ["uid"] = uid, ["freshness"] = "local", ["as"] = "endpoint1" });
            state = response.Ok ? response.Data?["state"]?.GetValue<string>() : null;
        }
        catch (Exception e) when (e is ControlException or IOException or TimeoutException or OperationCanceledException)
        {
            throw new ChaosException($"node1 could not be read after healing ({uid}): {e.Message}");
        }

        string? hash = null;
        if (state is not null && HistoryChecker.Rank(state) < 3)
        {
            try
            {
                var material = ChaosRequests.MaterialOf(KmipRequests.Expect(await connection.Send(KmipRequests.Get(uid), CancellationToken.None), Operation.Get));
                hash = SecretBook.Hash(material);
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(material);
            }
            catch (KmipLoadException e)
            {
                log.WriteLine($"okv-chaos: final Get of {uid} ({state}) failed: {e.Message}");
            }
        }

        return new FinalObject(uid, state, hash);
    }
}
