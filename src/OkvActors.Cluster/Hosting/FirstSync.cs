using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;
using OkvActors.Cluster.Controller;
using OkvActors.Cluster.Storage;
using OkvActors.KeyStore;
using OkvActors.KeyStore.Replication;
using OkvActors.KeyStore.Vault;

namespace OkvActors.Cluster.Hosting;

/// <summary>What a joining node's first sync came to: <see cref="FirstSyncCompleted"/> or <see cref="FirstSyncFailed"/>.</summary>
public interface IFirstSyncOutcome;

/// <summary>
/// The node is Up and holds a full replica: it read <paramref name="Keys"/> keys (the registries and key shards) from a
/// majority. A catch-up that compared shard digests first says how (<paramref name="Compared"/>); null when it read
/// every shard.
/// </summary>
public sealed record FirstSyncCompleted(int Keys, int ActiveNodes, TimeSpan Took, string? Compared = null) : IFirstSyncOutcome;

/// <summary>The first sync did not complete; <paramref name="Reason"/> says which step and what the node saw.</summary>
public sealed record FirstSyncFailed(string Reason) : IFirstSyncOutcome;

/// <summary>
/// A node's first sync after `okv join`: it must become Up, find itself active in the controller registry,
/// see a majority of the registry's active nodes Up, and then read every key shard, the access registry and the
/// controller registry with a majority read. A majority read merges what a majority holds into this node's
/// replica (read repair, stored durably) and meets every majority write, so afterwards this node holds every
/// write acknowledged before the read: a full replica, whatever is written meanwhile. Equal digests with a
/// majority would say the same only on an idle cluster; under writes they may never be equal at one instant.
/// A member that restarts reads the same way: before it serves when it has no store, while it serves when its own
/// store may be behind, then only the shards whose digests differ from a majority's (<see cref="CatchUpAfterRestartAsync"/>).
/// </summary>
public static class FirstSync
{
    public static Task<IFirstSyncOutcome> RunAsync(NodeHost node, CancellationToken stop) => SyncAsync(node, compareDigestsFirst: false, stop);

    private static async Task<IFirstSyncOutcome> SyncAsync(NodeHost node, bool compareDigestsFirst, CancellationToken stop)
    {
        var timeout = node.Settings.FirstSyncTimeout;
        var watch = Stopwatch.StartNew();
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(stop);
        bounded.CancelAfter(timeout);
        var within = $"within {timeout.TotalSeconds:0.###}s (okv.conversion.first-sync-timeout)";

        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        node.Cluster.RegisterOnMemberUp(() => up.TrySetResult());
        try
        {
            await up.Task.WaitAsync(bounded.Token);
        }
        catch (OperationCanceledException)
        {
            return new FirstSyncFailed($"it did not become Up {within}: {Membership(node)}");
        }

        var replicator = DistributedData.Get(node.System).Replicator;
        var readTimeout = node.Settings.WriteTimeout;
        var self = node.Cluster.SelfAddress.ToString();
        int active;
        var lastSeen = "no answer yet";
        while (true)
        {
            try
            {
                var registry = await replicator.Ask<IGetResponse>(new Get(ControllerRegistry.Key, new ReadMajority(readTimeout)), readTimeout * 2, bounded.Token);
                if (registry is GetSuccess { Data: ControllerRegistry { State: var state } })
                {
                    if (state.NodeByAddress(self) is not { State: NodeState.Active } record)
                    {
                        return new FirstSyncFailed(
                            $"the controller registry (v{state.Version}) lists {self} as {state.NodeByAddress(self)?.State.ToString() ?? "unknown"}, not active");
                    }

                    active = state.Nodes.Count(n => n.State == NodeState.Active);
                    var upMembers = node.Cluster.State.Members.Count(m => m.Status == MemberStatus.Up);
                    if (upMembers >= Majority(active))
                    {
                        break;
                    }

                    lastSeen = $"{upMembers} of the registry's {active} active nodes are Up (node '{record.Name}' included); a majority is {Majority(active)}";
                }
                else
                {
                    lastSeen = $"the controller registry read answered {registry.GetType().Name}";
                }

                await Task.Delay(TimeSpan.FromMilliseconds(250), bounded.Token);
            }
            catch (AskTimeoutException)
            {
                lastSeen = "the replicator did not answer a read of the controller registry";
            }
            catch (OperationCanceledException)
            {
                return new FirstSyncFailed($"it did not see a majority of the cluster's active nodes {within}: {lastSeen}; {Membership(node)}");
            }
        }

        var shardCount = KeyStoreSettings.Create(node.System.Settings.Config).ShardCount;
        var shards = Enumerable.Range(0, shardCount).Select(ShardMap.KeyId).ToList();
        string? compared = null;
        if (compareDigestsFirst)
        {
            (var differing, compared) = await DifferingShardsAsync(node, Majority(active), shards, bounded.Token);
            shards = differing?.ToList() ?? shards;
        }

        var keys = new List<IKey> { ControllerRegistry.Key, KeyVaultActor.AccessKey };
        keys.AddRange(shards.Select(id => (IKey)new KeyShardKey(id)));
        var consistency = new ReadMajority(readTimeout, Majority(active));
        var failures = new Dictionary<string, string>();
        using var gate = new SemaphoreSlim(node.Settings.FirstSyncParallelism);
        try
        {
            await Task.WhenAll(keys.Select(async key =>
            {
                await gate.WaitAsync(bounded.Token);
                try
                {
                    while (true)
                    {
                        string failure;
                        try
                        {
                            var response = await replicator.Ask<IGetResponse>(new Get(key, consistency), readTimeout * 2, bounded.Token);
                            if (response is GetSuccess or NotFound or DataDeleted)
                            {
                                return;
                            }

                            failure = response.GetType().Name;
                        }
                        catch (AskTimeoutException)
                        {
                            failure = "no answer from the replicator";
                        }

                        lock (failures)
                        {
                            failures[key.Id] = failure;
                        }
                    }
                }
                finally
                {
                    gate.Release();
                }
            }));
        }
        catch (OperationCanceledException)
        {
            string example;
            lock (failures)
            {
                example = failures.Count == 0 ? "" : $" (e.g. {failures.Keys.Order(StringComparer.Ordinal).First()}: {failures.Values.First()})";
            }

            return new FirstSyncFailed(
                $"it could not read every key shard from a majority ({Majority(active)} of {active} active nodes) {within}{example}; {Membership(node)}");
        }

        return new FirstSyncCompleted(keys.Count, active, watch.Elapsed, compared);
    }

    /// <summary>
    /// The key shards of <paramref name="shards"/> to read from a majority after comparing this node's digests with enough
    /// peers' (<see cref="ShardDigests.ShardsToRead"/>; peers answer only once their durable store has loaded); null,
    /// with why, when too few peers answered, and then every shard is read.
    /// </summary>
    private static async Task<(IReadOnlyList<string>? Differing, string Compared)> DifferingShardsAsync(
        NodeHost node, int majority, IReadOnlyList<string> shards, CancellationToken token)
    {
        var timeout = node.Settings.FirstSyncTimeout;
        var mine = new ShardDigests((await ShardInspector.ShardsAsync(node.System, timeout))
            .ToDictionary(s => s.Key, s => s.Shard.Digest, StringComparer.Ordinal));
        var peers = node.Cluster.State.Members
            .Where(m => m.Status == MemberStatus.Up && m.Address != node.Cluster.SelfAddress)
            .Select(m => m.Address)
            .ToArray();
        var pending = peers.Select(async address =>
        {
            try
            {
                var answer = await node.System.ActorSelection(new RootActorPath(address) / "user" / ShardDigestsActor.Name)
                    .Ask<ShardDigests>(ShardDigestsQuery.Instance, timeout, token);
                return answer.Refused is null ? answer : null;
            }
            catch (AskTimeoutException)
            {
                return null;
            }
        }).ToList();

        // A majority is enough, and a dead peer would hold the comparison up until the timeout: stop at the first answers.
        var answers = new List<ShardDigests>();
        while (answers.Count < majority - 1 && pending.Count > 0)
        {
            var done = await Task.WhenAny(pending);
            pending.Remove(done);
            if (await done is { } answer)
            {
                answers.Add(answer);
            }
        }

        return mine.ShardsToRead(answers, majority, shards) is { } differing
            ? (differing, $"{differing.Count} of {shards.Count} shards differed from {answers.Count} peer(s)' digests")
            : (null, $"compared no digests ({answers.Count} of {peers.Length} peers answered, {majority - 1} needed)");
    }

    /// <summary><see cref="RunAsync"/>, or null when the node terminates first (then the read is cancelled).</summary>
    public static Task<IFirstSyncOutcome?> RunUntilTerminatedAsync(NodeHost node, CancellationToken stop) =>
        RunUntilTerminatedAsync(node, compareDigestsFirst: false, stop);

    private static async Task<IFirstSyncOutcome?> RunUntilTerminatedAsync(NodeHost node, bool compareDigestsFirst, CancellationToken stop)
    {
        // A node that is downed or refused meanwhile stops waiting at once (it would wait for Up until the timeout).
        using var running = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var sync = SyncAsync(node, compareDigestsFirst, running.Token);
        if (await Task.WhenAny(sync, node.WhenTerminated) == sync)
        {
            return await sync;
        }

        await running.CancelAsync();
        return null;
    }

    /// <summary>
    /// A member restarted from its own store reads from a majority, while it serves, every shard whose digest differs
    /// from a majority's: its store may be far behind (it was down while the others wrote, or killed before its last
    /// writes were stored), and gossip is slow to notice: each round compares a few shards with one random peer, so at
    /// 1M objects in 4096 shards a restarted node still missed 13 whole shards 10 minutes later
    /// (tests/OkvActors.Benchmarks/RESULTS.md). Comparing digests first spares moving the whole replica when little
    /// differs. Only a member that had a store catches up this way; one without rebuilds before it serves, and a
    /// founder's first start has nothing to catch up with.
    /// </summary>
    public static async Task CatchUpAfterRestartAsync(NodeHost node, CancellationToken stop)
    {
        if (node.Manifest.Stage != NodeStage.Member || !node.ReplicaStoreExisted)
        {
            return;
        }

        var log = Logging.GetLogger(node.System, typeof(FirstSync));
        try
        {
            switch (await RunUntilTerminatedAsync(node, compareDigestsFirst: true, stop))
            {
                case FirstSyncCompleted done:
                    log.Info("Replica caught up after the restart: {0}; read {1} keys from a majority of {2} active nodes in {3:0.0}s",
                        done.Compared, done.Keys, done.ActiveNodes, done.Took.TotalSeconds);
                    break;
                case FirstSyncFailed when stop.IsCancellationRequested:
                    log.Info("Stopped before the replica caught up from a majority after the restart");
                    break;
                case FirstSyncFailed failed:
                    log.Warning("Replica not caught up from a majority after the restart ({0}); gossip completes it", failed.Reason);
                    break;
            }
        }
        catch (Exception) when (node.WhenTerminated.IsCompleted || stop.IsCancellationRequested)
        {
            // The node stopped while it read: nothing is left to catch up.
        }
    }

    private static int Majority(int nodes) => (nodes / 2) + 1;

    /// <summary>What the node sees of the cluster, for the operator: who is a member, in which status, who is unreachable.</summary>
    private static string Membership(NodeHost node)
    {
        var state = node.Cluster.State;
        var others = state.Members.Where(m => m.Address != node.Cluster.SelfAddress).ToArray();
        if (others.Length == 0)
        {
            var seeds = node.System.Settings.Config.GetStringList("akka.cluster.seed-nodes");
            return $"no other member answered (seeds: {string.Join(", ", seeds)})";
        }

        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        return "members: " + string.Join(", ", state.Members.Select(m =>
            $"{m.Address} {m.Status}{(unreachable.Contains(m.Address) ? " UNREACHABLE" : "")}"));
    }
}
