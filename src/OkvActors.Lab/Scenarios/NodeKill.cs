using System.Collections.Concurrent;
using System.Diagnostics;
using OkvActors.Cluster.Load;
using OkvActors.Kmip.Protocol;
using OkvActors.KmipLoad;
using OkvActors.Lab.Peers;
using OkvActors.Lab.Report;
using OkvActors.LoadGen;

namespace OkvActors.Lab.Scenarios;

/// <summary>
/// Availability: writes from 8 closed-loop clients on the survivors while one member is killed -9 three seconds in;
/// the write gap on the survivors, failed requests, then every acknowledged write read back (a missing one is lost),
/// and the killed member restarted and timed until it serves the last acknowledged write.
/// </summary>
public sealed class NodeKill(LabOptions options, TextWriter log)
{
    public const int Clients = 8;
    private static readonly TimeSpan KillAfter = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan RejoinTimeout = TimeSpan.FromMinutes(3);

    private sealed class Tally
    {
        public readonly ConcurrentBag<(double AtMs, string Id)> Acknowledged = [];
        public long Failed;
        public readonly ConcurrentDictionary<string, byte> Samples = new();

        public void Fail(string message)
        {
            Interlocked.Increment(ref Failed);
            if (Samples.Count < 10)
            {
                Samples.TryAdd(message, 0);
            }
        }
    }

    /// <summary>OkvActors: Create (majority-acknowledged) over KMIP on node1 and node2 while node3 is killed.</summary>
    public async Task<AvailabilityResult> Okv(ClusterUnderTest cluster, TlsIdentity identity, CancellationToken ct)
    {
        var nodes = cluster.File.Nodes;
        var survivors = nodes.Take(nodes.Count - 1).Select(n => n.Kmip).ToArray();
        var victim = nodes[^1];
        var pid = await cluster.Pid(victim.Name);
        log.WriteLine($"okv-lab: {DateTime.UtcNow:HH:mm:ss} availability: OkvActors Create × {Clients} on {string.Join(',', survivors)}; kill -9 {victim.Name} (pid {pid}) after {KillAfter.TotalSeconds:0} s");
        var tally = new Tally();
        var (startAt, killAt, end) = await Drive(
            async (i, stop) =>
            {
                var connection = await KmipConnection.Connect(survivors[i % survivors.Length], identity, ct);
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        var id = KmipRequests.CreatedId(await connection.Send(KmipRequests.Create(256, null), stop));
                        tally.Acknowledged.Add((LoadClock.ElapsedMs, id));
                    }
                    catch (KmipLoadException e)
                    {
                        tally.Fail(e.Message);
                    }
                    catch (Exception e) when (!stop.IsCancellationRequested && e is IOException or System.Net.Sockets.SocketException or OkvActors.Kmip.Ttlv.TtlvFormatException)
                    {
                        tally.Fail($"{e.GetType().Name}: {e.Message}");
                        await connection.DisposeAsync();
                        connection = await KmipConnection.Connect(survivors[i % survivors.Length], identity, ct);
                    }
                }

                await connection.DisposeAsync();
            },
            () => ClusterUnderTest.Kill9(pid));

        var (gap, before) = Gaps(tally, startAt, killAt, end);

        // Read every acknowledged object back from a survivor: it must be there.
        var lost = 0L;
        var ids = tally.Acknowledged.Select(a => a.Id).ToArray();
        await Parallel.ForEachAsync(Partition(ids, 4), ct, async (part, token) =>
        {
            await using var connection = await KmipConnection.Connect(survivors[0], identity, token);
            foreach (var id in part)
            {
                try
                {
                    KmipRequests.Expect(await connection.Send(KmipRequests.Get(id), token), Operation.Get);
                }
                catch (KmipLoadException)
                {
                    Interlocked.Increment(ref lost);
                }
            }
        });
        log.WriteLine($"okv-lab:   read back {ids.Length}: {lost} missing");

        // Akka admits a new incarnation on the same address only once the old one is removed.
        var sinceKill = Stopwatch.StartNew();
        while ((await cluster.Members(nodes[0].Name)).Contains(victim.Remoting))
        {
            if (sinceKill.Elapsed > RejoinTimeout)
            {
                throw new LabException($"{victim.Name} was not removed within {RejoinTimeout.TotalMinutes:0} minutes of its kill");
            }

            await Task.Delay(200, ct);
        }

        var removed = (LoadClock.ElapsedMs - killAt) / 1000;
        var sinceRestart = Stopwatch.StartNew();
        cluster.Restart(victim.Name);
        var last = tally.Acknowledged.IsEmpty ? throw new LabException("no write was acknowledged during the kill run") : tally.Acknowledged.MaxBy(a => a.AtMs).Id;
        double? rejoin = null;
        while (sinceRestart.Elapsed < RejoinTimeout)
        {
            try
            {
                await using var connection = await KmipConnection.Connect(victim.Kmip, identity, ct);
                KmipRequests.Expect(await connection.Send(KmipRequests.Get(last), ct), Operation.Get);
                rejoin = sinceRestart.Elapsed.TotalSeconds;
                break;
            }
            catch (Exception e) when (e is KmipLoadException or IOException or System.Net.Sockets.SocketException or System.Security.Authentication.AuthenticationException)
            {
                await Task.Delay(200, ct);
            }
        }

        log.WriteLine($"okv-lab:   {victim.Name} removed {removed:0.0} s after the kill; restarted, serving again after {(rejoin is { } r ? $"{r:0.0} s" : "NEVER")}");
        return new AvailabilityResult(Systems.Okv, victim.Name, Clients, Math.Round((end - startAt) / 1000, 3), tally.Acknowledged.Count, tally.Failed, lost, ids.Length,
            Math.Round(gap, 1), Math.Round(removed, 1), rejoin is { } j ? Math.Round(j, 1) : null,
            "KMIP Create on the 2 survivors; rejoin = restart (after the cluster removed the dead incarnation) until the node serves a Get of the last acknowledged key",
            tally.Samples.Keys.ToArray(), Math.Round(before, 1));
    }

    /// <summary>etcd: puts on the two followers while the leader is killed.</summary>
    public async Task<AvailabilityResult> Etcd(EtcdCluster etcd, CancellationToken ct)
    {
        using var client = new EtcdClient(Clients + 4);
        var leader = await etcd.Leader(client, ct);
        var survivors = Enumerable.Range(0, etcd.Count).Where(i => i != leader).Select(etcd.Endpoint).ToArray();
        log.WriteLine($"okv-lab: {DateTime.UtcNow:HH:mm:ss} availability: etcd Put × {Clients} on {string.Join(',', survivors)}; kill -9 leader {etcd.Name(leader)} after {KillAfter.TotalSeconds:0} s");
        var tally = new Tally();
        var value = new byte[options.ValueBytes];
        var run = Guid.NewGuid().ToString("N")[..8];
        var (startAt, killAt, end) = await Drive(
            async (i, stop) =>
            {
                for (var n = 0; !stop.IsCancellationRequested; n++)
                {
                    var key = $"avail/{run}/{i}/{n}";
                    try
                    {
                        await client.Put(survivors[i % survivors.Length], key, value, stop);
                        tally.Acknowledged.Add((LoadClock.ElapsedMs, key));
                    }
                    catch (Exception e) when (!stop.IsCancellationRequested && e is HttpRequestException or EtcdException or TaskCanceledException)
                    {
                        tally.Fail(e.Message);
                    }
                }
            },
            () => etcd.Kill9(leader));
        var (gap, before) = Gaps(tally, startAt, killAt, end);

        var lost = 0L;
        var keys = tally.Acknowledged.Select(a => a.Id).ToArray();
        await Parallel.ForEachAsync(Partition(keys, 4), ct, async (part, token) =>
        {
            foreach (var key in part)
            {
                if (!await client.Has(survivors[0], key, serializable: false, token))
                {
                    Interlocked.Increment(ref lost);
                }
            }
        });
        log.WriteLine($"okv-lab:   read back {keys.Length}: {lost} missing");

        var sinceRestart = Stopwatch.StartNew();
        etcd.StartMember(leader, "existing");
        var last = tally.Acknowledged.IsEmpty ? throw new LabException("no write was acknowledged during the kill run") : tally.Acknowledged.MaxBy(a => a.AtMs).Id;
        double? rejoin = null;
        while (sinceRestart.Elapsed < RejoinTimeout)
        {
            try
            {
                if (await client.Has(etcd.Endpoint(leader), last, serializable: true, ct))
                {
                    rejoin = sinceRestart.Elapsed.TotalSeconds;
                    break;
                }
            }
            catch (Exception e) when (e is HttpRequestException or EtcdException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(100, ct);
        }

        log.WriteLine($"okv-lab:   {etcd.Name(leader)} restarted, serving again after {(rejoin is { } r ? $"{r:0.0} s" : "NEVER")}");
        return new AvailabilityResult(Systems.Etcd, $"{etcd.Name(leader)} (leader)", Clients, Math.Round((end - startAt) / 1000, 3), tally.Acknowledged.Count, tally.Failed, lost, keys.Length,
            Math.Round(gap, 1), null, rejoin is { } j ? Math.Round(j, 1) : null,
            "HTTP gateway puts on the 2 followers; rejoin = restart until the member serves a serializable read of the last acknowledged key",
            tally.Samples.Keys.ToArray(), Math.Round(before, 1));
    }

    /// <summary>Runs <see cref="Clients"/> writers for the availability duration, the kill 3 s in; returns kill and end times (ms).</summary>
    private async Task<(double StartMs, double KillAtMs, double EndMs)> Drive(Func<int, CancellationToken, Task> writer, Action kill)
    {
        using var stop = new CancellationTokenSource();
        var startAt = LoadClock.ElapsedMs;
        var writers = Enumerable.Range(0, Clients).Select(i => Task.Run(async () =>
        {
            try
            {
                await writer(i, stop.Token);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                // A request still in flight at the end is neither acknowledged nor failed: the load is over.
            }
        })).ToArray();
        await Task.Delay(KillAfter);
        var killAt = LoadClock.ElapsedMs;
        kill();
        await Task.Delay(TimeSpan.FromSeconds(options.AvailabilitySeconds) - KillAfter);
        stop.Cancel();
        var end = LoadClock.ElapsedMs;
        await Task.WhenAll(writers);
        return (startAt, killAt, end);
    }

    /// <summary>
    /// The write gap after the kill, and the longest one in the same load before it (its first second left out: the
    /// clients are connecting), so the summary can tell the kill's cost from the machine's own pauses.
    /// </summary>
    private (double After, double Before) Gaps(Tally tally, double startAt, double killAt, double end)
    {
        var acknowledged = tally.Acknowledged.Select(a => a.AtMs).ToArray();
        var after = WriteGap.Longest(acknowledged, killAt, end, 3);
        var before = WriteGap.Longest(acknowledged, Math.Min(startAt + 1000, killAt), killAt);
        log.WriteLine($"okv-lab:   {tally.Acknowledged.Count} acknowledged, {tally.Failed} failed, write gap {after[0].LengthMs:0.0} ms " +
            $"(longest: {string.Join(", ", after.Select(g => $"{g.LengthMs:0} ms from +{g.StartMs - killAt:0} ms"))}); before the kill {before:0.0} ms");
        return (after[0].LengthMs, before);
    }

    private static IEnumerable<string[]> Partition(string[] items, int parts) =>
        Enumerable.Range(0, parts).Select(p => items.Where((_, i) => i % parts == p).ToArray()).Where(p => p.Length > 0);
}

/// <summary>One monotonic clock for the writers and the kill, in milliseconds since the process started.</summary>
internal static class LoadClock
{
    private static readonly long Origin = Stopwatch.GetTimestamp();

    public static double ElapsedMs => Stopwatch.GetElapsedTime(Origin).TotalMilliseconds;
}
