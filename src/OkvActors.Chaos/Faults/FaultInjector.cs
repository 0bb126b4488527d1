using System.Diagnostics;
using OkvActors.Chaos.Checks;
using OkvActors.Chaos.Lab;
using OkvActors.Cluster.Control;

namespace OkvActors.Chaos.Faults;

/// <summary>
/// Carries out a fault plan on the real cluster, round by round, and records what happened when (the timeline the
/// checks and the report read). After every controller kill it probes the controller's registry until it answers.
/// <see cref="UndoAll"/> heals, resumes and restarts whatever a run left broken, also when it fails.
/// </summary>
public sealed class FaultInjector(ChaosCluster cluster, NetworkLab? lab, Stopwatch clock, TextWriter log)
{
    public static readonly TimeSpan RegistryProbeTimeout = TimeSpan.FromSeconds(90);

    /// <summary>How long a CutWipe node stays cut off, alive, before its kill: less than the failure detector needs to call it unreachable.</summary>
    public const double CutBeforeWipe = 2.5;

    private readonly List<FaultRecord> _timeline = [];
    private readonly List<RegistryProbe> _probes = [];
    private readonly List<Task> _probing = [];
    private readonly List<(FaultRecord Record, PlannedFault Fault, int[] Nodes)> _open = [];
    private readonly List<Task> _cutWipes = [];
    private readonly HashSet<int> _held = [];

    private double Now => clock.Elapsed.TotalSeconds;

    public IReadOnlyList<FaultRecord> Timeline
    {
        get
        {
            lock (_timeline)
            {
                return _timeline.ToArray();
            }
        }
    }

    public async Task<IReadOnlyList<RegistryProbe>> Probes()
    {
        await Task.WhenAll(_probing);
        lock (_probes)
        {
            return _probes.ToArray();
        }
    }

    public async Task Run(IReadOnlyList<PlannedFault> plan, CancellationToken stop)
    {
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var watcher = Watch(watching.Token);
        try
        {
            await RunPlan(plan, stop);
        }
        finally
        {
            await watching.CancelAsync();
            await watcher;
        }
    }

    /// <summary>Every second, restarts any node that stopped by itself while no fault of ours holds it.</summary>
    private async Task Watch(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            RestartExited();
            try
            {
                await Task.Delay(1000, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>A node that stopped by itself (downed by the cluster) is restarted with its data and the event recorded.</summary>
    public void RestartExited()
    {
        lock (_held)
        {
            foreach (var node in Enumerable.Range(1, cluster.Count).Where(n => !_held.Contains(n) && !cluster.IsRunning(n)))
            {
                var at = Now;
                cluster.Start(node);
                lock (_timeline)
                {
                    _timeline.Add(new FaultRecord(FaultKind.Downed, [ChaosCluster.Name(node)], at, Now, "stopped by itself (downed by the cluster); restarted"));
                }

                log.WriteLine($"okv-chaos: {at,7:F1}s {ChaosCluster.Name(node)} had stopped by itself (downed by the cluster); restarted");
            }
        }
    }

    private async Task RunPlan(IReadOnlyList<PlannedFault> plan, CancellationToken stop)
    {
        foreach (var round in plan.GroupBy(f => f.At).OrderBy(g => g.Key))
        {
            var wait = TimeSpan.FromSeconds(round.Key - Now);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, stop);
            }

            foreach (var fault in round)
            {
                await Apply(fault);
            }

            var end = round.Key + round.Max(f => f.Duration);
            var hold = TimeSpan.FromSeconds(end - Now);
            if (hold > TimeSpan.Zero)
            {
                await Task.Delay(hold, stop);
            }

            await UndoAll();
        }
    }

    private async Task Apply(PlannedFault fault)
    {
        var nodes = fault.Nodes.ToArray();
        var detail = "";
        if (fault.Controller)
        {
            var controller = await ControllerNode();
            nodes = [controller ?? 1];
            detail = controller is null ? "controller (not found: node1 instead)" : "controller";
        }

        if (fault.Kind is FaultKind.Partition or FaultKind.CutWipe && lab is null)
        {
            log.WriteLine($"okv-chaos: {Now,7:F1}s skipping {fault}: no network lab");
            return;
        }

        var names = nodes.Select(ChaosCluster.Name).ToArray();
        lock (_held)
        {
            _held.UnionWith(nodes);
        }

        switch (fault.Kind)
        {
            case FaultKind.Kill:
            case FaultKind.Wipe:
                foreach (var node in nodes)
                {
                    await cluster.Kill9(node);
                    if (fault.Kind == FaultKind.Wipe)
                    {
                        cluster.WipeStore(node);
                    }
                }

                detail = string.Join("; ", new[] { detail, fault.ClockOffset != 0 ? $"restart clock {fault.ClockOffset:+0.0;-0.0}s" : "" }.Where(d => d.Length > 0));
                break;
            case FaultKind.Pause:
                foreach (var node in nodes)
                {
                    cluster.Pause(node);
                }

                break;
            case FaultKind.Partition:
                lab!.Partition(nodes);
                detail = $"cut from {string.Join(",", cluster.Names.Except(names))}";
                break;
            case FaultKind.CutWipe:
                lab!.Partition(nodes);
                _cutWipes.Add(Task.Run(async () =>
                {
                    await Task.Delay(TimeSpan.FromSeconds(Math.Min(CutBeforeWipe, fault.Duration / 2)));
                    foreach (var node in nodes)
                    {
                        await cluster.Kill9(node);
                        cluster.WipeStore(node);
                    }

                    log.WriteLine($"okv-chaos: {Now,7:F1}s CutWipe: {string.Join(",", names)} killed, store emptied");
                }));
                detail = $"cut from {string.Join(",", cluster.Names.Except(names))}, killed and store emptied {Math.Min(CutBeforeWipe, fault.Duration / 2):F1}s later"
                         + (fault.ClockOffset != 0 ? $"; restart clock {fault.ClockOffset:+0.0;-0.0}s" : "");
                break;
        }

        var record = new FaultRecord(fault.Kind, names, Now, null, detail);
        lock (_timeline)
        {
            _timeline.Add(record);
        }

        _open.Add((record, fault, nodes));
        log.WriteLine($"okv-chaos: {Now,7:F1}s {fault.Kind} {string.Join(",", names)} {detail}");
    }

    /// <summary>Undoes every open fault: restarts killed nodes (with the planned clock offset), resumes paused ones, heals partitions.</summary>
    public async Task UndoAll()
    {
        await Task.WhenAll(_cutWipes);
        _cutWipes.Clear();
        foreach (var (record, fault, nodes) in _open.ToArray())
        {
            switch (fault.Kind)
            {
                case FaultKind.CutWipe:
                    lab?.Heal(nodes);
                    foreach (var node in nodes.Where(n => !cluster.IsRunning(n)))
                    {
                        cluster.Start(node, fault.ClockOffset);
                    }

                    break;
                case FaultKind.Kill:
                case FaultKind.Wipe:
                    foreach (var node in nodes.Where(n => !cluster.IsRunning(n)))
                    {
                        cluster.Start(node, fault.ClockOffset);
                    }

                    break;
                case FaultKind.Pause:
                    foreach (var node in nodes)
                    {
                        cluster.Resume(node);
                    }

                    break;
                case FaultKind.Partition:
                    lab?.Heal(nodes);
                    break;
            }

            var ended = record with { End = Now };
            lock (_timeline)
            {
                _timeline[_timeline.IndexOf(record)] = ended;
            }

            _open.Remove((record, fault, nodes));
            lock (_held)
            {
                _held.ExceptWith(nodes);
            }

            log.WriteLine($"okv-chaos: {Now,7:F1}s undone: {fault.Kind} {string.Join(",", record.Nodes)}");
            if (fault.Controller)
            {
                _probing.Add(ProbeRegistry($"kill of {string.Join(",", record.Nodes)}, the controller, at {record.Start:F1}s"));
            }
        }
    }

    private async Task<int?> ControllerNode()
    {
        foreach (var asker in Enumerable.Range(1, cluster.Count).Where(cluster.IsRunning))
        {
            try
            {
                if (await cluster.ControllerNode(asker) is { } node)
                {
                    return node;
                }
            }
            catch (Exception e) when (e is ControlException or IOException or TimeoutException or OperationCanceledException)
            {
                // Ask the next node.
            }
        }

        return null;
    }

    /// <summary>Asks nodes in turn for the registry until one answers (through the controller, wherever it now runs), or the timeout.</summary>
    public async Task ProbeRegistry(string reason)
    {
        var deadline = Stopwatch.StartNew();
        var last = "no node answered";
        while (deadline.Elapsed < RegistryProbeTimeout)
        {
            foreach (var node in Enumerable.Range(1, cluster.Count).Where(cluster.IsRunning))
            {
                try
                {
                    var response = await cluster.Control(node, "registry", timeout: TimeSpan.FromSeconds(15));
                    if (response.Ok)
                    {
                        var probe = new RegistryProbe(Now, reason, true, response.Data?["controller"]?.GetValue<string>(), ChaosCluster.ActiveNodes(response.Data),
                            $"answered through {ChaosCluster.Name(node)} {deadline.Elapsed.TotalSeconds:F1}s after the probe began");
                        lock (_probes)
                        {
                            _probes.Add(probe);
                        }

                        return;
                    }

                    last = response.Message;
                }
                catch (Exception e) when (e is ControlException or IOException or TimeoutException or OperationCanceledException)
                {
                    last = e.Message;
                }
            }

            await Task.Delay(1000);
        }

        lock (_probes)
        {
            _probes.Add(new RegistryProbe(Now, reason, false, null, [], $"no answer within {RegistryProbeTimeout.TotalSeconds:0}s: {last}"));
        }
    }
}
