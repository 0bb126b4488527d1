using System.Diagnostics;
using System.Text.Json;
using OkvActors.Chaos.Checks;
using OkvActors.Chaos.Faults;
using OkvActors.Chaos.History;
using OkvActors.Chaos.Lab;
using OkvActors.Chaos.Report;
using OkvActors.Chaos.Workload;
using OkvActors.KmipLoad;

namespace OkvActors.Chaos;

/// <summary>
/// One run: forms the cluster (in a network lab when there is one), runs the workload, injects the seeded faults for
/// the duration, undoes every fault, reads the healed cluster, checks the history and writes the report
/// (report.txt, timeline.png, history.jsonl, views.jsonl, faults.json) into the run's directory.
/// </summary>
public sealed class ChaosRun(ChaosOptions options, TextWriter output)
{
    /// <summary>The workload keeps going this long after the last fault, so recovery is seen under load.</summary>
    private const double RecoverySeconds = 8;

    public async Task<ChaosReport> Run(CancellationToken stop)
    {
        var started = DateTimeOffset.UtcNow;
        var plan = FaultPlan.Generate(options.Seed, options.Nodes, options.Duration, partitions: options.UseNetworkLab, kinds: options.Kinds);
        output.WriteLine($"okv-chaos: {plan.Count} faults planned over {options.Duration:F0} s");
        foreach (var fault in plan)
        {
            output.WriteLine($"okv-chaos:   {fault}");
        }

        var dir = Path.GetFullPath(options.Dir);
        Directory.CreateDirectory(dir);
        string? brokenConfig = null;
        if (options.Broken)
        {
            brokenConfig = Path.Combine(dir, "broken.conf");
            await File.WriteAllTextAsync(brokenConfig, """
                # okv-chaos --broken (TEST ONLY): a node acknowledges a write once its own replica holds it,
                # before any other node does, and sends it on lazily (its vault sends writes to the others every
                # 4 s, gossip every 20 s, deltas every 4 s), so a node that loses its disk takes acknowledged
                # writes with it. The checks must catch it.
                okv.key-store.write-consistency = local
                okv.key-store.fan-out.linger = 4 s
                okv.key-store.pacing { gossip-interval = 20 s, delta-interval = 4 s, idle-delta-interval = 4 s, writing-delta-interval = 4 s }
                """, stop);
            output.WriteLine("okv-chaos: BROKEN BUILD: nodes acknowledge writes before replication (write-consistency local)");
        }

        using var lab = options.UseNetworkLab ? new NetworkLab(options.Lab, options.Nodes, output) : null;
        lab?.Create();
        await using var cluster = new ChaosCluster(dir, options.Nodes, options.BasePort, lab, brokenConfig, output);
        var formed = Stopwatch.StartNew();
        await cluster.Form(stop);
        output.WriteLine($"okv-chaos: {options.Nodes} nodes Up in {formed.Elapsed.TotalSeconds:F0} s");

        var identity = TlsIdentity.Load(Path.Combine(cluster.PkiDir, "endpoint1.pem"), Path.Combine(cluster.PkiDir, "endpoint1.key"), Path.Combine(cluster.PkiDir, "ca.pem"));
        var history = new OperationLog();
        using var secrets = new SecretBook();
        var clock = Stopwatch.StartNew();
        var injector = new FaultInjector(cluster, lab, clock, output);
        var sampler = new NodeViewSampler(cluster, clock);
        using var workloadStop = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var sampling = sampler.Run(workloadStop.Token);
        var workload = new ChaosWorkload(cluster, identity, history, secrets, options.Seed, clock, options.Affinity, options.Mix).Run(options.Clients, options.Rate, workloadStop.Token);
        try
        {
            await injector.Run(plan, stop);
            var rest = TimeSpan.FromSeconds(options.Duration + RecoverySeconds - clock.Elapsed.TotalSeconds);
            if (rest > TimeSpan.Zero)
            {
                await Task.Delay(rest, stop);
            }
        }
        finally
        {
            await injector.UndoAll();
            await workloadStop.CancelAsync();
            await workload;
            await sampling;
        }

        var seconds = clock.Elapsed.TotalSeconds;
        output.WriteLine($"okv-chaos: {seconds:F0} s of load done; {history.Snapshot().Count} operations recorded; reading the healed cluster");
        var operations = history.Snapshot();
        var final = await new FinalReader(cluster, identity, output).Read(operations, secrets, injector, TimeSpan.FromSeconds(options.ConvergeTimeout));
        var timeline = injector.Timeline;
        var views = sampler.Views;
        var violations = HistoryChecker.Check(operations, timeline, cluster.Names, final, options.RestrictedMargin, views);
        var report = new ChaosReport(options, started, seconds, plan, timeline, operations, final, violations, views);

        OperationLog.WriteJsonLines(operations, Path.Combine(dir, "history.jsonl"));
        NodeViewSampler.WriteJsonLines(views, Path.Combine(dir, "views.jsonl"));
        await File.WriteAllTextAsync(Path.Combine(dir, "faults.json"),
            JsonSerializer.Serialize(new { plan, timeline }, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }), CancellationToken.None);
        var text = report.ToText();
        await File.WriteAllTextAsync(Path.Combine(dir, "report.txt"), text, CancellationToken.None);
        TimelineChart.Save(report, cluster.Names, Path.Combine(dir, "timeline.png"));
        output.WriteLine();
        output.Write(text);
        output.WriteLine($"okv-chaos: report in {Path.Combine(dir, "report.txt")}, chart {Path.Combine(dir, "timeline.png")}, history {Path.Combine(dir, "history.jsonl")}");
        return report;
    }
}
