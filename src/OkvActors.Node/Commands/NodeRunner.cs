using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Configuration;
using OkvActors.Cluster.Control;
using OkvActors.Cluster.Hosting;
using OkvActors.Cluster.Storage;

namespace OkvActors.Node.Commands;

/// <summary>`okv run`: runs one node in the foreground until SIGTERM/SIGINT or until it is removed.</summary>
public static class NodeRunner
{
    public static async Task<int> Run(string dirPath, Config operatorConfig, IReadOnlyList<string>? seeds)
    {
        var dir = new NodeDirectory(dirPath);
        await using var node = NodeHost.Start(dir, operatorConfig, seeds);
        await using var control = ControlServer.Start(node);
        Console.WriteLine($"okv: node '{node.Manifest.Name}' of cluster '{node.Manifest.Cluster}' runs at {node.Cluster.SelfAddress}; control socket {dir.ControlSocket}");

        // SIGTERM and Ctrl-C leave the cluster gracefully (the controller hands over) before exiting.
        void Leave(PosixSignalContext context)
        {
            context.Cancel = true;
            _ = CoordinatedShutdown.Get(node.System).Run(CoordinatedShutdown.ClrExitReason.Instance);
        }

        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Leave);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Leave);
        await node.WhenTerminated;
        Console.WriteLine($"okv: node '{node.Manifest.Name}' stopped");
        return 0;
    }
}
