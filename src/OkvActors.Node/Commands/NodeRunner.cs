using System.Net;
using System.Runtime;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using OkvActors.Cluster;
using OkvActors.Cluster.Backup;
using OkvActors.Cluster.Control;
using OkvActors.Cluster.Hosting;
using OkvActors.Cluster.Inspection;
using OkvActors.Cluster.Storage;
using OkvActors.Endpoints;
using OkvActors.Endpoints.Kmip;
using OkvActors.Endpoints.Management;
using OkvActors.Node.Cli;
using OkvActors.Rest;

namespace OkvActors.Node.Commands;

/// <summary>`okv run`: runs one node in the foreground until SIGTERM/SIGINT or until it is removed.</summary>
public static class NodeRunner
{
    public static async Task<int> Run(string dirPath, Config operatorConfig, IReadOnlyList<string>? seeds, CancellationToken stop)
    {
        // A replica is a heap of long-lived objects whose shard maps are replaced on every write, so gen2 fragments;
        // in the default mode the runtime then compacts it in a blocking collection that held a 1M-object node for
        // 2-3 s. This mode keeps gen2 collections in the background (RESULTS.md, "sustained low latency").
        GCSettings.LatencyMode = GCLatencyMode.SustainedLowLatency;
        var dir = new NodeDirectory(dirPath);
        var clusterSettings = OkvClusterSettings.Create(operatorConfig);
        if (dir.HasManifest && await Conversion.RecoverAsync(dir, operatorConfig, TimeProvider.System, clusterSettings.AdmissionTimeout) is { } recovered)
        {
            Console.WriteLine($"okv: {recovered}");
        }

        var joining = dir.HasManifest && dir.ReadManifest().Stage == NodeStage.Joining;
        var checkpoint = joining ? Conversion.AdoptForFirstSync(dir) : null;
        var node = NodeHost.Start(dir, operatorConfig, seeds);
        // A node made by `okv restore` imports its archive before it serves anything.
        if (await RestoreImport.RunIfPendingAsync(node, stop) is { } imported)
        {
            Console.WriteLine($"okv: imported {imported} objects from the restored archive");
        }

        var managementSettings = ManagementSettings.Create(node.System.Settings.Config);
        var handler = new ControlHandler(node, LogRing.Start(node.System, managementSettings.LogBufferSize));
        var control = ControlServer.Start(node, handler);
        if (joining)
        {
            await FirstSyncOrRollBack(node, control, checkpoint, operatorConfig, stop);
        }
        else if (node.Manifest is { Stage: NodeStage.Member, Founder: false } && !node.ReplicaStoreExisted)
        {
            await RebuildEmptyReplica(node, stop);
        }
        else
        {
            // Not awaited: the node serves from its own store meanwhile.
            _ = FirstSync.CatchUpAfterRestartAsync(node, stop);
        }

        await using var running = node;
        await using var controlling = control;
        await using var management = managementSettings.Enabled ? StartManagement(node, managementSettings, handler) : null;
        var kmipSettings = KmipSettings.Create(node.System.Settings.Config);
        await using var kmip = kmipSettings.Enabled
            ? KmipService.Start(node, kmipSettings, new IPEndPoint(AddressOf(node.Manifest.Host), node.Manifest.KmipPort))
            : null;
        var restSettings = RestSettings.Create(node.System.Settings.Config);
        await using var rest = restSettings.Enabled
            ? await RestServer.StartAsync(node, restSettings, new IPEndPoint(AddressOf(node.Manifest.Host), node.Manifest.HttpsPort), handler)
            : null;
        Console.WriteLine($"okv: node '{node.Manifest.Name}' of cluster '{node.Manifest.Cluster}' runs at {node.Cluster.SelfAddress}; control socket {dir.ControlSocket}"
            + (management is null ? "; management listener off" : $"; management {management.LocalEndpoint}")
            + (kmip is null ? "; KMIP off" : $"; KMIP {kmip.LocalEndpoint}")
            + (rest is null ? "; HTTPS off" : $"; HTTPS {rest.LocalEndpoint}"));

        // SIGTERM and Ctrl-C (the command line turns both into `stop`) leave the cluster gracefully,
        // handing the controller over, before the process exits.
        await using var leave = stop.Register(() => CoordinatedShutdown.Get(node.System).Run(CoordinatedShutdown.ClrExitReason.Instance));
        await node.WhenTerminated;
        var reason = CoordinatedShutdown.Get(node.System).ShutdownReason;
        Console.WriteLine($"okv: node '{node.Manifest.Name}' stopped{(reason is null ? "" : $" ({reason.GetType().Name}, exit code {reason.ExitCode})")}");
        return reason?.ExitCode ?? 0;
    }

    /// <summary>
    /// A joining node's first sync: on success it is a member (node.json at stage Member, the checkpoint dropped);
    /// on failure it leaves the cluster, stops, withdraws its admission, restores the candidate and fails with why.
    /// </summary>
    private static async Task FirstSyncOrRollBack(NodeHost node, ControlServer control, DataDirectoryCheckpoint? checkpoint, Config operatorConfig,
        CancellationToken stop)
    {
        var log = Logging.GetLogger(node.System, typeof(NodeRunner));
        var dir = node.Directory;
        var name = node.Manifest.Name;
        Console.WriteLine($"okv: node '{name}' joins cluster '{node.Manifest.Cluster}' at {node.Cluster.SelfAddress}: first sync " +
                          $"(at most {node.Settings.FirstSyncTimeout.TotalSeconds:0.###}s)");
        var outcome = await FirstSync.RunAsync(node, stop);
        if (outcome is FirstSyncCompleted done)
        {
            dir.UpdateManifest(manifest => manifest with { Stage = NodeStage.Member });
            checkpoint?.Discard();
            log.Info("First sync complete: read {0} keys from a majority of {1} active nodes in {2:0.0}s; node '{3}' is a member",
                done.Keys, done.ActiveNodes, done.Took.TotalSeconds, name);
            Console.WriteLine($"okv: first sync complete in {done.Took.TotalSeconds:0.0}s ({done.Keys} keys read from a majority): node '{name}' is a member");
            return;
        }

        var reason = stop.IsCancellationRequested ? "it was stopped during its first sync" : ((FirstSyncFailed)outcome).Reason;
        log.Error("First sync of node '{0}' failed: {1}; leaving the cluster and rolling back to the candidate", name, reason);
        await control.DisposeAsync();
        await node.DisposeAsync();
        if (checkpoint is null)
        {
            throw new CliError($"node '{name}' did not complete its first sync: {reason}; {dir.Root} holds no checkpoint of the candidate " +
                               "(made by an older `okv join`), so it stays at stage joining: start it again, or remove it and make a new candidate");
        }

        var settings = node.Settings;
        var withdrawal = await Conversion.WithdrawRecordedAsync(dir, $"first sync failed: {reason}", operatorConfig, TimeProvider.System,
            settings.AdmissionTimeout);
        checkpoint.Restore();
        throw new CliError($"node '{name}' did not complete its first sync: {reason}; it stopped and left the cluster; {withdrawal}; " +
                           $"{dir.Root} is the candidate it was before `okv join`");
    }

    /// <summary>
    /// A member that starts with no store (a replaced disk, a wiped store) reads every shard from a majority before
    /// it serves, as a joining node does, rather than wait for gossip to bring the shards a few at a time (measured
    /// at 1M objects in 4096 shards: 103 s). If that does not complete, gossip still does; the node serves meanwhile.
    /// </summary>
    private static async Task RebuildEmptyReplica(NodeHost node, CancellationToken stop)
    {
        var log = Logging.GetLogger(node.System, typeof(NodeRunner));
        Console.WriteLine($"okv: node '{node.Manifest.Name}' has an empty store: reading every shard from a majority before it serves");
        switch (await FirstSync.RunUntilTerminatedAsync(node, stop))
        {
            case FirstSyncCompleted done:
                log.Info("Empty store rebuilt: read {0} keys from a majority of {1} active nodes in {2:0.0}s", done.Keys, done.ActiveNodes, done.Took.TotalSeconds);
                Console.WriteLine($"okv: empty store rebuilt in {done.Took.TotalSeconds:0.0}s ({done.Keys} keys read from a majority)");
                break;
            case FirstSyncFailed failed:
                log.Warning("Empty store not rebuilt from a majority ({0}); gossip completes the replica", failed.Reason);
                break;
        }
    }

    private static IPAddress AddressOf(string host) => IPAddress.TryParse(host, out var ip) ? ip : Dns.GetHostAddresses(host).First();

    /// <summary>okvctl's listener on the node's management port, presenting the node certificate.</summary>
    private static ManagementListener StartManagement(NodeHost node, ManagementSettings settings, IControlHandler handler)
    {
        return new ManagementListener(new IPEndPoint(AddressOf(node.Manifest.Host), node.Manifest.ManagementPort), node.Credentials.Certificate, node.Credentials.Ca,
            node.Revocations, settings, handler, Logging.GetLogger(node.System, typeof(ManagementListener)));
    }
}
