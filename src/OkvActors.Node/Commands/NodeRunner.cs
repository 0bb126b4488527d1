using Akka.Actor;
using Akka.Configuration;
using OkvActors.Cluster.Control;
using OkvActors.Cluster.Hosting;
using OkvActors.Cluster.Storage;

namespace OkvActors.Node.Commands;

/// <summary>`okv run`: runs one node in the foreground until SIGTERM/SIGINT or until it is removed.</summary>
public static class NodeRunner
{
    public static async Task<int> Run(string dirPath, Config operatorConfig, IReadOnlyList<string>? seeds, CancellationToken stop)
    {
        var dir = new NodeDirectory(dirPath);
        await using var node = NodeHost.Start(dir, operatorConfig, seeds);
        await using var control = ControlServer.Start(node);
        Console.WriteLine($"okv: node '{node.Manifest.Name}' of cluster '{node.Manifest.Cluster}' runs at {node.Cluster.SelfAddress}; control socket {dir.ControlSocket}");

        // SIGTERM and Ctrl-C (the command line turns both into `stop`) leave the cluster gracefully,
        // handing the controller over, before the process exits.
        await using var leave = stop.Register(() => CoordinatedShutdown.Get(node.System).Run(CoordinatedShutdown.ClrExitReason.Instance));
        await node.WhenTerminated;
        Console.WriteLine($"okv: node '{node.Manifest.Name}' stopped");
        return 0;
    }
}
