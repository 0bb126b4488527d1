using System.Diagnostics;
using System.Text.Json;
using OkvActors.Chaos.Faults;
using OkvActors.Chaos.Lab;
using OkvActors.Cluster.Control;

namespace OkvActors.Chaos.Checks;

/// <summary>
/// One node's own view at one moment, from its control socket's <c>status</c>: whether it answered, its member status
/// in its own cluster view (Up once the cluster has taken it in), its mode and how many Up members it reaches.
/// </summary>
public sealed record NodeView(double At, string Node, bool Answered, string? SelfStatus, string? Mode, int ReachableUp)
{
    public bool IsUpMember => Answered && SelfStatus == "Up";
}

/// <summary>
/// Samples every running node's view about once a second for the whole run. The checks use it for one fact the fault
/// timeline cannot know: when a restarted node is a member again. Until the cluster has taken the new incarnation in
/// (after downing the old one), the node has no quorum at all, however many peers are alive.
/// </summary>
public sealed class NodeViewSampler(ChaosCluster cluster, Stopwatch clock)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(3);

    private readonly List<NodeView> _views = [];

    public IReadOnlyList<NodeView> Views
    {
        get
        {
            lock (_views)
            {
                return _views.ToArray();
            }
        }
    }

    public async Task Run(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await Task.WhenAll(Enumerable.Range(1, cluster.Count).Where(cluster.IsRunning).Select(Sample));
            try
            {
                await Task.Delay(Interval, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task Sample(int node)
    {
        var at = clock.Elapsed.TotalSeconds;
        NodeView view;
        try
        {
            var status = await cluster.Control(node, "status", timeout: AnswerTimeout);
            var members = status.Data?["members"]?.AsArray().Select(m => m!.AsObject()).ToList() ?? [];
            view = new NodeView(at, ChaosCluster.Name(node), status.Ok, status.Data?["selfStatus"]?.GetValue<string>(), status.Data?["mode"]?.GetValue<string>(),
                members.Count(m => m["status"]!.GetValue<string>() == "Up" && m["reachable"]!.GetValue<bool>()));
        }
        catch (Exception e) when (e is ControlException or IOException or TimeoutException or OperationCanceledException or JsonException)
        {
            view = new NodeView(at, ChaosCluster.Name(node), false, null, null, 0);
        }

        lock (_views)
        {
            _views.Add(view);
        }
    }

    public static void WriteJsonLines(IReadOnlyList<NodeView> views, string path)
    {
        var options = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
        File.WriteAllLines(path, views.OrderBy(v => v.At).Select(v => JsonSerializer.Serialize(v, options)));
    }
}

/// <summary>
/// When each restarted node was a member again: the first sample after its restart in which it saw itself Up.
/// A fault that restarts nodes (kill, wipe, cut-and-wipe, or the cluster downing it) keeps them out of the quorum
/// until then, so <see cref="Extend"/> returns the timeline with each such fault lasting, per node, until that
/// node's rejoin (or the run's end, if it never came back).
/// </summary>
public static class Rejoins
{
    public static bool Restarts(FaultKind kind) => kind is FaultKind.Kill or FaultKind.Wipe or FaultKind.CutWipe or FaultKind.Downed;

    public static IReadOnlyList<FaultRecord> Extend(IReadOnlyList<FaultRecord> faults, IReadOnlyList<NodeView>? views, double runEnd)
    {
        if (views is null || views.Count == 0)
        {
            return faults;
        }

        return faults.SelectMany(fault => !Restarts(fault.Kind) || fault.End is not { } end
                ? [fault]
                : fault.Nodes.Select(node => fault with
                {
                    Nodes = [node],
                    End = Math.Max(end, views.Where(v => v.Node == node && v.At >= end && v.IsUpMember).Select(v => (double?)v.At).Min() ?? runEnd),
                }))
            .ToList();
    }

    /// <summary>Seconds from each restart to the node's rejoin, for the report.</summary>
    public static IReadOnlyList<double> Delays(IReadOnlyList<FaultRecord> faults, IReadOnlyList<FaultRecord> extended) =>
        faults.Where(f => Restarts(f.Kind) && f.End is not null)
            .SelectMany(f => f.Nodes.Select(node => extended.First(e => e.Kind == f.Kind && e.Start == f.Start && e.Nodes.SequenceEqual([node])).End!.Value - f.End!.Value))
            .ToList();
}
