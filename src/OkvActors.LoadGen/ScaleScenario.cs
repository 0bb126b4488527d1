using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using OkvActors.Cluster.Control;
using OkvActors.Cluster.Load;

namespace OkvActors.LoadGen;

/// <summary>
/// Issue #3's scale scenario against a real cluster: bulk load, convergence, idle CPU, paced single writes,
/// write-to-visible latency, a wiped node's recovery and memory. Every figure is measured and reported
/// against its target; a missed target is a finding, not a failure of the run.
/// </summary>
public sealed class ScaleScenario(ClusterUnderTest cluster, ScaleOptions options, TextWriter log)
{
    private static readonly TimeSpan ConvergeTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan LoadTimeout = TimeSpan.FromHours(2);

    /// <summary>Longest wait for idle replication rates: a catch-up window at 4,096 shards is ~7 min (okv.key-store.pacing).</summary>
    private static readonly TimeSpan QuietTimeout = TimeSpan.FromMinutes(15);
    private readonly List<string> _notes = [];

    private IReadOnlyList<string> Nodes => cluster.Nodes;

    public async Task<ScaleReport> Run(CancellationToken ct)
    {
        var started = DateTimeOffset.UtcNow;
        Step($"idle baseline: CPU over {options.IdleSeconds} s of the empty cluster");
        var baseline = await Idle(ct);

        var warmup = await WarmUp();

        Step($"load: {options.Objects:N0} creations spread over {Nodes.Count} nodes, {options.Concurrency} in flight per node");
        var load = await LoadEveryNode("bulk", options.Objects, options.Concurrency);
        Step($"load: {load.Acknowledged:N0} acknowledged in {load.Seconds:0.0} s = {load.PerSecond:0}/s; {load.TimedOut} timed out, {load.Failed} failed");

        Step("waiting for every node's shard digests to match");
        var expected = warmup.Sum(r => r.Acknowledged) + load.Acknowledged;
        var converged = await WaitConverged(expected, ct);
        var shardCount = (await cluster.Shards(Nodes[0])).Count;
        Step(converged is { } c ? $"converged {c:0.0} s after the load ended ({shardCount} shards)" : "did NOT converge");
        var afterLoad = await Sample();

        Step("waiting until every node's replication ticks at its idle rates (no catch-up gossip, no active delta rounds)");
        var quiet = await WaitReplicationIdle(ct);
        Step(quiet is { } q ? $"  idle rates on every node {q:0} s later" : $"  still catching up after {QuietTimeout.TotalMinutes:0} min: measuring anyway");
        Step($"idle: measuring CPU over {options.IdleSeconds} s");
        var idle = await Idle(ct);

        Step($"visibility: {options.VisibilitySamples} writes on {Nodes[0]}, each polled for on every other node");
        var visibility = await Visibility(ct);

        var pacedCount = (int)Math.Round(options.Rate * options.PacedSeconds);
        Step($"paced: {pacedCount:N0} single creations on {Nodes[0]} at {options.Rate:0}/s");
        var gcBefore = await GcOfEveryNode();
        var (paced, pacedCpu) = await WithCpu(() => LoadOn(Nodes[0], new LoadRequest(pacedCount, LoadRequest.MaxConcurrency, options.Rate, "paced")));
        var pacedGc = (await GcOfEveryNode()).ToDictionary(g => g.Key, g => g.Value.Since(gcBefore[g.Key]));
        Step($"paced: {paced}; CPU {Describe(pacedCpu)}");
        // A write waits for every node: a pause of either peer is in the writer's tail as much as its own.
        Step($"paced: GC per node {string.Join(", ", pacedGc.Select(g => $"{g.Key} {g.Value.Gen0}/{g.Value.Gen1}/{g.Value.Gen2} ({g.Value.PauseMs:0} ms paused)"))}");

        // An overloaded paced phase leaves writes queued behind the durable store: let them land first.
        Step("waiting for the cluster to settle after the paced writes");
        await WaitConverged(0, ct, settle: true);

        WipeResult? wipe = null;
        if (options.Wipe)
        {
            wipe = await WipeAndRecover(ct);
        }

        var coldRestart = options.ColdRestart ? await ColdRestart(ct) : null;
        var atEnd = await Sample();
        var targets = Targets(load, idle, baseline, paced, visibility, wipe, coldRestart, atEnd.Concat(afterLoad).ToArray(), shardCount);
        if (Environment.ProcessorCount <= 2)
        {
            _notes.Add($"{Environment.ProcessorCount} cores shared by {Nodes.Count} nodes, this program and other users: figures are noisy, compare ratios");
        }

        return new ScaleReport(started, Machine(), options, shardCount, baseline, warmup, load, converged, afterLoad, idle, paced, pacedCpu, visibility, wipe,
            coldRestart, atEnd, targets, _notes, quiet, pacedGc);
    }

    private void Step(string what) => log.WriteLine($"okv-load: {DateTime.Now:HH:mm:ss} {what}");

    private async Task<LoadResult> LoadOn(string node, LoadRequest request)
    {
        var data = await cluster.Control(node, "load", request.ToArgs(), LoadTimeout);
        return data.Deserialize<LoadResult>(ControlJson.Options) ?? throw new LoadGenException($"{node} answered load without figures");
    }

    /// <summary>
    /// Paced rounds of creations on every node until the JIT is done with the write path
    /// (<see cref="ScaleOptions.WarmupJitMethods"/>), so what is measured next is the cluster, not the runtime warming up.
    /// </summary>
    private async Task<IReadOnlyList<LoadPhase>> WarmUp()
    {
        var rounds = new List<LoadPhase>();
        while (true)
        {
            Step($"warm-up round {rounds.Count + 1}: {ScaleOptions.WarmupPerNode:N0} creations per node at {ScaleOptions.WarmupRatePerNode:0}/s");
            var round = await LoadEveryNode("warmup", ScaleOptions.WarmupPerNode * Nodes.Count, options.Concurrency, ScaleOptions.WarmupRatePerNode);
            rounds.Add(round);
            Step($"  {round.PerSecond:0}/s");
            if (round.PerNode.Values.Max(r => r.Jit?.Methods ?? 0) <= ScaleOptions.WarmupJitMethods)
            {
                return rounds;
            }

            if (rounds.Count == ScaleOptions.WarmupMaxRounds)
            {
                _notes.Add($"a node still compiled more than {ScaleOptions.WarmupJitMethods} methods in the last of {rounds.Count} warm-up rounds: the load figures include the JIT");
                return rounds;
            }
        }
    }

    /// <summary>Multi-master: every node creates its share at once; the rate is all acknowledgements over the wall time of the slowest.</summary>
    private async Task<LoadPhase> LoadEveryNode(string prefix, int total, int concurrency, double? ratePerNode = null)
    {
        var share = total / Nodes.Count;
        var clock = Stopwatch.StartNew();
        var (results, cpu) = await WithCpu(() => Task.WhenAll(Nodes.Select((node, i) =>
            LoadOn(node, new LoadRequest(i == 0 ? total - share * (Nodes.Count - 1) : share, concurrency, ratePerNode, $"{prefix}-{node}")))));
        var seconds = clock.Elapsed.TotalSeconds;
        var acknowledged = results.Sum(r => r.Acknowledged);
        Step($"  CPU during {prefix}: {Describe(cpu)}; compiled meanwhile: " +
             string.Join(", ", results.Select((r, i) => $"{Nodes[i]} {r.Jit?.Methods} methods in {r.Jit?.CompileMs:0} ms")));
        return new LoadPhase(seconds, acknowledged / seconds, acknowledged, results.Sum(r => r.TimedOut), results.Sum(r => r.Failed),
            Nodes.Zip(results).ToDictionary(p => p.Item1, p => p.Item2), cpu);
    }

    /// <summary>Runs <paramref name="work"/> and measures each node's CPU meanwhile, in % of one core (200% = both cores of this machine).</summary>
    private async Task<(T Result, Dictionary<string, double> CpuPercent)> WithCpu<T>(Func<Task<T>> work)
    {
        var pids = new Dictionary<string, int>();
        foreach (var node in Nodes)
        {
            pids[node] = await cluster.Pid(node);
        }

        var before = pids.ToDictionary(p => p.Key, p => ProcessStats.CpuTime(p.Value));
        var clock = Stopwatch.StartNew();
        var result = await work();
        var window = clock.Elapsed;
        var cpu = new Dictionary<string, double>();
        foreach (var (node, pid) in pids)
        {
            try
            {
                cpu[node] = Math.Round((ProcessStats.CpuTime(pid) - before[node]) / window * 100, 1);
            }
            catch (IOException)
            {
                // A node that was downed (or crashed) meanwhile is a finding of the run, not a reason to lose it.
                cpu[node] = double.NaN;
                _notes.Add($"{node} (pid {pid}) exited during a measured phase; see its node.log");
                Step($"  {node} (pid {pid}) has exited");
            }
        }

        return (result, cpu);
    }

    /// <summary>Each node's GC collections and pause time so far, from its status.</summary>
    private async Task<Dictionary<string, GcActivity>> GcOfEveryNode()
    {
        var gc = new Dictionary<string, GcActivity>();
        foreach (var node in Nodes)
        {
            gc[node] = (await cluster.Control(node, "status"))["gc"].Deserialize<GcActivity>(ControlJson.Options)!;
        }

        return gc;
    }

    private static string Describe(Dictionary<string, double> cpu) => string.Join(", ", cpu.Select(c => $"{c.Key} {c.Value:0}%"));

    /// <summary>
    /// Seconds until every node holds the same digest for every shard and at least <paramref name="objects"/> objects;
    /// null if never. With <paramref name="settle"/>, also until the count stops changing (a backlog has drained).
    /// </summary>
    private async Task<double?> WaitConverged(int objects, CancellationToken ct, bool settle = false)
    {
        var clock = Stopwatch.StartNew();
        var last = "";
        var previousCount = -1;
        while (clock.Elapsed < ConvergeTimeout)
        {
            var all = await Task.WhenAll(Nodes.Select(cluster.Shards));
            var differing = all[0].Keys.Union(all.SelectMany(s => s.Keys))
                .Count(key => all.Select(s => s.TryGetValue(key, out var v) ? v.Digest : "").Distinct().Count() > 1);
            var counts = all.Select(s => s.Values.Sum(v => v.Objects)).ToArray();
            if (differing == 0 && counts[0] >= objects && (!settle || counts[0] == previousCount))
            {
                return clock.Elapsed.TotalSeconds;
            }

            previousCount = differing == 0 ? counts[0] : -1;

            var now = $"{differing} shard(s) differ; objects per node {string.Join(", ", counts)}";
            if (now != last)
            {
                Step($"  {now}");
                last = now;
            }

            await Task.Delay(500, ct);
        }

        _notes.Add($"the nodes did not converge within {ConvergeTimeout.TotalMinutes:0} min ({last})");
        return null;
    }

    /// <summary>
    /// Seconds until no node's replication pacer runs catch-up gossip or active delta rounds (a node that started, saw a
    /// member come or go, or had a write miss a member catches up for a while: that is not idle); null if not within
    /// <see cref="QuietTimeout"/>. An unpaced node counts as idle at once.
    /// </summary>
    private async Task<double?> WaitReplicationIdle(CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < QuietTimeout)
        {
            var busy = false;
            foreach (var node in Nodes)
            {
                var replication = (await cluster.Control(node, "status"))["replication"];
                busy |= replication?["gossip"]?.GetValue<string>() == "catching-up" || replication?["deltaRounds"]?.GetValue<string>() is "active" or "writing";
            }

            if (!busy)
            {
                return clock.Elapsed.TotalSeconds;
            }

            await Task.Delay(TimeSpan.FromSeconds(5), ct);
        }

        _notes.Add($"idle CPU was measured while replication still caught up ({QuietTimeout.TotalMinutes:0} min after convergence)");
        return null;
    }

    private async Task<List<NodeSample>> Sample()
    {
        var samples = new List<NodeSample>();
        foreach (var node in Nodes)
        {
            try
            {
                var pid = await cluster.Pid(node);
                var (rss, peak) = ProcessStats.Memory(pid);
                samples.Add(new NodeSample(node, pid, rss, peak));
            }
            catch (Exception e) when (e is ControlException or IOException)
            {
                _notes.Add($"{node} could not be sampled: {e.Message}");
            }
        }

        return samples;
    }

    /// <summary>CPU from /proc over the idle window (nothing is asked of the nodes meanwhile) and GC collections from each node's status.</summary>
    private async Task<List<NodeSample>> Idle(CancellationToken ct)
    {
        await Task.Delay(TimeSpan.FromSeconds(5), ct);
        var before = new Dictionary<string, (int Pid, TimeSpan Cpu, GcActivity Gc, JitActivity Jit)>();
        foreach (var node in Nodes)
        {
            var status = await cluster.Control(node, "status");
            var pid = status["pid"]!.GetValue<int>();
            before[node] = (pid, ProcessStats.CpuTime(pid), status["gc"].Deserialize<GcActivity>(ControlJson.Options)!,
                status["jit"].Deserialize<JitActivity>(ControlJson.Options)!);
        }

        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(options.IdleSeconds), ct);
        var cpu = before.ToDictionary(b => b.Key, b => ProcessStats.CpuTime(b.Value.Pid));
        var window = clock.Elapsed;
        var samples = new List<NodeSample>();
        foreach (var node in Nodes)
        {
            var status = await cluster.Control(node, "status");
            var gc = status["gc"].Deserialize<GcActivity>(ControlJson.Options)!.Since(before[node].Gc);
            var jit = status["jit"].Deserialize<JitActivity>(ControlJson.Options)!.Since(before[node].Jit);
            var (rss, peak) = ProcessStats.Memory(before[node].Pid);
            samples.Add(new NodeSample(node, before[node].Pid, rss, peak, (cpu[node] - before[node].Cpu) / window * 100, gc, jit));
            Step($"  {node}: {samples[^1].CpuPercentOfOneCore:0.0}% of a core, GC {gc.Gen0}/{gc.Gen1}/{gc.Gen2} ({gc.PauseMs:0} ms paused), " +
                $"JIT {jit.Methods} methods in {jit.CompileMs:0} ms");
        }

        return samples;
    }

    /// <summary>
    /// A write acknowledged on the first node, then polled for on each other node's own replica (key-get
    /// freshness=local): the time until the last node has it. Includes one control round trip (~1 ms).
    /// </summary>
    private async Task<VisibilityResult> Visibility(CancellationToken ct)
    {
        var acknowledged = new List<double>();
        var visible = new List<double>();
        var neverSeen = 0;
        var refused = 0;
        for (var i = 0; i < options.VisibilitySamples; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var created = await cluster.TryControl(Nodes[0], "key-create", new() { ["name"] = $"visible-{i}" });
            if (!created.Ok)
            {
                refused++;
                Step($"  visibility write {i} not acknowledged: {created.Message}");
                continue;
            }

            acknowledged.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            var uid = created.Data!["uid"]!.GetValue<string>();
            var seen = await Task.WhenAll(Nodes.Skip(1).Select(async node =>
            {
                while (Stopwatch.GetElapsedTime(start) < TimeSpan.FromSeconds(30))
                {
                    var reply = await cluster.TryControl(node, "key-get", new() { ["uid"] = uid, ["freshness"] = "local" });
                    if (reply.Ok)
                    {
                        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    }

                    await Task.Delay(1, ct);
                }

                return (double?)null;
            }));
            if (seen.Any(s => s is null))
            {
                neverSeen++;
            }
            else
            {
                visible.Add(seen.Max(s => s!.Value));
            }

            await Task.Delay(50, ct);
        }

        var result = new VisibilityResult(LatencySummary.Of(acknowledged), LatencySummary.Of(visible), options.VisibilitySamples, neverSeen, refused);
        Step($"visibility: acknowledged {result.Acknowledged}; on every node {result.VisibleOnAll}; never seen {neverSeen}; not acknowledged {refused}");
        return result;
    }

    /// <summary>
    /// kill -9 of the last node, its store emptied (a replaced disk: identity and certificates stay), restarted
    /// once the cluster has removed the dead incarnation, timed until its digests equal the first node's.
    /// </summary>
    private async Task<WipeResult> WipeAndRecover(CancellationToken ct)
    {
        var victim = Nodes[^1];
        var witness = Nodes[0];
        var address = cluster.Remoting(victim);
        var pid = await cluster.Pid(victim);
        var objects = (await cluster.Shards(witness)).Values.Sum(v => v.Objects);
        Step($"wipe: kill -9 {victim} (pid {pid}), empty its store/, restart it once it is removed");
        var sinceKill = Stopwatch.StartNew();
        ClusterUnderTest.Kill9(pid);
        while (ProcessStats.IsAlive(pid))
        {
            await Task.Delay(50, ct);
        }

        var store = cluster.Dir(victim).StoreDir;
        Directory.Delete(store, recursive: true);
        Directory.CreateDirectory(store);
        while (!ct.IsCancellationRequested && (await cluster.Members(witness)).Contains(address))
        {
            if (sinceKill.Elapsed > TimeSpan.FromMinutes(3))
            {
                throw new LoadGenException($"{victim} was not removed within 3 minutes of its kill");
            }

            await Task.Delay(250, ct);
        }

        var removed = sinceKill.Elapsed.TotalSeconds;
        Step($"wipe: {victim} removed after {removed:0.0} s; restarting it");
        var sinceRestart = Stopwatch.StartNew();
        cluster.Restart(victim);
        var expected = await cluster.Shards(witness);
        while (sinceRestart.Elapsed < ConvergeTimeout)
        {
            try
            {
                var mine = await cluster.Shards(victim);
                if (mine.Count == expected.Count && mine.All(s => expected.TryGetValue(s.Key, out var e) && e.Digest == s.Value.Digest))
                {
                    var result = new WipeResult(victim, removed, sinceRestart.Elapsed.TotalSeconds, sinceKill.Elapsed.TotalSeconds, objects);
                    Step($"wipe: {victim} holds a full replica {result.FullReplicaAfterRestartSeconds:0.0} s after its restart ({result.FullReplicaAfterKillSeconds:0.0} s after the kill)");
                    return result;
                }
            }
            catch (Exception e) when (e is ControlException or LoadGenException)
            {
                // Not listening yet, or still joining.
            }

            await Task.Delay(250, ct);
        }

        _notes.Add($"{victim} did not get a full replica back within {ConvergeTimeout.TotalMinutes:0} min of its restart");
        return new WipeResult(victim, removed, double.NaN, double.NaN, objects);
    }

    /// <summary>
    /// A power cut: kill -9 of every node at once, then every node restarted from its own store. Timed per node
    /// until it is in normal mode and every shard's digest is what it was before the kill (every object back).
    /// </summary>
    private async Task<ColdRestartResult> ColdRestart(CancellationToken ct)
    {
        var (objects, serving) = await cluster.ColdRestart(ConvergeTimeout, Step, ct);
        foreach (var node in serving.Where(s => double.IsNaN(s.Value)).Select(s => s.Key))
        {
            _notes.Add($"{node} was not back with every object within {ConvergeTimeout.TotalMinutes:0} min of the cold restart");
        }

        return new ColdRestartResult(objects, serving, await Sample());
    }

    private List<TargetCheck> Targets(LoadPhase load, IReadOnlyList<NodeSample> idle, IReadOnlyList<NodeSample> baseline, LoadResult paced,
        VisibilityResult visibility, WipeResult? wipe, ColdRestartResult? coldRestart,
        IReadOnlyList<NodeSample> memory, int shardCount)
    {
        static string Ratio(double measured, double target, bool higherIsBetter) =>
            (higherIsBetter ? measured / target : target / measured).ToString("0.00x", CultureInfo.InvariantCulture);
        var targets = new List<TargetCheck>
        {
            new($"load {options.Objects:N0} objects (majority)", "≥ 5,000 objects/s", $"{load.PerSecond:N0}/s ({load.TimedOut} timed out, {load.Failed} failed)",
                load.PerSecond >= 5000 && load.TimedOut + load.Failed == 0, Ratio(load.PerSecond, 5000, true)),
        };
        var worstIdle = idle.Max(n => n.CpuPercentOfOneCore ?? 0);
        targets.Add(new("idle CPU per node (converged)", "< 2% of a core",
            $"max {worstIdle:0.0}% ({string.Join(", ", idle.Select(n => $"{n.CpuPercentOfOneCore:0.0}"))}; empty {baseline.Max(n => n.CpuPercentOfOneCore ?? 0):0.0})",
            worstIdle < 2, Ratio(worstIdle, 2, false)));
        targets.Add(new($"{options.Rate:0} single writes/s, {options.PacedSeconds} s", "p99 < 50 ms, 0 timeouts",
            $"p99 {paced.Latency.P99:0.0} ms (p50 {paced.Latency.P50:0.0}, max {paced.Latency.Max:0}), {paced.TimedOut} timed out, {paced.Failed} failed",
            paced.Latency.P99 < 50 && paced.TimedOut + paced.Failed == 0, Ratio(paced.Latency.P99, 50, false)));
        targets.Add(new("write visible on every node", "(no target)",
            $"p50 {visibility.VisibleOnAll.P50:0} ms, p99 {visibility.VisibleOnAll.P99:0} ms, max {visibility.VisibleOnAll.Max:0} ms", true, "-"));
        if (wipe is not null)
        {
            targets.Add(double.IsNaN(wipe.FullReplicaAfterRestartSeconds)
                ? new("wiped node back to a full replica", "< 30 s", $"never (gave up {ConvergeTimeout.TotalMinutes:0} min after restart)", false, "0.00x")
                : new("wiped node back to a full replica", "< 30 s",
                    $"{wipe.FullReplicaAfterRestartSeconds:0.0} s after restart ({wipe.FullReplicaAfterKillSeconds:0.0} s after kill -9)",
                    wipe.FullReplicaAfterRestartSeconds < 30, Ratio(wipe.FullReplicaAfterRestartSeconds, 30, false)));
        }

        if (coldRestart is not null)
        {
            var all = coldRestart.AllServingSeconds;
            targets.Add(new($"cold restart of every node, {coldRestart.Objects:N0} objects", "≤ 60 s to serving",
                double.IsNaN(all) ? "not every node back with every object" : $"{all:0.0} s until every node serves every object",
                all <= 60, double.IsNaN(all) ? "0.00x" : Ratio(all, 60, false)));
        }

        var worstRss = memory.Max(n => n.PeakRssBytes);
        const long TwoGib = 2L * 1024 * 1024 * 1024;
        targets.Add(new($"RSS per node, {options.Objects:N0} objects / {shardCount} shards", "≤ 2 GiB (1M objects)",
            $"peak {ScaleReport.Mib(worstRss)}", worstRss <= TwoGib, Ratio(worstRss, TwoGib, false)));
        return targets;
    }

    private static string Machine()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return $"{Environment.ProcessorCount} cores ({cpu ?? "unknown CPU"}), {Environment.OSVersion}, .NET {Environment.Version}";
    }
}
